"""The ledger list's filters, shared by the web list, the API and exports.

A figure's link is just these parameters: `figure=overdue&org=141002` lists exactly the rows
that figure counts, because both use reports.figures.figure_filter.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign
from taizhang.core import receipts
from taizhang.ledger import searchable
from taizhang.ledger.deadlines import DeadlineState, deadline_state_q
from taizhang.ledger.models import OPEN_STATUSES, UNCOUNTED_STATUSES, Kind, Problem, Source, Status
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Org
from taizhang.reports.figures import FIGURES, figure_filter
from taizhang.search import services

# What needs attention first: open problems, 重大紧急 ones first, by deadline (the overdue
# ones lead), then the closed, voided and merged ones.
ATTENTION = (
    Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1)),
    F("urgent").desc(),
    F("deadline").asc(nulls_last=True),
    "number",
)
SORTS: dict[str, Any] = {
    "attention": ATTENTION,
    "number": "number",
    "-number": "-number",
    "deadline": "deadline",
    "-deadline": "-deadline",
    "created": "created_at",
    "-created": "-created_at",
    "status": "status",
    "-status": "-status",
    "org": "org_path",
    "-org": "-org_path",
}
FILTER_KEYS = (
    "org", "own", "area", "status", "kind", "source", "deadline", "figure", "q", "imported",
    "area_proposed", "urgent",
)  # fmt: skip


@dataclass
class LedgerQuery:
    org: Org | None = None
    params: dict[str, str] = field(default_factory=dict)
    sort: str = "number"


def parse_params(campaign: Campaign, data: Any) -> LedgerQuery:
    """Validate the query string; unknown values are errors, not silently ignored."""
    params = {k: str(data.get(k, "")).strip() for k in FILTER_KEYS if str(data.get(k, "")).strip()}
    query = LedgerQuery(params=params, sort=str(data.get("sort") or "attention"))
    if query.sort not in SORTS:
        raise ValidationError(_("不支持的排序:%(s)s") % {"s": query.sort})
    if "org" in params:
        # A code, a name, an alias or the usual short name (尧都区, 尧都区发改局).
        query.org = resolve_unit(params["org"], campaign.org)
        params["org"] = query.org.code
    if "own" in params and (params["own"] != "1" or query.org is None):
        raise ValidationError(_("“仅本级”(own=1)须与单位代码一起使用。"))
    checks = {
        "status": Status.values,
        "kind": Kind.values,
        "source": Source.values,
        "deadline": DeadlineState.filterable,
        "figure": list(FIGURES),
        "area_proposed": ["1"],
        "urgent": ["1"],
    }
    for key, allowed in checks.items():
        if key in params and params[key] not in allowed:
            raise ValidationError(
                _("筛选条件 %(k)s 的值 %(v)s 无效。") % {"k": key, "v": params[key]}
            )
    # 导入销号: "all" for every problem an imported file reported done, or one import's id.
    if "imported" in params and not (params["imported"] == "all" or params["imported"].isdigit()):
        raise ValidationError(_("筛选条件 imported 的值 %(v)s 无效。") % {"v": params["imported"]})
    if "area" in params and not (
        params["area"].isdigit() and campaign.focus_areas.filter(pk=params["area"]).exists()
    ):
        raise ValidationError(_("聚焦领域 %(v)s 不存在。") % {"v": params["area"]})
    return query


def apply_filters(
    problems: QuerySet[Problem],
    campaign: Campaign,
    query: LedgerQuery,
    today: dt.date,
    *,
    counted_only: bool = False,
) -> QuerySet[Problem]:
    """The problems the query asks for. With `counted_only` (the list and its exports), like
    问题总数 they leave out voided and merged problems unless a status or a figure is asked for;
    the API lists every state, so that a tool keeping a copy sees a problem become void."""
    p = query.params
    if query.org is not None and p.get("own") == "1":
        problems = problems.filter(org_path=query.org.path)  # the unit's own, none below it
    elif query.org is not None:
        problems = problems.filter(org_path__under=query.org.path)
    if "area" in p:
        problems = problems.filter(focus_area_id=int(p["area"]))
    for key in ("status", "kind", "source"):
        if key in p:
            problems = problems.filter(**{key: p[key]})
    if "deadline" in p:
        problems = problems.filter(deadline_state_q(p["deadline"], campaign, today))
    if "figure" in p:
        problems = problems.filter(figure_filter(p["figure"], today))
    if p.get("urgent") == "1":
        problems = problems.filter(urgent=True)
    if p.get("area_proposed") == "1":
        problems = problems.filter(focus_area_proposed=True)
    if p.get("imported") == "all":
        problems = problems.filter(imported_closure__isnull=False)
    elif "imported" in p:
        problems = problems.filter(imported_closure_id=int(p["imported"]))
    if "q" in p:
        text = p["q"].strip()
        if services.pending():
            services.flush(budget=500)  # what was just written, before the index is asked
        # Every field through the full-text index (编号 included: its pieces are indexed).
        matching = searchable.matching(campaign, text)
        found = Q(pk__in=RawSQL(*matching)) if matching is not None else Q(pk__in=[])
        code = receipts.normalise(text)
        if code is not None:  # a suggestion's receipt code finds the problems it became
            made = Problem.objects.filter(campaign=campaign, suggestions__receipt_code=code)
            found |= Q(pk__in=list(made.values_list("pk", flat=True)))
        problems = problems.filter(found)
    if counted_only and not p.get("status") and not p.get("figure"):
        problems = problems.exclude(status__in=UNCOUNTED_STATUSES)
    order = SORTS[query.sort]
    return problems.order_by(*(order if isinstance(order, tuple) else (order,)), "pk")
