"""The figures of one campaign for one org subtree, as `taizhang stats --json` prints them."""

import datetime as dt
from typing import Any

from django.utils import timezone

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.ledger.models import Kind, Problem, Source
from taizhang.ledger.permissions import visible_problems
from taizhang.orgs.models import Org
from taizhang.reports.figures import Figures, figures_by, figures_by_child, figures_of


def scoped_problems(campaign: Campaign, user: object | None, org: Org | None):  # type: ignore[no-untyped-def]
    problems = (
        visible_problems(user, campaign)
        if user is not None
        else Problem.objects.filter(campaign=campaign)
    )
    if org is not None:
        problems = problems.filter(org_path__under=org.path)
    return problems


def child_figures(
    campaign: Campaign, root: Org, problems: Any, today: dt.date
) -> list[tuple[Org, Figures]]:
    by_path = figures_by_child(problems, root.path, today)
    rows = [(child, by_path.get(child.path, Figures())) for child in root.children.all()]
    if root.path in by_path:
        rows.insert(0, (root, by_path[root.path]))
    return rows


def campaign_stats(
    campaign: Campaign,
    *,
    user: object | None = None,
    org: Org | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    today = today or timezone.localdate()
    root = org or campaign.org
    problems = scoped_problems(campaign, user, org)
    areas = {a.pk: a.name for a in FocusArea.objects.filter(campaign=campaign)}
    by_area = figures_by(problems, "focus_area", today)
    by_kind = figures_by(problems, "kind", today)
    by_source = figures_by(problems, "source", today)
    return {
        "campaign": campaign.slug,
        "campaign_name": campaign.name,
        "org": root.code,
        "org_name": root.name,
        "as_of": today.isoformat(),
        **figures_of(problems, today).as_dict(),
        "by_focus_area": {name: by_area.get(pk, Figures()).as_dict() for pk, name in areas.items()},
        "by_org": {
            child.code: {"name": child.name, **figures.as_dict()}
            for child, figures in child_figures(campaign, root, problems, today)
        },
        "by_kind": {str(k.label): by_kind.get(k.value, Figures()).as_dict() for k in Kind},
        "by_source": {str(s.label): by_source.get(s.value, Figures()).as_dict() for s in Source},
    }
