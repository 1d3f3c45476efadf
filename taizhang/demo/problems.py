"""The demo ledger: 270 000 problems at scale 1 whose figures reproduce the article's."""

import bisect
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.core.bulk import insert_rows, next_id, reset_sequences
from taizhang.demo import names
from taizhang.ledger import chain, tallies
from taizhang.ledger.models import (
    EVENT_COLUMNS,
    OPEN_STATUSES,
    DeclineReason,
    Dispatch,
    EventAction,
    HopState,
    Kind,
    Measure,
    NumberSequence,
    Problem,
    ProblemEvent,
    ProgressReport,
    Source,
    Status,
)
from taizhang.orgs.models import Org, OrgKind
from taizhang.workdays.calendar import is_workday

PROBLEMS_AT_SCALE_1 = 270_000
RECTIFICATION_RATE = 0.924
ON_TIME_SHARE = 0.9
BATCH = 10_000

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
# How open problems divide among the open statuses; shares of voided and merged problems.
OPEN_SHARES = {
    Status.RECTIFYING: 0.8,
    Status.PENDING: 0.12,
    Status.ASSIGNED: 0.06,
    Status.DRAFT: 0.02,
}
VOID_SHARE, MERGED_SHARE = 0.004, 0.006

PROBLEM_COLUMNS = (
    "id",
    "campaign_id",
    "number",
    "title",
    "description",
    "source",
    "focus_area_id",
    "org_id",
    "org_path",
    "responsible_leader",
    "responsible_person",
    "kind",
    "status",
    "deadline",
    "deadline_provisional",
    "progress",
    "created_by_id",
    "created_at",
    "applied_at",
    "closed_at",
    "closed_on_time",
    "closure_note",
    "sign_by",
    "version",
)
DISPATCH_COLUMNS = (
    "campaign_id",
    "problem_id",
    "org_id",
    "org_path",
    "assigned_by_id",
    "assigned_at",
    "sign_by",
    "state",
    "ended_at",
    "on_time",
    "decline_reason",
    "decline_note",
    "consult",
    "binding",
    "accepted",
    "reviewed_by_id",
    "reviewed_at",
    "review_note",
    "contact_by",
    "contacted_at",
    "contact_on_time",
    "contact_way",
    "contact_note",
    "contacted_by_id",
)
# Of the signed dispatches, the share whose citizen was contacted within the 联系时限, and
# the share contacted late (the rest not recorded).
CONTACTED_ON_TIME_SHARE, CONTACTED_LATE_SHARE = 0.85, 0.08
# What the office or a level above dispatches (the rest a unit records for itself), and the
# share of dispatches signed within their 签收时限.
DISPATCHED_SOURCES = (Source.SUGGESTION, Source.INSPECTION, Source.ASSIGNED)
SIGNED_ON_TIME_SHARE = 0.9
MEASURE_COLUMNS = ("problem_id", "order", "content", "deadline", "progress", "done_on")
REPORT_COLUMNS = ("problem_id", "reported_on", "percent", "text", "created_at")


@dataclass
class LedgerCounts:
    problems: int = 0
    events: int = 0
    measures: int = 0


class Workdays:
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


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choices(names.GIVEN, k=rng.choice((1, 2))))
    return rng.choice(names.SURNAMES) + given


def exact_statuses(total: int, rng: random.Random, staged_open: int = 0) -> list[str]:
    """Exact shares, shuffled: the rectification rate is the article's, not merely near it,
    counting the `staged_open` problems the demo adds by hand as open ones."""
    void, merged = round(total * VOID_SHARE), round(total * MERGED_SHARE)
    counted = total - void - merged
    closed = min(counted, round((counted + staged_open) * RECTIFICATION_RATE))
    open_total = counted - closed
    statuses: list[str] = [str(Status.VOID)] * void + [str(Status.MERGED)] * merged
    statuses += [Status.CLOSED] * closed
    remaining = open_total
    for status, share in OPEN_SHARES.items():
        n = remaining if status == Status.DRAFT else round(open_total * share)
        statuses += [status] * n
        remaining -= n
    rng.shuffle(statuses)
    return statuses


def _weighted(rng: random.Random, shares: dict[Any, float], k: int) -> list[Any]:
    return rng.choices(list(shares), weights=list(shares.values()), k=k)


class _Batch:
    def __init__(self, campaign_id: int) -> None:
        self.campaign_id = campaign_id
        self.problems: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.measures: list[tuple[Any, ...]] = []
        self.reports: list[tuple[Any, ...]] = []
        self.hops: list[tuple[Any, ...]] = []

    def flush(self, counts: LedgerCounts) -> None:
        insert_rows(Problem, PROBLEM_COLUMNS, self.problems)
        insert_rows(ProblemEvent, EVENT_COLUMNS, chain.sealed_rows(self.campaign_id, self.events))
        insert_rows(Measure, MEASURE_COLUMNS, self.measures)
        insert_rows(ProgressReport, REPORT_COLUMNS, self.reports)
        insert_rows(Dispatch, DISPATCH_COLUMNS, self.hops)
        counts.problems += len(self.problems)
        counts.events += len(self.events)
        counts.measures += len(self.measures)
        self.__init__(self.campaign_id)  # type: ignore[misc]


def build_ledger(
    campaign: Campaign,
    orgs: list[Org],
    office_id: int,
    scale: float,
    rng: random.Random,
    today: dt.date,
    progress: Callable[[str], None],
    staged_open: int = 0,
) -> LedgerCounts:
    total = max(60, round(PROBLEMS_AT_SCALE_1 * scale))
    areas = list(FocusArea.objects.filter(campaign=campaign))
    by_kind: dict[str, list[Org]] = {}
    for org in orgs:
        by_kind.setdefault(org.kind, []).append(org)
    owner_kinds = _weighted(rng, OWNER_SHARES, total)
    kinds = _weighted(rng, KIND_SHARES, total)
    sources = _weighted(rng, SOURCE_SHARES, total)
    statuses = exact_statuses(total, rng, staged_open)
    workdays = Workdays(campaign.starts_on - dt.timedelta(days=10), today + dt.timedelta(days=400))
    limits = campaign.rule("time_limits")
    tz = timezone.get_current_timezone()
    first_id = next_id(Problem)
    prefix = f"{campaign.slug.upper()}-"
    examine_start = campaign.starts_on + dt.timedelta(days=15)
    span_days = (today - examine_start).days - 3
    now = timezone.now()

    def at(day: dt.date, hour: int) -> dt.datetime:
        # Never later than the build: a history holds no rows from the future.
        return min(dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=tz), now)

    counts, batch = LedgerCounts(), _Batch(campaign.pk)
    # Signing times draw from a stream of their own: the ledger's draws stay as they were.
    sign_rng = random.Random(total)
    contact_rng = random.Random(total + 1)
    for i in range(total):
        pid, status, kind = first_id + i, statuses[i], kinds[i]
        area = rng.choice(areas)
        subjects, issues, measure_texts = names.TEMPLATES[area.name]
        org = rng.choice(by_kind[owner_kinds[i]])
        is_open = status in OPEN_STATUSES
        # Open problems were mostly found in the later part of the campaign.
        low = span_days // 4 if is_open else 0
        created = examine_start + dt.timedelta(days=rng.randrange(low, span_days))
        deadline = workdays.add(created, int(limits[kind]))
        created_at = at(created, 9)
        closed_at = applied_at = on_time = None
        if status == Status.CLOSED:
            latest = min(deadline, today)
            if rng.random() < ON_TIME_SHARE or deadline >= today:
                days = rng.randint(1, max(1, (latest - created).days))
                closed_day = created + dt.timedelta(days=days)
            else:
                days = rng.randint(1, max(1, (today - deadline).days))
                closed_day = deadline + dt.timedelta(days=days)
            closed_day = min(closed_day, today)
            closed_at = at(closed_day, 16)
            lead = dt.timedelta(days=rng.randint(0, 5))
            applied_at = at(max(created, closed_day - lead), 10)
            on_time = closed_day <= deadline
        elif status == Status.PENDING:
            applied_at = at(min(today, created + dt.timedelta(days=rng.randint(1, 20))), 10)
        title = f"{org.name}{rng.choice(subjects)}{rng.choice(issues)}"[:300]
        dispatched = sources[i] in DISPATCHED_SOURCES or status in (Status.ASSIGNED, Status.DRAFT)
        sign_by = workdays.add(created, 1)
        signed_at = None
        if dispatched and status not in (Status.ASSIGNED, Status.DRAFT):
            late = sign_rng.random() >= SIGNED_ON_TIME_SHARE
            sign_day = sign_by + dt.timedelta(days=sign_rng.randint(1, 4)) if late else created
            sign_day = min(sign_day, applied_at.date() if applied_at else today)
            signed_at = min(
                dt.datetime.combine(sign_day, dt.time(15, sign_rng.randrange(60)), tzinfo=tz),
                now,
            )
            if applied_at is not None:  # signed for before it could be applied to close
                signed_at = max(min(signed_at, applied_at - dt.timedelta(minutes=5)), created_at)
        percent = 0
        if status == Status.CLOSED:
            percent = 100
        elif is_open:
            percent = rng.choice((20, 40, 60, 80))
        batch.problems.append(
            (
                pid,
                campaign.pk,
                f"{prefix}{i + 1:06d}",
                title,
                f"经查摆,{title}。",
                sources[i],
                area.pk,
                org.pk,
                org.path,
                person_name(rng),
                person_name(rng),
                kind,
                status,
                deadline,
                False,
                percent,
                office_id,
                created_at,
                applied_at,
                closed_at,
                on_time,
                "已按措施完成整改,经核查验收合格。" if closed_at else "",
                sign_by if status == Status.ASSIGNED and dispatched else None,
                1,
            )
        )
        if dispatched:
            hop = _hop(campaign.pk, pid, org, office_id, created_at, sign_by, status, signed_at)
            batch.hops.append(hop + _contact(contact_rng, sign_by, signed_at))
        _history(batch, pid, status, office_id, created_at, applied_at, closed_at, signed_at)
        for order, text in enumerate(rng.sample(measure_texts, rng.choice((1, 2))), start=1):
            done_on = closed_at.date() if closed_at else None
            batch.measures.append((pid, order, text, deadline, 100 if closed_at else 0, done_on))
        if status == Status.RECTIFYING and rng.random() < 0.5:
            reported_on = min(today, created + dt.timedelta(days=7))
            text = rng.choice(names.PROGRESS_TEXTS)
            batch.reports.append((pid, reported_on, percent, text, now))
        if len(batch.problems) >= BATCH:
            batch.flush(counts)
            progress(f"问题 {counts.problems}/{total}")
    batch.flush(counts)
    _point_merged_problems(campaign)
    NumberSequence.objects.update_or_create(campaign=campaign, defaults={"last": total})
    progress("汇总统计…")
    tallies.rebuild(campaign)
    reset_sequences(Problem)
    return counts


def _hop(
    campaign_id: int,
    pid: int,
    org: Org,
    office_id: int,
    created_at: dt.datetime,
    sign_by: dt.date | None,
    status: str,
    signed_at: dt.datetime | None,
) -> tuple[Any, ...]:
    """The dispatch of a problem the office handed down: signed (on time or late), still
    waiting, or declined and taken back (the drafts)."""
    declined = status == Status.DRAFT
    if declined:
        state, ended_at, on_time = HopState.DECLINED, created_at + dt.timedelta(hours=4), None
    elif signed_at is None:
        state, ended_at, on_time = HopState.WAITING, None, None
    else:
        assert sign_by is not None  # every dispatched row has one
        state, ended_at = HopState.SIGNED, signed_at
        on_time = timezone.localtime(signed_at).date() <= sign_by
    return (
        campaign_id,
        pid,
        org.pk,
        org.path,
        office_id,
        created_at,
        sign_by,
        state,
        ended_at,
        on_time,
        DeclineReason.FUNCTION if declined else "",
        DECLINE_NOTE if declined else "",
        False,
        False,
        True if declined else None,
        office_id if declined else None,
        ended_at if declined else None,
        "同意退单,另行交办" if declined else "",
    )


def _contact(
    rng: random.Random,
    contact_by: dt.date,
    signed_at: dt.datetime | None,
) -> tuple[Any, ...]:
    """联系群众 on a signed dispatch: mostly within its 联系时限 (a working day from dispatch,
    like its 签收时限), some late, some not recorded."""
    if signed_at is None:
        return (contact_by, None, None, "", "", None)
    draw = rng.random()
    if draw < CONTACTED_ON_TIME_SHARE:
        at = signed_at + dt.timedelta(hours=rng.randint(1, 3))
    elif draw < CONTACTED_ON_TIME_SHARE + CONTACTED_LATE_SHARE:
        at = signed_at + dt.timedelta(days=rng.randint(2, 5))
    else:
        return (contact_by, None, None, "", "", None)
    at = min(at, timezone.now())
    on_time = timezone.localtime(at).date() <= contact_by
    way = "phone" if rng.random() < 0.8 else "visit"
    return (
        contact_by,
        at,
        on_time,
        way,
        "已电话联系,告知办理安排" if way == "phone" else "上门说明情况",
        None,
    )


DECLINE_NOTE = "不属于本单位职责范围"


def _history(
    batch: _Batch,
    pid: int,
    status: str,
    office_id: int,
    created_at: dt.datetime,
    applied_at: dt.datetime | None,
    closed_at: dt.datetime | None,
    signed_at: dt.datetime | None,
) -> None:
    dispatched = signed_at is not None or status in (Status.ASSIGNED, Status.DRAFT)
    first = Status.ASSIGNED if dispatched else Status.RECTIFYING
    events = batch.events
    events.append((pid, created_at, office_id, EventAction.CREATE, "", first, "", {}))
    if signed_at is not None:
        events.append(
            (pid, signed_at, None, EventAction.SIGN, Status.ASSIGNED, Status.RECTIFYING, "", {})
        )
    if status == Status.DRAFT:
        declined_at = created_at + dt.timedelta(hours=2)
        events.append(
            (pid, declined_at, None, EventAction.DECLINE, Status.ASSIGNED, Status.ASSIGNED,
             DECLINE_NOTE, {"category": DeclineReason.FUNCTION.value})
        )  # fmt: skip
        events.append(
            (pid, declined_at + dt.timedelta(hours=2), office_id, EventAction.DECLINE_ACCEPT,
             Status.ASSIGNED, Status.DRAFT, "同意退单,另行交办", {})
        )  # fmt: skip
    if applied_at:
        events.append(
            (
                pid,
                applied_at,
                None,
                EventAction.APPLY,
                Status.RECTIFYING,
                Status.PENDING,
                "",
                {},
            )
        )
    if closed_at:
        events.append(
            (
                pid,
                closed_at,
                office_id,
                EventAction.APPROVE,
                Status.PENDING,
                Status.CLOSED,
                "",
                {},
            )
        )
    if status in (Status.VOID, Status.MERGED):
        action = EventAction.VOID if status == Status.VOID else EventAction.MERGE
        reason = "经核实不属于问题" if status == Status.VOID else "与同类问题重复"
        events.append(
            (
                pid,
                created_at + dt.timedelta(days=3),
                office_id,
                action,
                Status.RECTIFYING,
                status,
                reason,
                {},
            )
        )


def _point_merged_problems(campaign: Campaign) -> None:
    """Each merged demo problem points at a closed problem of the same focus area."""
    for area in FocusArea.objects.filter(campaign=campaign):
        target = (
            Problem.objects.filter(campaign=campaign, focus_area=area, status=Status.CLOSED)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if target:
            Problem.objects.filter(campaign=campaign, status=Status.MERGED, focus_area=area).update(
                merged_into_id=target
            )
