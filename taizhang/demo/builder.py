"""The Linfen demo campaign (争先、进位、崛起 解放思想大讨论) at any scale.

Scale 1 is the article: ≈12 000 orgs and 270 000 problems, of which 92.4 % are rectified. The
campaign is replayed on today's calendar so that its open problems have live deadlines. Rows are
written in bulk (the article's size in minutes, not hours); a few showcase problems for the demo
logins go through the ledger's services like any user's would.
"""

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from taizhang.campaigns.models import Campaign, FocusArea, Phase, PhaseKind
from taizhang.catalogue import services as catalogue
from taizhang.core.bulk import next_id, reset_sequences
from taizhang.demo import names
from taizhang.demo.audit import AUDITOR, build_audit_trail
from taizhang.demo.meetings import build_meetings
from taizhang.demo.problems import build_ledger
from taizhang.demo.projects import build_projects
from taizhang.demo.suggestions import build_suggestions
from taizhang.demo.supervision import build_supervision
from taizhang.demo.triage import build_triage
from taizhang.ledger import services
from taizhang.ledger.models import DeclineReason, Kind, Source
from taizhang.orgs.models import Org, OrgKind, Role, RoleAssignment
from taizhang.search import services as search

SLUG = "linfen-2021"
CAMPAIGN_NAME = "“争先、进位、崛起”解放思想大讨论"
BRANCHES_PER_TOWNSHIP_AT_SCALE_1 = 76
TOWNSHIPS_PER_COUNTY = 9
DEMO_PASSWORD = "taizhang-demo"

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


def build_orgs(scale: float, rng: random.Random) -> list[Org]:
    branches_per_township = max(1, round(BRANCHES_PER_TOWNSHIP_AT_SCALE_1 * scale))
    next_org_id = next_id(Org)
    orgs: list[Org] = []

    def add(code: str, name: str, kind: str, parent: Org | None) -> Org:
        nonlocal next_org_id
        org = Org(
            id=next_org_id,
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            path=f"{parent.path if parent else '/'}{code}/",
            depth=parent.depth + 1 if parent else 0,
        )
        next_org_id += 1
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
    Org.objects.bulk_create(orgs, batch_size=5000)
    reset_sequences(Org)
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
        rules={
            "time_limits": {"immediate": 10, "deadline": 60, "long_term": 120},
            "closure_stages": CLOSURE_STAGES,
            # The demo's logins are for trying the product: no authenticator app needed (a
            # real campaign asks the office, leaders and admins for one by default).
            "second_factor_roles": [],
        },
    )
    FocusArea.objects.bulk_create(
        FocusArea(campaign=campaign, name=n, order=i, keywords="\n".join(names.TEMPLATES[n][0]))
        for i, n in enumerate(names.FOCUS_AREAS)
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


def build_users(orgs_by_code: dict[str, Org]) -> dict[str, Any]:
    User = get_user_model()
    users: dict[str, Any] = {}
    for username, display, role, code in DEMO_USERS:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
        user.first_name = display
        user.is_staff = role == Role.OFFICE
        user.save()
        RoleAssignment.objects.create(user=user, org=orgs_by_code[code], role=role)
        users[username] = user
    return users


# 分级审核销号 as the demo city runs it: the unit's leader first, the inspection team checks
# what it found, the level above closes.
CLOSURE_STAGES = [
    {"key": "review", "name": "初审", "who": "unit_leader", "days": 3},
    {"key": "verify", "name": "核查", "who": "inspector", "days": 5, "sources": ["inspection"]},
    {"key": "close", "name": "销号", "who": "above", "days": 5},
]

# The open problems build_showcase records through the services, besides the generated ledger.
SHOWCASE_PROBLEMS = 7


def build_showcase(
    campaign: Campaign, users: dict[str, User], orgs_by_code: dict[str, Org]
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
        upload=io.BytesIO(names.SAMPLE_PDF),
        original_name="备案材料清单.pdf",
        note="公布的统一清单",
    )
    services.apply_to_close(
        pending, by=handler, version=pending.version, note="统一清单已公布,补件率明显下降"
    )
    weekly = services.record_problem(
        campaign=campaign,
        by=handler,
        title="项目审批“容缺受理”落实不到位",
        focus_area=area,
        org=unit,
        kind=Kind.DEADLINE,
        measures=["梳理可容缺受理事项清单", "对窗口人员开展专题培训"],
        cooperating_orgs=[orgs_by_code["141002802"]],
        responsible_leader="张伟",
        responsible_person="赵磊",
    )
    # 定期调度: this one reports every Friday (the campaign leaves the rhythm to each problem).
    services.update_problem(weekly, by=handler, version=weekly.version, report_rhythm="week:5")
    # 重大紧急, handed down by the county office: waits at the top of the handler's 我的待办.
    services.record_problem(
        campaign=campaign,
        by=users["yaodu_admin"],
        title="工业园区企业反映临时停电频繁、影响正常生产",
        focus_area=area,
        org=unit,
        kind=Kind.IMMEDIATE,
        measures=["协调供电公司排查线路", "建立停电提前告知机制"],
        urgent=True,
    )
    build_catalogue(campaign, users["office"])
    build_dispatch_showcase(campaign, users, orgs_by_code)


# The demo's 派单目录: (focus area, sub-category, keywords, lead, co-operating, kind, days).
CATALOGUE = [
    ("优化营商环境", "审批服务", "审批、备案、办证、营业执照、许可", "市行政审批服务管理局",
     ("市发改委",), "immediate", 10),
    ("优化营商环境", "招商引资", "招商、落地、投资、项目", "市促进外来投资局", ("市商务局",),
     "deadline", 30),
    ("优化营商环境", "", "收费、乱收费、罚款", "市市场监管局", (), "immediate", 10),
    ("破解民生难题", "教育", "学校、入学、幼儿园、校外培训", "市教育局", (), "deadline", 20),
    ("破解民生难题", "医疗", "医院、看病、医保、药品", "市卫健委", ("市医保局",), "deadline", 20),
    ("破解民生难题", "城市管理", "路灯、积水、垃圾、占道、停车", "市城管局", ("市住建局",),
     "immediate", 5),
    ("破解民生难题", "住房", "小区、物业、电梯、供暖、房产证", "市住建局", (), "deadline", 30),
    ("破解民生难题", "", "", "市民政局", (), "", None),
]  # fmt: skip


def build_catalogue(campaign: Campaign, office: User) -> None:
    """A dispatch catalogue as a city office keeps one, in two versions (the second added the
    catch-all row for 民生 that nothing else matches)."""
    areas = {a.name: a for a in FocusArea.objects.filter(campaign=campaign)}
    units = {o.name: o for o in Org.objects.filter(parent=campaign.org)}

    def entry(row: tuple[Any, ...]) -> catalogue.EntryData:
        area, sub, words, lead, helpers, kind, days = row
        return catalogue.EntryData(
            lead_org=units[lead],
            focus_area=areas[area],
            sub_category=sub,
            keywords=words,
            cooperating=[units[h] for h in helpers],
            kind=kind,
            time_limit_days=days,
        )

    rows = [entry(row) for row in CATALOGUE]
    catalogue.publish(campaign, by=office, entries=rows[:-1], note="首次建立")
    catalogue.add_entry(campaign, by=office, entry=rows[-1])


def build_dispatch_showcase(
    campaign: Campaign, users: dict[str, User], orgs_by_code: dict[str, Org]
) -> None:
    """派单 as the office and the county see it: a problem sent on by the county, a decline
    waiting for the office's review, and a case declined twice, waiting for 会商."""
    office, county = users["office"], orgs_by_code["141002"]
    people = FocusArea.objects.get(campaign=campaign, name="破解民生难题")
    forwarded = services.record_problem(
        campaign=campaign,
        by=office,
        title="群众反映老旧小区加装电梯审批流程不清",
        focus_area=people,
        org=county,
        kind=Kind.DEADLINE,
        source=Source.ASSIGNED,
    )
    services.forward_problem(
        forwarded,
        by=users["yaodu_admin"],
        version=forwarded.version,
        org=orgs_by_code["141002801"],
        reason="涉及项目审批,请发改局牵头办理",
    )
    houma = orgs_by_code["141081803"]
    # 主办 the city's market regulator, 协办 Houma's education bureau: a part in its 我的待办.
    services.record_problem(
        campaign=campaign,
        by=office,
        title="校外培训机构预收费监管不到位、群众退费难",
        focus_area=people,
        org=Org.objects.get(parent=campaign.org, name="市市场监管局"),
        kind=Kind.DEADLINE,
        source=Source.ASSIGNED,
        cooperating_orgs=[houma],
        measures=["开展预收费专项检查", "建立退费投诉快速处理机制"],
    )
    declined = services.record_problem(
        campaign=campaign,
        by=office,
        title="校外培训机构违规收费投诉处理慢",
        focus_area=people,
        org=houma,
        kind=Kind.IMMEDIATE,
        source=Source.ASSIGNED,
    )
    services.decline_problem(
        declined,
        by=users["houma_handler"],
        version=declined.version,
        category=DeclineReason.FUNCTION,
        reason="收费投诉属市场监管部门职责,建议改派市场监管局",
    )
    twice = services.record_problem(
        campaign=campaign,
        by=office,
        title="工业园区道路积水、企业车辆通行困难",
        focus_area=FocusArea.objects.get(campaign=campaign, name="优化营商环境"),
        org=orgs_by_code["141002801"],
        kind=Kind.DEADLINE,
        source=Source.ASSIGNED,
    )
    handler = users["yaodu_handler"]
    services.decline_problem(
        twice,
        by=handler,
        version=twice.version,
        category=DeclineReason.OWNERSHIP,
        reason="园区道路权属不清,应由园区管委会或住建部门办理",
    )
    services.review_decline(
        twice, by=office, version=twice.version, accept=False, note="先行签收,协调各方办理"
    )
    services.decline_problem(
        twice,
        by=handler,
        version=twice.version,
        category=DeclineReason.OWNERSHIP,
        reason="经再次核实,道路属园区管委会管养",
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
        counts = build_ledger(
            campaign, orgs, users["office"].pk, scale, rng, today, progress, SHOWCASE_PROBLEMS
        )
        build_showcase(campaign, users, orgs_by_code)
        progress("意见建议…")
        build_suggestions(campaign, scale, rng, today)
        progress("分诊:查重索引、分类模型、热点话题…")
        build_triage(campaign)
        progress("督办、督导组、抽查、回访…")
        build_supervision(campaign, users, rng, today)
        progress("学习会议与出勤…")
        build_meetings(campaign, rng, today, users["office"].pk)
        progress("项目库…")
        build_projects(campaign, rng, today, users["office"].pk, users["yaodu_admin"].pk)
        build_audit_trail(campaign, DEMO_PASSWORD)
    progress("全文索引…")
    search.flush()
    search.optimize()
    # Fresh statistics after a bulk load, so that the query planner picks the right indexes
    # (and, on PostgreSQL, a visibility map, so that covering indexes are read alone).
    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return DemoSummary(
        orgs=len(orgs),
        problems=counts.problems,
        events=counts.events,
        measures=counts.measures,
        users=[u for u, *_ in DEMO_USERS] + [AUDITOR[0]],
    )


def demo_exists() -> bool:
    return Campaign.objects.filter(slug=SLUG).exists()
