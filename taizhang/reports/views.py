import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from taizhang.audit.services import record_export
from taizhang.campaigns.access import (
    campaign_for,
    handles_suggestions,
    home_org,
    reached_org,
    reader_org,
)
from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.core import params
from taizhang.core.typing import AuthedRequest
from taizhang.evaluation.models import Snapshot
from taizhang.intake.privacy import mask_numbers_in_text
from taizhang.ledger.models import Kind, ProblemEvent, ProblemTally, Source
from taizhang.orgs.models import Org, OrgKind, Role
from taizhang.orgs.scoping import scope_of
from taizhang.projects.models import Project
from taizhang.reports import history
from taizhang.reports.brief import FORMATS, make_brief
from taizhang.reports.charts import chart_data
from taizhang.reports.figures import FIGURE_LABELS, Breakdown, Figures, newest_ids
from taizhang.reports.handling import (
    HOP_FIGURE_LABELS,
    HOP_FIGURES,
    PART_FIGURE_LABELS,
    PART_FIGURES,
    REPORT_FIGURE_LABELS,
    handling_figures,
    hop_rows,
    report_rows,
)
from taizhang.reports.hotline import HOTLINE_FIGURE_LABELS, RESPONSE_FIGURES, hotline_rows
from taizhang.reports.links import rate_cell
from taizhang.reports.projects import held_project_figures
from taizhang.reports.ranking import ranking, ranking_kinds
from taizhang.reports.stats import child_rows, org_breakdown
from taizhang.sheets.workbook import download

HEADLINE = ["problems_total", "problems_rectified", "problems_open", "problems_pending", "overdue"]


def ledger_version() -> tuple[int, ...]:
    """Changes whenever a figure can: every ledger write appends an event, every rebuild of the
    tallies (after a unit moves in the tree) writes new rows, every frozen day a snapshot."""
    return newest_ids(ProblemEvent, ProblemTally, Snapshot)


def _figures_and_charts(
    request: HttpRequest, campaign: Campaign, org: Org, areas: list[FocusArea], today: dt.date
) -> tuple[str, Breakdown, dict[str, Any]]:
    """The overview's figures, computed once per ledger version, day, unit, reader's scope and
    the names of the areas and child units shown (so a page view reads the ledger only after it
    changed), and always equal to a fresh count."""
    whole = scope_of(request.user).reaches(org.path)
    shown = [(a.pk, a.name) for a in areas], list(org.children.values_list("pk", "code", "name"))
    named = hashlib.sha1(repr(shown).encode()).hexdigest()[:12]
    # The charts carry their words: each language has its own copy.
    key = "overview:{}:{}:{}:{}:{}:{}:{}:{}:{}".format(
        campaign.pk, org.pk, today.isoformat(), "all" if whole else request.user.pk, named,
        get_language(), *ledger_version(),
    )  # fmt: skip
    hit = cache.get(key)
    if hit is not None:
        return key, *hit
    breakdown = org_breakdown(campaign, org, today, request.user)
    children = child_rows(org, breakdown)
    value = (breakdown, chart_data(campaign, org, breakdown, children, areas, today))
    cache.set(key, value, timeout=600)
    return key, *value


@login_required
def campaign_overview(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    today = timezone.localdate()
    asked = None
    if request.GET.get("org"):
        asked = Org.objects.filter(code=request.GET["org"], path__under=campaign.org.path).first()
    org, whole = reader_org(request.user, campaign, asked)
    areas = list(FocusArea.objects.filter(campaign=campaign))
    figures_key, breakdown, charts = _figures_and_charts(request, campaign, org, areas, today)
    if not whole:
        charts = {**charts, "trend": []}  # the frozen and rebuilt trend counts the whole unit
    overall = breakdown.overall
    children = child_rows(org, breakdown)
    children.sort(
        key=lambda row: (row[1].rectification_rate is None, -(row[1].rectification_rate or 0))
    )
    # One index probe per child unit (a township has hundreds of branches below it).
    drillable = set(
        Org.objects.filter(pk__in=[child.pk for child, _ in children])
        .filter(Exists(Org.objects.filter(parent=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    scope = scope_of(request.user)
    breadcrumbs = [
        (o, scope.reaches(o.path))
        for o in Org.objects.filter(
            code__in=org.ancestor_codes(), path__under=campaign.org.path
        ).order_by("depth")
    ]
    return render(
        request,
        "reports/wall.html" if request.GET.get("wall") == "1" else "reports/overview.html",
        {
            "campaign": campaign,
            "org": org,
            "whole": whole,
            "today": today,
            "breadcrumbs": breadcrumbs,
            "overall": overall,
            "headline": [(k, FIGURE_LABELS[k], getattr(overall, k)) for k in HEADLINE],
            "by_area": [(a, breakdown.by_area.get(a.pk, Figures())) for a in areas],
            "by_kind": [(k, breakdown.by_kind.get(k.value, Figures())) for k in Kind],
            "by_source": [(s, breakdown.by_source.get(s.value, Figures())) for s in Source],
            "list_base": reverse("problem_list", args=[campaign.slug]),
            "children": children,
            "drillable": drillable,
            "phases": campaign.phases.all(),
            "charts": charts,
            "trend": charts["trend"],
            "wall": request.GET.get("wall") == "1",
            "projects": held_project_figures(campaign, org, user=request.user, today=today)
            if Project.objects.filter(campaign=campaign).exists()
            else None,
            # The page's figures, tables and charts are rendered once for the same figures and
            # the same tree and areas (the template caches that part under this key).
            "body_key": (figures_key, sorted(drillable)),
        },
    )


@login_required
def brief(request: AuthedRequest, slug: str) -> HttpResponse | FileResponse:
    """The brief of the latest frozen day (or ?day=), in the format asked for, to download."""
    campaign = campaign_for(request.user, slug)
    if not scope_of(request.user).reaches(campaign.org.path, (Role.OFFICE, Role.LEADER)):
        raise PermissionDenied
    fmt = request.GET.get("format", "docx")
    if fmt not in FORMATS:
        raise Http404
    days = Snapshot.objects.filter(campaign=campaign, org=campaign.org).order_by("-day")
    try:
        day = params.date(request.GET.get("day"), label=_("日期"))
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    if day is not None:
        days = days.filter(day=day)
    snapshot = days.first()
    if snapshot is None:
        raise Http404
    record_export(f"工作通报 {snapshot.day}", rows=1, fmt=fmt)
    try:
        return download(
            f"{campaign.name}工作通报-{snapshot.day:%Y%m%d}.{fmt}",
            lambda out: make_brief(campaign, snapshot.day, fmt, out),
            issued_to=request.user,
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")


COMPONENT_LABELS = {
    "rectification_rate": gettext_lazy("整改率"),
    "on_time_rate": gettext_lazy("按期整改率"),
    "satisfaction_rate": gettext_lazy("满意率"),
    "spot_check_pass_rate": gettext_lazy("抽查通过率"),
    "notice_reply_rate": gettext_lazy("督办按期回复率"),
    "hotline_response_rate": gettext_lazy("响应率"),
    "hotline_solve_rate": gettext_lazy("解决率"),
}


def _ranking(campaign: Any, parent: Org, kind: str | None) -> list[dict[str, Any]]:
    """Held per ledger version and day like the overview's figures, and for a minute at most:
    replies to notices, spot checks that pass and call-back ratings write no ledger event."""
    today = timezone.localdate()
    key = f"ranking:{campaign.pk}:{parent.pk}:{kind}:{today}:" + ":".join(
        map(str, ledger_version())
    )
    rows = cache.get(key)
    if rows is None:
        rows = ranking(campaign, parent, today, kind=kind)
        cache.set(key, rows, timeout=60)
    return rows


@login_required
def ranking_page(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    parent = home_org(request.user, campaign)
    if request.GET.get("org"):
        parent = get_object_or_404(Org, code=request.GET["org"])
    if not parent.path.startswith(campaign.org.path) or not scope_of(request.user).reaches(
        parent.path
    ):
        raise Http404
    kinds = ranking_kinds(parent)
    kind = request.GET.get("kind") if request.GET.get("kind") in kinds else None
    kind = kind or (kinds[0] if kinds else None)
    rows = _ranking(campaign, parent, kind)
    for row in rows:
        row["links"] = {
            key: rate_cell(campaign, row["org"], key, part, whole)
            for key, (part, whole) in row["parts"].items()
        }
    return render(
        request,
        "reports/ranking.html",
        {
            "campaign": campaign,
            "parent": parent,
            "rows": rows,
            "kinds": [(k, OrgKind(k).label) for k in kinds],
            "kind": kind,
            "weights": [
                (COMPONENT_LABELS.get(k, k), w) for k, w in campaign.rule("ranking_weights").items()
            ],
            "components": list(COMPONENT_LABELS.items()),
            "threshold": 100 * float(campaign.rule("ranking_threshold")),
            "min_sample": campaign.rule("ranking_min_sample"),
            "below": [r for r in rows if r["below_threshold"]],
        },
    )


# The table's columns in order: a rate, or a count linked to its hops.
HANDLING_COLUMNS = [
    ("dispatched", HOP_FIGURE_LABELS["dispatched"], False),
    ("signed_on_time_rate", gettext_lazy("按时签收率"), True),
    *((name, HOP_FIGURE_LABELS[name], False)
      for name in ("sign_due", "signed_on_time", "signed_late", "waiting_late")),
    ("decline_rate", gettext_lazy("退单率"), True),
    *((name, HOP_FIGURE_LABELS[name], False)
      for name in ("declined", "reassigned", "rejected", "consulted")),
    ("parts", PART_FIGURE_LABELS["parts"], False),
    ("parts_on_time_rate", gettext_lazy("协办按期率"), True),
    *((name, PART_FIGURE_LABELS[name], False)
      for name in ("parts_due", "parts_on_time", "parts_late", "parts_waived")),
    ("reports_on_time_rate", gettext_lazy("按时报送率"), True),
    *((name, label, False) for name, label in REPORT_FIGURE_LABELS.items()),
    ("hotline_response_rate", gettext_lazy("响应率"), True),
    *((name, HOTLINE_FIGURE_LABELS[name], False)
      for name in ("hotline_response_due", "hotline_responded", "hotline_response_late")),
    ("hotline_solve_rate", gettext_lazy("解决率"), True),
    *((name, HOTLINE_FIGURE_LABELS[name], False)
      for name in ("hotline_total", "hotline_solve_asked", "hotline_solved")),
    ("hotline_satisfaction_rate", gettext_lazy("满意率"), True),
    *((name, HOTLINE_FIGURE_LABELS[name], False)
      for name in ("hotline_ratings", "hotline_satisfied")),
]  # fmt: skip
HOTLINE_RATES = ("hotline_response_rate", "hotline_solve_rate", "hotline_satisfaction_rate")


def _handling_org(request: HttpRequest, campaign: Campaign) -> Org:
    return reached_org(request.user, campaign, request.GET.get("org"))


@login_required
def handling_page(request: AuthedRequest, slug: str) -> HttpResponse:
    """派单签收: how each unit below takes up what is dispatched to it."""
    campaign = campaign_for(request.user, slug)
    org = _handling_org(request, campaign)
    today = timezone.localdate()
    figures = handling_figures(campaign, org, today)
    # One query for which units below have units of their own (a link to drill into).
    children = {
        c.code: c
        for c in org.children.annotate(  # type: ignore[attr-defined]
            drillable=Exists(Org.objects.filter(parent=OuterRef("pk")))
        )
    }
    return render(
        request,
        "reports/handling.html",
        {
            "campaign": campaign,
            "org": org,
            "today": today,
            "overall": figures,
            "rows": [(children[code], row) for code, row in figures["by_org"].items()],
            "columns": HANDLING_COLUMNS,
            "definitions": [
                (label, figures["definitions"][name])
                for name, label, _is_rate in HANDLING_COLUMNS
                if name in HOTLINE_RATES
            ],
        },
    )


@login_required
def handling_rows(request: AuthedRequest, slug: str) -> HttpResponse:
    """The hops behind one figure of one unit, each linked to its problem."""
    campaign = campaign_for(request.user, slug)
    org = _handling_org(request, campaign)
    figure = request.GET.get("figure", "")
    today = timezone.localdate()
    if figure in REPORT_FIGURE_LABELS:
        problems = report_rows(campaign, org.path, figure, today).select_related("org")
        return render(
            request,
            "reports/handling_problems.html",
            {
                "campaign": campaign,
                "org": org,
                "label": REPORT_FIGURE_LABELS[figure],
                "figure": figure,
                "page": Paginator(problems.order_by("deadline", "pk"), 50).get_page(
                    request.GET.get("page")
                ),
            },
        )
    if figure in HOTLINE_FIGURE_LABELS and figure not in RESPONSE_FIGURES:
        return _hotline_suggestions(request, campaign, org, figure, today)
    if figure not in HOP_FIGURES and figure not in PART_FIGURES and figure not in RESPONSE_FIGURES:
        raise Http404
    is_part = figure in PART_FIGURES
    if figure in RESPONSE_FIGURES:
        rows = hotline_rows(campaign, org, figure, today).select_related("problem", "org")
    else:
        rows = hop_rows(campaign, org, figure, today).select_related("problem", "org")
    rows = rows.order_by("-created_at" if is_part else "-assigned_at", "-pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/handling_rows.html",
        {
            "campaign": campaign,
            "org": org,
            "figure": figure,
            "label": HOTLINE_FIGURE_LABELS[figure]
            if figure in RESPONSE_FIGURES
            else (PART_FIGURES if is_part else HOP_FIGURES)[figure].label,
            "is_part": is_part,
            "is_response": figure in RESPONSE_FIGURES,
            "page": page,
        },
    )


def _hotline_suggestions(
    request: AuthedRequest, campaign: Campaign, org: Org, figure: str, today: dt.date
) -> HttpResponse:
    """The citizens' 诉求 behind a 解决率 or 满意率 count, numbers in their titles masked."""
    found = hotline_rows(campaign, org, figure, today).prefetch_related("problems")
    page = Paginator(found.order_by("-submitted_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/handling_suggestions.html",
        {
            "campaign": campaign,
            "org": org,
            "figure": figure,
            "label": HOTLINE_FIGURE_LABELS[figure],
            "page": page,
            "titles": {s.pk: mask_numbers_in_text(s.title) for s in page},
            "opens_suggestions": handles_suggestions(request.user, campaign),
        },
    )


@login_required
def figures_then(request: AuthedRequest, slug: str) -> HttpResponse:
    """核对历史数字: the ledger figures of a unit as they stood at a past moment, recomputed from
    the history, checked against that day's snapshot where one was frozen, with the command
    that gives the same answer to anyone with the data."""
    campaign = campaign_for(request.user, slug)
    asked = None
    if request.GET.get("org"):
        asked = Org.objects.filter(code=request.GET["org"], path__under=campaign.org.path).first()
    org, whole = reader_org(request.user, campaign, asked)
    text = request.GET.get("at", "").strip()[:20]
    context: dict[str, Any] = {"campaign": campaign, "org": org, "whole": whole, "at": text,
                               "today": timezone.localdate()}  # fmt: skip
    if text:
        try:
            at = history.asked(campaign, text)
        except ValueError as error:
            context["error"] = str(error)
        else:
            figures = history.stats_at(campaign, at, org=org, user=request.user)
            areas = FocusArea.objects.filter(campaign=campaign)
            context.update(
                figures=figures,
                headline=[(k, FIGURE_LABELS[k], figures[k]) for k in HEADLINE],
                by_area=[(a.name, figures["by_focus_area"].get(a.name, {})) for a in areas],
                snapshot=history.against_snapshot(campaign, org, at) if whole else None,
                command=f"taizhang stats --json --campaign {campaign.slug} --org {org.code} "
                f"--as-of {at.text}",
            )
    return render(request, "reports/figures_then.html", context)
