from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from taizhang.campaigns.access import campaign_for, home_org
from taizhang.campaigns.models import FocusArea
from taizhang.ledger.models import Kind, Source
from taizhang.orgs.models import Org
from taizhang.reports.figures import FIGURE_LABELS, Figures, figures_by, figures_of
from taizhang.reports.stats import child_figures, scoped_problems

HEADLINE = ["problems_total", "problems_rectified", "problems_open", "problems_pending", "overdue"]


@login_required
def campaign_overview(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    today = timezone.localdate()
    org = None
    if request.GET.get("org"):
        org = Org.objects.filter(code=request.GET["org"], path__under=campaign.org.path).first()
    org = org or home_org(request.user, campaign)
    problems = scoped_problems(campaign, request.user, org)
    areas = list(FocusArea.objects.filter(campaign=campaign))
    by_area = figures_by(problems, "focus_area", today)
    by_kind = figures_by(problems, "kind", today)
    by_source = figures_by(problems, "source", today)
    overall = figures_of(problems, today)
    children = child_figures(campaign, org, problems, today)
    children.sort(
        key=lambda row: (row[1].rectification_rate is None, -(row[1].rectification_rate or 0))
    )
    drillable = set(
        Org.objects.filter(parent__in=[child for child, _ in children])
        .values_list("parent_id", flat=True)
        .distinct()
    )
    breadcrumbs = list(
        Org.objects.filter(code__in=org.ancestor_codes(), path__under=campaign.org.path).order_by(
            "depth"
        )
    )
    return render(
        request,
        "reports/overview.html",
        {
            "campaign": campaign,
            "org": org,
            "today": today,
            "breadcrumbs": breadcrumbs,
            "overall": overall,
            "headline": [(k, FIGURE_LABELS[k], getattr(overall, k)) for k in HEADLINE],
            "by_area": [(a, by_area.get(a.pk, Figures())) for a in areas],
            "by_kind": [(k, by_kind.get(k.value, Figures())) for k in Kind],
            "by_source": [(s, by_source.get(s.value, Figures())) for s in Source],
            "children": children,
            "drillable": drillable,
            "phases": campaign.phases.all(),
        },
    )
