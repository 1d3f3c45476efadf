"""The project pipeline's figures (项目库), defined once: each count is a filter over a year's
active projects, each sum is over the same rows, and every figure links to the list that
applies the same filter (so the count and the list agree by construction).

- projects_total 项目数: active projects of the year (void ones are not counted)
- investment_total_yi 总投资, investment_annual_planned_yi 年度计划投资,
  investment_annual_done_yi 年度完成投资: sums in 亿元 (the rows are kept in 万元)
- annual_investment_rate 年度投资完成率 = annual done / annual planned
- signed_rate 签约率 = signed or later / total; started_rate 开工率 = started or later / total
- projects_behind 滞后: `projects.schedule.behind_q`; projects_unreported 未按时报送:
  `projects.schedule.late_q`; projects_pending 待确认: a stage change awaits the level above
"""

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import ProblemTally
from taizhang.orgs.models import Org, OrgKind
from taizhang.orgs.scoping import scope_of
from taizhang.projects.models import (
    ChangeStatus,
    Pool,
    Project,
    ProjectEvent,
    ProjectKind,
    ProjectStatus,
    Stage,
    StageChange,
    stages_from,
)
from taizhang.projects.schedule import behind_q, late_q
from taizhang.projects.services import visible_projects
from taizhang.reports.figures import child_path_expression, newest_ids, percent

COUNT_LABELS = {
    "projects_total": _("项目数"),
    "projects_signed": _("已签约"),
    "projects_started": _("已开工"),
    "projects_completed": _("已投产(竣工)"),
    "projects_behind": _("滞后"),
    "projects_unreported": _("未按时报送"),
    "projects_pending": _("阶段待确认"),
}
SUM_FIELDS = {
    "investment_total_yi": "investment_total",
    "investment_annual_planned_yi": "investment_annual",
    "investment_annual_done_yi": "done_year",
}
YI = Decimal(10000)  # 万元 in one 亿元
KIND_ORDER: list[str] = [
    OrgKind.COUNTY,
    OrgKind.ZONE,
    OrgKind.DEPARTMENT,
    OrgKind.TOWNSHIP,
    OrgKind.VILLAGE,
]


def _unit_order(org: Org) -> tuple[int, str]:
    kind = KIND_ORDER.index(org.kind) if org.kind in KIND_ORDER else len(KIND_ORDER)
    return kind, org.code


def count_filters(campaign: Campaign, year: int, today: dt.date) -> dict[str, Q]:
    pending = StageChange.objects.filter(status=ChangeStatus.PENDING).values("project_id")
    return {
        "projects_total": Q(),
        "projects_signed": Q(stage__in=stages_from(Stage.SIGNED)),
        "projects_started": Q(stage__in=stages_from(Stage.STARTED)),
        "projects_completed": Q(stage=Stage.COMPLETED),
        "projects_behind": behind_q(campaign, year, today),
        "projects_unreported": late_q(campaign, today),
        "projects_pending": Q(pk__in=pending),
    }


def projects_year(campaign: Campaign, today: dt.date) -> int:
    """The year the figures are about: this year if it has projects, else the latest that has."""
    rows = Project.objects.filter(campaign=campaign).order_by()
    years = set(rows.values_list("year", flat=True).distinct())
    if not years or today.year in years:
        return today.year
    return max(y for y in years if y <= today.year) if min(years) <= today.year else min(years)


def year_projects(campaign: Campaign, year: int, user: object | None = None) -> QuerySet[Project]:
    """The rows every figure counts: the year's active projects the reader sees."""
    rows = (
        visible_projects(user, campaign)
        if user is not None
        else Project.objects.filter(campaign=campaign)
    )
    return rows.filter(year=year, status=ProjectStatus.ACTIVE)


def _aggregates(filters: Mapping[str, Q]) -> dict[str, Any]:
    counts: dict[str, Any] = {name: Count("pk", filter=q) for name, q in filters.items()}
    sums = {name: Sum(field) for name, field in SUM_FIELDS.items()}
    return {**counts, **sums}


def _figures(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {name: int(row.get(name) or 0) for name in COUNT_LABELS}
    for name in SUM_FIELDS:
        out[name] = float(((row.get(name) or Decimal(0)) / YI).quantize(Decimal("0.01")))
    done = row.get("investment_annual_done_yi") or Decimal(0)
    planned = row.get("investment_annual_planned_yi") or Decimal(0)
    out["annual_investment_rate"] = percent_of(done, planned)
    out["signed_rate"] = percent(out["projects_signed"], out["projects_total"])
    out["started_rate"] = percent(out["projects_started"], out["projects_total"])
    return out


CELL_FIELDS = ("pool", "stage", "child")


def _cells(
    rows: QuerySet[Project], fields: Sequence[str], filters: Mapping[str, Q], org: Org
) -> list[dict[str, Any]]:
    """One grouped query: the counts and sums of each combination of `fields` (pool, stage
    and child unit make at most a few hundred); each cut is then the sum of its cells."""
    return list(
        rows.annotate(child=child_path_expression(org.path))
        .values(*fields)
        .annotate(**_aggregates(filters))
        .order_by()
    )


def _sum_cells(cells: list[dict[str, Any]], key: str | None) -> dict[Any, dict[str, Any]]:
    totals: dict[Any, dict[str, Any]] = {}
    names = [*COUNT_LABELS, *SUM_FIELDS]
    for cell in cells:
        target = totals.setdefault(cell[key] if key else None, dict.fromkeys(names, 0))
        for name in names:
            target[name] += cell[name] or 0
    return {group: _figures(values) for group, values in totals.items()}


def project_figures(
    campaign: Campaign,
    org: Org | None = None,
    *,
    user: object | None = None,
    today: dt.date | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """The figures of `org`'s subtree (default: the campaign's), with their cuts by pool,
    stage, kind, industry and the units directly below."""
    today = today or timezone.localdate()
    org = org or campaign.org
    year = year or projects_year(campaign, today)
    filters = count_filters(campaign, year, today)
    rows = year_projects(campaign, year, user).filter(org_path__under=org.path)
    cells = _cells(rows, CELL_FIELDS, filters, org)
    empty = _figures({})
    overall = _sum_cells(cells, None).get(None, empty)
    by_pool, by_stage, by_child = (_sum_cells(cells, key) for key in CELL_FIELDS)
    by_kind = _sum_cells(_cells(rows, ["kind"], filters, org), "kind")
    by_industry = _sum_cells(_cells(rows, ["industry"], filters, org), "industry")
    # Units of one kind together (counties and zones, then departments …), as rankings are.
    below = sorted(Org.objects.filter(parent=org), key=_unit_order)
    children = [org, *below]
    return {
        "year": year,
        **overall,
        "by_pool": {p.value: {"name": str(p.label), **by_pool.get(p.value, empty)} for p in Pool},
        "by_stage": {
            s.value: {"name": str(s.label), **by_stage.get(s.value, empty)} for s in Stage
        },
        "by_kind": {
            k.value: {"name": str(k.label), **by_kind.get(k.value, empty)} for k in ProjectKind
        },
        "by_industry": {name or "": figures for name, figures in sorted(by_industry.items())},
        "by_org": {
            c.code: {"name": c.name, "kind": c.kind, **by_child[c.path]}
            for c in children
            if c.path in by_child
        },
    }


def pipeline_version() -> tuple[int, ...]:
    """Changes whenever a project figure can: every project write appends a history line, and
    a unit moved in the tree rebuilds the ledger's tallies (new rows)."""
    return newest_ids(ProjectEvent, ProblemTally)


def held_project_figures(
    campaign: Campaign, org: Org, *, user: object, today: dt.date, year: int | None = None
) -> dict[str, Any]:
    """`project_figures` for a page: computed once per pipeline version, day, year, unit, the
    reader's scope, the rules they depend on and the names of the units shown, so a page view
    reads the projects only after they changed (and always equals a fresh count)."""
    year = year or projects_year(campaign, today)
    whole = scope_of(user).reaches(org.path)
    shown = list(org.children.values_list("pk", "code", "name", "kind"))
    rules = (campaign.rule("project_report_day"), campaign.rule("project_behind_tolerance"))
    named = hashlib.sha1(repr((shown, rules)).encode()).hexdigest()[:12]
    key = "projects:{}:{}:{}:{}:{}:{}:{}:{}".format(
        campaign.pk, org.pk, today.isoformat(), year, "all" if whole else getattr(user, "pk", 0),
        named, *pipeline_version(),
    )  # fmt: skip
    hit = cache.get(key)
    if hit is None:
        hit = project_figures(campaign, org, user=user, today=today, year=year)
        cache.set(key, hit, timeout=600)
    return hit


def figure_rows(
    campaign: Campaign,
    user: object,
    *,
    year: int,
    today: dt.date,
    figure: str = "projects_total",
    org: Org | None = None,
    **cuts: str,
) -> QuerySet[Project]:
    """The rows behind a figure: what the project list shows for these parameters."""
    rows = year_projects(campaign, year, user)
    if org is not None:
        rows = rows.filter(org_path__under=org.path)
    filters = count_filters(campaign, year, today)
    rows = rows.filter(filters.get(figure, Q()))
    wanted = {k: v for k, v in cuts.items() if k in ("pool", "stage", "kind", "industry") and v}
    if wanted.get("industry") == "-":  # the projects that name no industry
        wanted["industry"] = ""
    return rows.filter(**wanted)


def percent_of(part: Decimal, whole: Decimal) -> float | None:
    """A rate of two amounts, with one decimal, as every rate (None when nothing is planned)."""
    return round(float(100 * part / whole), 1) if whole else None
