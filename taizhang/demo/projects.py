"""The demo's project pipeline at the article's scale: 1 031 projects worth 4 190亿 with 907亿
planned this year across the city, of which 34 worth 175.8亿 in the economic development zone;
monthly reports up to the month now being collected, a few projects behind or late, stage
changes waiting for confirmation, and obstacles linked to ledger problems."""

import datetime as dt
import io
import random
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.demo import names
from taizhang.ledger.evidence_files import check_and_store
from taizhang.ledger.models import Problem
from taizhang.orgs.models import Org, OrgKind
from taizhang.projects.models import (
    STAGES,
    Need,
    Pool,
    Project,
    ProjectEvent,
    ProjectKind,
    ProjectReport,
    Stage,
    StageChange,
    StageEvidence,
)
from taizhang.projects.schedule import late_month, owed_month

CITY_PROJECTS = 1031
CITY_TOTAL = Decimal("41900000")  # 万元: 4 190亿
CITY_ANNUAL = Decimal("9070000")  # 907亿
ZONE_CODE = "141071"
ZONE_PROJECTS = 34
ZONE_TOTAL = Decimal("1758000")  # 175.8亿

INVESTING_DEPARTMENTS = ("市发改委", "市促进外来投资局", "市交通运输局", "市住建局")
INDUSTRIES = [
    ("装备制造", ProjectKind.INDUSTRY), ("新材料", ProjectKind.INDUSTRY),
    ("现代煤化工", ProjectKind.INDUSTRY), ("新能源", ProjectKind.INDUSTRY),
    ("数字经济", ProjectKind.INDUSTRY), ("现代农业", ProjectKind.INDUSTRY),
    ("现代物流", ProjectKind.INDUSTRY), ("交通", ProjectKind.INFRASTRUCTURE),
    ("水利", ProjectKind.INFRASTRUCTURE), ("市政", ProjectKind.INFRASTRUCTURE),
    ("城市更新", ProjectKind.LIVELIHOOD), ("保障性住房", ProjectKind.LIVELIHOOD),
    ("教育", ProjectKind.SOCIAL), ("医疗卫生", ProjectKind.SOCIAL),
    ("文化旅游", ProjectKind.SOCIAL), ("生态环保", ProjectKind.ECOLOGY),
]  # fmt: skip
WHAT = {
    "装备制造": ["智能装备产业园", "高端铸造", "煤机装备再制造"],
    "新材料": ["年产10万吨碳基新材料", "特种钢材深加工", "铝基新材料"],
    "现代煤化工": ["焦化升级改造", "焦炉煤气综合利用", "煤焦油深加工"],
    "新能源": ["光伏发电", "风电场", "氢能示范", "储能电站"],
    "数字经济": ["大数据中心", "5G基站建设", "智慧城市"],
    "现代农业": ["现代农业产业园", "设施蔬菜基地", "农产品冷链仓储"],
    "现代物流": ["物流园区", "陆港物流枢纽"],
    "交通": ["国道改线", "城市快速路", "县乡公路提质改造"],
    "水利": ["水库除险加固", "灌区续建配套", "汾河生态治理"],
    "市政": ["污水处理厂提标", "集中供热管网", "城区道路改造"],
    "城市更新": ["老旧小区改造", "城中村改造"],
    "保障性住房": ["保障性租赁住房", "棚户区改造"],
    "教育": ["中学新建", "职业教育实训基地", "幼儿园新建"],
    "医疗卫生": ["人民医院新院区", "疾控中心", "中医院门诊楼"],
    "文化旅游": ["景区提升", "历史文化街区", "全域旅游服务中心"],
    "生态环保": ["矿山生态修复", "固废综合利用", "黄河流域生态保护"],
}
STAGE_WEIGHTS = [(Stage.PLANNING, 8), (Stage.RESERVE, 12), (Stage.SIGNED, 12),
                 (Stage.STARTED, 50), (Stage.COMPLETED, 18)]  # fmt: skip
POOL_WEIGHTS = [(Pool.KEY, 62), (Pool.INVESTMENT, 20), (Pool.NEGOTIATING, 9), (Pool.SIGNING, 9)]
PROGRESS = {
    Stage.PLANNING: ["完成项目建议书编制", "开展前期调研论证", "对接意向投资方"],
    Stage.RESERVE: ["可研报告编制中", "办理用地预审", "环评公示中"],
    Stage.SIGNED: ["已签订投资协议,办理前期手续", "完成立项备案,等待施工许可"],
    Stage.STARTED: ["主体工程施工中", "完成基础工程,正在钢结构吊装", "设备安装调试中",
                    "土建完成70%"],
    Stage.COMPLETED: ["已竣工投产,正在达产", "完成竣工验收,投入使用"],
}  # fmt: skip


def _split(total: Decimal, weights: list[float]) -> list[Decimal]:
    """`total` in parts proportional to `weights`, to the cent, summing exactly."""
    whole = sum(weights)
    parts = [(total * Decimal(w / whole)).quantize(Decimal("0.01")) for w in weights]
    parts[max(range(len(parts)), key=parts.__getitem__)] += total - sum(parts)
    return parts


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in weighted], [w for _k, w in weighted])[0]


def build_projects(
    campaign: Campaign, rng: random.Random, today: dt.date, by_id: int, requester_id: int
) -> int:
    city = campaign.org
    zone = Org.objects.get(code=ZONE_CODE)
    owners = list(
        Org.objects.filter(parent=city, kind__in=(OrgKind.COUNTY, OrgKind.ZONE))
        .exclude(pk=zone.pk)
        .order_by("code")
    )
    departments = list(
        Org.objects.filter(parent=city, kind=OrgKind.DEPARTMENT, name__in=INVESTING_DEPARTMENTS)
    )
    others = CITY_PROJECTS - ZONE_PROJECTS
    orgs = [zone] * ZONE_PROJECTS + [
        rng.choice(departments) if rng.random() < 0.06 else rng.choice(owners)
        for _ in range(others)
    ]
    sizes = [rng.lognormvariate(0, 1.1) for _ in orgs]
    totals = _split(ZONE_TOTAL, sizes[:ZONE_PROJECTS]) + _split(
        CITY_TOTAL - ZONE_TOTAL, sizes[ZONE_PROJECTS:]
    )
    pools = [_pick(rng, POOL_WEIGHTS) for _ in orgs]
    stages = [
        rng.choice([Stage.PLANNING, Stage.RESERVE]) if pool == Pool.NEGOTIATING
        else _pick(rng, STAGE_WEIGHTS)
        for pool in pools
    ]  # fmt: skip
    # This year's plan is spread over the projects past 谋划, in proportion to their size.
    weights = [
        0.0 if stage == Stage.PLANNING else float(total) * rng.uniform(0.1, 0.4)
        for total, stage in zip(totals, stages, strict=True)
    ]
    annuals = _split(CITY_ANNUAL, weights)
    year = today.year
    owed = owed_month(campaign, today)
    late = late_month(campaign, today)
    now = timezone.now()
    created_at = timezone.make_aware(dt.datetime(year, 1, 10, 9, 0))
    projects: list[Project] = []
    rows = zip(orgs, totals, annuals, pools, stages, strict=True)
    for i, (org, total, annual, pool, stage) in enumerate(rows, start=1):
        industry, kind = rng.choice(INDUSTRIES)
        place = org.name.replace("临汾", "")
        started = STAGES.index(stage) >= STAGES.index(Stage.STARTED)
        if started:
            start_planned = dt.date(year, rng.randint(2, 10), 1)
        elif rng.random() < 0.1:  # a few that should have started by now
            start_planned = dt.date(year, rng.randint(6, 10), 1)
        else:
            start_planned = dt.date(year + 1, rng.randint(1, 6), 1)
        signed_on = min(today, start_planned) - dt.timedelta(days=rng.randint(20, 120))
        projects.append(
            Project(
                campaign=campaign,
                year=year,
                number=f"XM{year}-{i:04d}",
                name=f"{place}{rng.choice(WHAT[industry])}项目",
                org=org,
                org_path=org.path,
                leader=rng.choice(names.SURNAMES) + rng.choice(("副市长", "常务副市长", "副县长")),
                industry=industry,
                kind=kind,
                pool=pool,
                stage=stage,
                investment_total=total,
                investment_annual=min(annual, total),
                location=place,
                start_planned=start_planned,
                finish_planned=dt.date(year + rng.randint(1, 3), 12, 31)
                if stage != Stage.COMPLETED
                else dt.date(year, 11, 30),
                signed_on=signed_on if STAGES.index(stage) >= STAGES.index(Stage.SIGNED) else None,
                started_on=start_planned if started else None,
                finished_on=dt.date(year, rng.randint(6, 11), 28)
                if stage == Stage.COMPLETED
                else None,
                needs=",".join(rng.sample(list(Need.values)[:4], rng.randint(0, 2))),
                created_at=created_at,
                created_by_id=by_id,
            )
        )
    Project.objects.bulk_create(projects, batch_size=2000)
    reports: list[ProjectReport] = []
    months = []
    month = dt.date(year, 1, 1)
    while month <= owed:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    for p in projects:
        pace = rng.choice([0.6, 0.85, 0.95, 0.98, 1.0, 1.0, 1.02, 1.05, 1.1, 1.0])
        upto = [m for m in months if m <= late or rng.random() < 0.4]
        if rng.random() < 0.04:
            upto = [m for m in upto if m < late]  # a few late with their last report
        done_year = Decimal(0)
        for m in upto:
            amount = (p.investment_annual / 12 * Decimal(pace * rng.uniform(0.7, 1.3))).quantize(
                Decimal("0.01")
            )
            amount = min(amount, p.investment_total - done_year)
            done_year += amount
            reports.append(
                ProjectReport(
                    project=p, month=m, done=amount, stage=p.stage,
                    progress_note=rng.choice(PROGRESS[Stage(p.stage)]),
                    reported_by_id=by_id, reported_at=now,
                )
            )  # fmt: skip
        p.done_year = p.done_total = done_year
        p.last_month = upto[-1] if upto else None
        p.progress_note = reports[-1].progress_note if upto else ""
    ProjectReport.objects.bulk_create(reports, batch_size=5000)
    Project.objects.bulk_update(
        projects, ["done_year", "done_total", "last_month", "progress_note"], batch_size=2000
    )
    ProjectEvent.objects.bulk_create(
        (ProjectEvent(project=p, action="imported", by_id=by_id, at=created_at) for p in projects),
        batch_size=5000,
    )
    _pending_changes(projects, rng, today, requester_id)
    _obstacles(campaign, projects, rng)
    return len(projects)


def _pending_changes(
    projects: list[Project], rng: random.Random, today: dt.date, by_id: int
) -> None:
    """Signed projects of 尧都区 whose start its liaison applied to confirm."""
    signed = [p for p in projects if p.stage == Stage.SIGNED and p.org.code == "141002"][:8]
    for p in signed:
        change = StageChange.objects.create(
            project=p, from_stage=p.stage, to_stage=Stage.STARTED,
            on=today - dt.timedelta(days=rng.randint(1, 20)), note="主体工程已开工",
            requested_by_id=by_id, requested_at=timezone.now(),
        )  # fmt: skip
        checked = check_and_store(io.BytesIO(names.SAMPLE_PDF), "施工许可证.pdf", 20)
        StageEvidence.objects.create(
            change=change, stored_name=checked.stored_name, original_name="施工许可证.pdf",
            file_type=checked.file_type, size=checked.size, sha256=checked.sha256,
        )  # fmt: skip


def _obstacles(campaign: Campaign, projects: list[Project], rng: random.Random) -> None:
    """Link some projects to open problems of their unit's ledger (要素保障问题)."""
    by_org: dict[int, list[int]] = {}
    units = (OrgKind.COUNTY, OrgKind.ZONE, OrgKind.DEPARTMENT)
    problems = Problem.objects.filter(campaign=campaign, org__kind__in=units)
    for pk, org_id in problems.values_list("pk", "org_id")[:5000]:
        by_org.setdefault(org_id, []).append(pk)
    links = []
    for p in rng.sample(projects, min(60, len(projects))):
        candidates = by_org.get(p.org_id)
        if candidates:
            links.append(
                Project.obstacles.through(project_id=p.pk, problem_id=rng.choice(candidates))
            )
    Project.obstacles.through.objects.bulk_create(links, ignore_conflicts=True)
