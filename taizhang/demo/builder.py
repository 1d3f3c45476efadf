"""The Linfen demo campaign (争先、进位、崛起 解放思想大讨论) at any scale.

Scale 1 is the article: ≈12 000 orgs and 270 000 problems, of which 92.4 % are rectified. The
campaign is replayed on today's calendar so that its open problems have live deadlines. Rows are
written in bulk (the article's size in minutes, not hours); a few showcase problems for the demo
logins go through the ledger's services like any user's would.
"""

import bisect
import datetime as dt
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from taizhang.campaigns.models import Campaign, FocusArea, Phase, PhaseKind
from taizhang.demo import names
from taizhang.ledger import services
from taizhang.ledger.models import (
    EventAction,
    Kind,
    Measure,
    Problem,
    ProblemEvent,
    ProgressReport,
    Source,
    Status,
)
from taizhang.orgs.models import Org, OrgKind, Role, RoleAssignment
from taizhang.workdays.calendar import is_workday

SLUG = "linfen-2021"
CAMPAIGN_NAME = "“争先、进位、崛起”解放思想大讨论"
PROBLEMS_AT_SCALE_1 = 270_000
BRANCHES_PER_TOWNSHIP_AT_SCALE_1 = 76
TOWNSHIPS_PER_COUNTY = 9
RECTIFICATION_RATE = 0.924
ON_TIME_SHARE = 0.9
DEMO_PASSWORD = "taizhang-demo"
BATCH = 5000

# Where problems sit: share of all problems per org kind.
OWNER_SHARES = {
    OrgKind.BRANCH: 0.40,
    OrgKind.TOWNSHIP: 0.18,
    OrgKind.DEPARTMENT: 0.37,
    OrgKind.COUNTY: 0.03,
    OrgKind.ZONE: 0.02,
}
KIND_SHARES = {Kind.IMMEDIATE: 0.5, Kind.DEADLINE: 0.4, Kind.LONG_TERM: 0.1}
SOURCE_SHARES = {
    Source.SELF_FOUND: 0.6,
    Source.SUGGESTION: 0.25,
    Source.INSPECTION: 0.1,
    Source.ASSIGNED: 0.05,
}
# Open problems by status, and the share of all problems that were voided or merged.
OPEN_SHARES = {
    Status.RECTIFYING: 0.8,
    Status.PENDING: 0.12,
    Status.ASSIGNED: 0.06,
    Status.DRAFT: 0.02,
}
VOID_SHARE, MERGED_SHARE = 0.004, 0.006

DEMO_USERS = [
    # username, display name, role, org code
    ("office", "市活动办公室 刘明", Role.OFFICE, "141000"),
    ("city_leader", "市领导 王建华", Role.LEADER, "141000"),
    ("yaodu_leader", "尧都区领导 张伟", Role.LEADER, "141002"),
    ("yaodu_admin", "尧都区联络员 李娜", Role.ADMIN, "141002"),
    ("yaodu_handler", "尧都区发改局经办人 赵磊", Role.HANDLER, "141002801"),
    ("houma_handler", "侯马市教育局经办人 孙静", Role.HANDLER, "141081803"),
    ("inspector", "第一巡回指导组 陈刚", Role.INSPECTOR, "141002"),
    ("operator", "12345 热线坐席 周芳", Role.OPERATOR, "141000"),
]


@dataclass
class DemoSummary:
    orgs: int = 0
    problems: int = 0
    events: int = 0
    measures: int = 0
    users: list[str] = field(default_factory=list)


class _Workdays:
    """Working days as a sorted list, so 270 000 deadlines cost a bisect each."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.days: list[dt.date] = []
        day = start
        while day <= end:
            if is_workday(day)[0]:
                self.days.append(day)
            day += dt.timedelta(days=1)

    def add(self, start: dt.date, count: int) -> dt.date:
        index = bisect.bisect_right(self.days, start) + count - 1
        return self.days[min(index, len(self.days) - 1)]


def _name(rng: random.Random) -> str:
    return rng.choice(names.SURNAMES) + "".join(rng.choices(names.GIVEN, k=rng.choice((1, 2))))


def _next_id(model: type) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _bulk(
    model: type, rows: Iterator[object], on_batch: Callable[[int], None] | None = None
) -> int:
    total, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            total += len(batch)
            batch = []
            if on_batch:
                on_batch(total)
    if batch:
        model.objects.bulk_create(batch)
        total += len(batch)
    return total


def _reset_sequences(*models: type) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def build_orgs(scale: float, rng: random.Random) -> list[Org]:
    branches_per_township = max(1, round(BRANCHES_PER_TOWNSHIP_AT_SCALE_1 * scale))
    next_id = _next_id(Org)
    orgs: list[Org] = []

    def add(code: str, name: str, kind: str, parent: Org | None) -> Org:
        nonlocal next_id
        org = Org(
            id=next_id,
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            path=f"{parent.path if parent else '/'}{code}/",
            depth=parent.depth + 1 if parent else 0,
        )
        next_id += 1
        orgs.append(org)
        return org

    city = add(names.CITY[0], names.CITY[1], OrgKind.CITY, None)
    for i, dept in enumerate(names.CITY_DEPARTMENTS, start=1):
        add(f"141000{800 + i}", dept, OrgKind.DEPARTMENT, city)
    roots = iter(rng.sample(names.TOWNSHIP_ROOTS, len(names.TOWNSHIP_ROOTS)))
    for code, county_name in names.COUNTIES:
        county = add(code, county_name, OrgKind.COUNTY, city)
        for i, dept in enumerate(names.COUNTY_DEPARTMENTS, start=1):
            add(f"{code}{800 + i}", f"{county_name}{dept}", OrgKind.DEPARTMENT, county)
        for t in range(1, TOWNSHIPS_PER_COUNTY + 1):
            root = next(roots, None) or rng.choice(names.TOWNSHIP_ROOTS) + str(t)
            township = add(
                f"{code}{100 + t}",
                f"{county_name}{root}{rng.choice(names.TOWN_SUFFIXES)}",
                OrgKind.TOWNSHIP,
                county,
            )
            used: set[str] = set()
            for b in range(1, branches_per_township + 1):
                village = "".join(rng.sample(names.VILLAGE_ROOTS, 2))
                while village in used:
                    village = "".join(rng.sample(names.VILLAGE_ROOTS, 2)) + str(b)
                used.add(village)
                suffix = rng.choice(names.VILLAGE_SUFFIXES)
                add(
                    f"{township.code}{200 + b:03d}",
                    f"{village}{suffix}党支部",
                    OrgKind.BRANCH,
                    township,
                )
    for code, zone_name in names.ZONES:
        zone = add(code, zone_name, OrgKind.ZONE, city)
        for i, dept in enumerate(names.ZONE_DEPARTMENTS, start=1):
            add(f"{code}{800 + i}", f"{zone_name}{dept}", OrgKind.DEPARTMENT, zone)
    Org.objects.bulk_create(orgs, batch_size=BATCH)
    _reset_sequences(Org)
    return orgs


def build_campaign(city: Org, today: dt.date) -> Campaign:
    starts = today - dt.timedelta(days=160)
    ends = today + dt.timedelta(days=20)
    campaign = Campaign.objects.create(
        slug=SLUG,
        name=CAMPAIGN_NAME,
        org=city,
        starts_on=starts,
        ends_on=ends,
        rules={"time_limits": {"immediate": 10, "deadline": 60, "long_term": 120}},
    )
    FocusArea.objects.bulk_create(
        FocusArea(campaign=campaign, name=n, order=i) for i, n in enumerate(names.FOCUS_AREAS)
    )
    spans = [
        (PhaseKind.MOBILISE, 0, 7),
        (PhaseKind.STUDY, 0, 45),
        (PhaseKind.EXAMINE, 15, 75),
        (PhaseKind.RECTIFY, 30, 170),
        (PhaseKind.SUMMARISE, 150, 180),
    ]
    Phase.objects.bulk_create(
        Phase(
            campaign=campaign,
            kind=k,
            starts_on=starts + dt.timedelta(days=a),
            ends_on=starts + dt.timedelta(days=b),
        )
        for k, a, b in spans
    )
    return campaign


def _statuses(total: int, rng: random.Random) -> list[str]:
    """Exact shares, shuffled: the rectification rate comes out as the article's, not near it."""
    void, merged = round(total * VOID_SHARE), round(total * MERGED_SHARE)
    counted = total - void - merged
    closed = round(counted * RECTIFICATION_RATE)
    open_total = counted - closed
    statuses = [Status.VOID] * void + [Status.MERGED] * merged + [Status.CLOSED] * closed
    remaining = open_total
    for status, share in OPEN_SHARES.items():
        n = remaining if status == Status.DRAFT else round(open_total * share)
        statuses += [status] * n
        remaining -= n
    rng.shuffle(statuses)
    return statuses


def _weighted(rng: random.Random, shares: dict, k: int) -> list:  # type: ignore[type-arg]
    return rng.choices(list(shares), weights=list(shares.values()), k=k)


def build_problems(
    campaign: Campaign,
    orgs: list[Org],
    users: dict[str, object],
    scale: float,
    rng: random.Random,
    today: dt.date,
    progress: Callable[[str], None],
) -> DemoSummary:
    total = max(60, round(PROBLEMS_AT_SCALE_1 * scale))
    areas = list(FocusArea.objects.filter(campaign=campaign))
    by_kind: dict[str, list[Org]] = {}
    for org in orgs:
        by_kind.setdefault(org.kind, []).append(org)
    owner_kinds = _weighted(rng, OWNER_SHARES, total)
    kinds = _weighted(rng, KIND_SHARES, total)
    sources = _weighted(rng, SOURCE_SHARES, total)
    statuses = _statuses(total, rng)
    workdays = _Workdays(campaign.starts_on - dt.timedelta(days=10), today + dt.timedelta(days=400))
    limits = campaign.rule("time_limits")
    tz = timezone.get_current_timezone()
    first_id, office = _next_id(Problem), users["office"]
    prefix = f"{campaign.slug.upper()[:12]}-"
    problems: list[Problem] = []
    events: list[ProblemEvent] = []
    measures: list[Measure] = []
    reports: list[ProgressReport] = []
    examine_start = campaign.starts_on + dt.timedelta(days=15)
    span_days = (today - examine_start).days - 3

    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=tz)

    summary = DemoSummary()
    for i in range(total):
        pid = first_id + i
        area = rng.choice(areas)
        subjects, issues, measure_texts = names.TEMPLATES[area.name]
        org = rng.choice(by_kind[owner_kinds[i]])
        status, kind = statuses[i], kinds[i]
        is_open = status in (Status.RECTIFYING, Status.PENDING, Status.ASSIGNED, Status.DRAFT)
        # Open problems were mostly found later in the campaign.
        offset = (
            rng.randrange(max(1, span_days // 2), span_days)
            if is_open
            else rng.randrange(span_days)
        )
        created = examine_start + dt.timedelta(days=offset)
        deadline = workdays.add(created, int(limits[kind]))
        closed_at = on_time = None
        applied_at = None
        if status == Status.CLOSED:
            latest = min(deadline, today)
            if rng.random() < ON_TIME_SHARE or latest >= today:
                closed_day = created + dt.timedelta(
                    days=rng.randint(1, max(1, (latest - created).days))
                )
            else:
                closed_day = deadline + dt.timedelta(
                    days=rng.randint(1, max(1, (today - deadline).days))
                )
            closed_day = min(closed_day, today)
            closed_at = at(closed_day, 16)
            applied_at = at(max(created, closed_day - dt.timedelta(days=rng.randint(0, 5))), 10)
            on_time = closed_day <= deadline
        elif status == Status.PENDING:
            applied_at = at(min(today, created + dt.timedelta(days=rng.randint(1, 20))), 10)
        created_at = at(created, 9)
        title = f"{org.name}{rng.choice(subjects)}{rng.choice(issues)}"
        problems.append(
            Problem(
                id=pid,
                campaign=campaign,
                number=f"{prefix}{pid - first_id + 1:06d}",
                title=title[:300],
                description=f"经查摆,{title}。",
                source=sources[i],
                focus_area=area,
                org=org,
                org_path=org.path,
                kind=kind,
                status=status,
                deadline=deadline,
                responsible_leader=_name(rng),
                responsible_person=_name(rng),
                progress=100
                if status == Status.CLOSED
                else rng.choice((20, 40, 60, 80))
                if is_open
                else 0,
                created_by=office,
                created_at=created_at,
                applied_at=applied_at,
                closed_at=closed_at,
                closed_on_time=on_time,
                closure_note="已按措施完成整改,经核查验收合格。" if closed_at else "",
            )
        )
        first_status = (
            Status.ASSIGNED if status in (Status.ASSIGNED, Status.DRAFT) else Status.RECTIFYING
        )
        events.append(
            ProblemEvent(
                problem_id=pid,
                at=created_at,
                actor=office,
                action=EventAction.CREATE,
                to_status=first_status,
            )
        )
        if status == Status.DRAFT:
            events.append(
                ProblemEvent(
                    problem_id=pid,
                    at=created_at + dt.timedelta(hours=2),
                    action=EventAction.DECLINE,
                    from_status=Status.ASSIGNED,
                    to_status=Status.DRAFT,
                    reason="不属于本单位职责范围",
                )
            )
        if applied_at:
            events.append(
                ProblemEvent(
                    problem_id=pid,
                    at=applied_at,
                    action=EventAction.APPLY,
                    from_status=Status.RECTIFYING,
                    to_status=Status.PENDING,
                )
            )
        if closed_at:
            events.append(
                ProblemEvent(
                    problem_id=pid,
                    at=closed_at,
                    actor=office,
                    action=EventAction.APPROVE,
                    from_status=Status.PENDING,
                    to_status=Status.CLOSED,
                )
            )
        if status in (Status.VOID, Status.MERGED):
            events.append(
                ProblemEvent(
                    problem_id=pid,
                    at=created_at + dt.timedelta(days=3),
                    actor=office,
                    action=EventAction.VOID if status == Status.VOID else EventAction.MERGE,
                    from_status=Status.RECTIFYING,
                    to_status=status,
                    reason="经核实不属于问题" if status == Status.VOID else "与同类问题重复",
                )
            )
        for order, text in enumerate(rng.sample(measure_texts, rng.choice((1, 2))), start=1):
            measures.append(
                Measure(
                    problem_id=pid,
                    order=order,
                    content=text,
                    deadline=deadline,
                    progress=100 if closed_at else 0,
                    done_on=closed_at.date() if closed_at else None,
                )
            )
        if status == Status.RECTIFYING and rng.random() < 0.5:
            reports.append(
                ProgressReport(
                    problem_id=pid,
                    reported_on=min(today, created + dt.timedelta(days=7)),
                    percent=problems[-1].progress,
                    text=rng.choice(names.PROGRESS_TEXTS),
                )
            )
        if len(problems) >= BATCH:
            _flush(problems, events, measures, reports, summary)
            progress(f"问题 {summary.problems}/{total}")
    _flush(problems, events, measures, reports, summary)
    _merge_targets(campaign, first_id)
    _reset_sequences(Problem, ProblemEvent, Measure, ProgressReport)
    return summary


def _flush(
    problems: list, events: list, measures: list, reports: list, summary: DemoSummary
) -> None:  # type: ignore[type-arg]
    Problem.objects.bulk_create(problems)
    ProblemEvent.objects.bulk_create(events)
    Measure.objects.bulk_create(measures)
    ProgressReport.objects.bulk_create(reports)
    summary.problems += len(problems)
    summary.events += len(events)
    summary.measures += len(measures)
    for rows in (problems, events, measures, reports):
        rows.clear()


def _merge_targets(campaign: Campaign, first_id: int) -> None:
    """Point each merged demo problem at a counted problem of the same focus area."""
    targets = dict(
        Problem.objects.filter(campaign=campaign, status=Status.CLOSED)
        .order_by("focus_area", "pk")
        .values_list("focus_area", "pk")
        .distinct()
    )
    for area_id, target in targets.items():
        Problem.objects.filter(
            campaign=campaign, status=Status.MERGED, focus_area_id=area_id
        ).update(merged_into_id=target)


def build_users(orgs_by_code: dict[str, Org]) -> dict[str, object]:
    User = get_user_model()
    users: dict[str, object] = {}
    for username, display, role, code in DEMO_USERS:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
        user.first_name = display
        user.is_staff = role == Role.OFFICE
        user.save()
        RoleAssignment.objects.create(user=user, org=orgs_by_code[code], role=role)
        users[username] = user
    return users


def build_showcase(
    campaign: Campaign, users: dict[str, object], orgs_by_code: dict[str, Org]
) -> None:
    """A few problems for the demo handler, made through the services as a user would."""
    handler = users["yaodu_handler"]
    unit = orgs_by_code["141002801"]
    area = FocusArea.objects.get(campaign=campaign, name="优化营商环境")
    pending = services.record_problem(
        campaign=campaign,
        by=handler,
        title="企业投资项目备案材料要求不统一、企业反复补件",
        focus_area=area,
        org=unit,
        kind=Kind.IMMEDIATE,
        measures=["公布统一的备案材料清单", "实行一次性告知制度"],
        responsible_leader="张伟",
        responsible_person="赵磊",
    )
    services.report_progress(
        pending, by=handler, percent=100, text="材料清单已在政务大厅和网站公布"
    )
    services.add_evidence(
        pending,
        by=handler,
        upload=io.BytesIO(_sample_pdf()),
        original_name="备案材料清单.pdf",
        note="公布的统一清单",
    )
    services.apply_to_close(
        pending, by=handler, version=pending.version, note="统一清单已公布,补件率明显下降"
    )
    services.record_problem(
        campaign=campaign,
        by=handler,
        title="项目审批“容缺受理”落实不到位",
        focus_area=area,
        org=unit,
        kind=Kind.DEADLINE,
        measures=["梳理可容缺受理事项清单", "对窗口人员开展专题培训"],
        responsible_leader="张伟",
        responsible_person="赵磊",
    )


def _sample_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def build_demo(
    scale: float = 0.02,
    seed: int = 2021,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> DemoSummary:
    today = today or timezone.localdate()
    rng = random.Random(seed)
    with transaction.atomic():
        progress("单位…")
        orgs = build_orgs(scale, rng)
        orgs_by_code = {o.code: o for o in orgs}
        campaign = build_campaign(orgs[0], today)
        users = build_users(orgs_by_code)
        progress(f"单位 {len(orgs)} 个,生成问题…")
        summary = build_problems(campaign, orgs, users, scale, rng, today, progress)
        build_showcase(campaign, users, orgs_by_code)
    summary.orgs = len(orgs)
    summary.users = [u for u, *_ in DEMO_USERS]
    return summary


def demo_exists() -> bool:
    return Campaign.objects.filter(slug=SLUG).exists()
