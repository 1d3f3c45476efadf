"""Figures of one org subtree: from the tallies when the reader sees the whole subtree, else live.

`campaign_stats` is what `taizhang stats --json` and the API print.
"""

import datetime as dt
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from taizhang.campaigns.access import reader_org
from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.intake.limits import late_counts
from taizhang.ledger.models import OPEN_STATUSES, Kind, Problem, ProblemTally, Source
from taizhang.ledger.permissions import visible_problems
from taizhang.orgs.models import Org
from taizhang.orgs.scoping import scope_of
from taizhang.reports.figures import (
    LIVE,
    TALLIED,
    Breakdown,
    Figures,
    live_breakdown,
)
from taizhang.reports.handling import handling_figures
from taizhang.reports.hotline import hotline_figures
from taizhang.reports.projects import project_figures
from taizhang.reports.study import study_figures
from taizhang.reports.verdict import supervision_figures


def tallied_breakdown(campaign: Campaign, org: Org, today: dt.date) -> Breakdown:
    breakdown = Breakdown()
    rows = ProblemTally.objects.filter(campaign=campaign, org_path=org.path, n__gt=0).values_list(
        "focus_area", "kind", "source", "status", "on_time", "n"
    )
    for area, kind, source, status, on_time, n in rows:
        for cell in breakdown.cells(area, kind, source, None):
            cell.add_tally(status, on_time, n)
    child_rows = (
        ProblemTally.objects.filter(campaign=campaign, org_path__in=_child_paths(org), n__gt=0)
        .values_list("org_path", "status", "on_time")
        .annotate(total=Sum("n"))
    )
    below = Figures()
    for path, status, on_time, n in child_rows:
        breakdown.by_child.setdefault(path, Figures()).add_tally(status, on_time, n)
        below.add_tally(status, on_time, n)
    own = Figures(
        **{name: getattr(breakdown.overall, name) - getattr(below, name) for name in TALLIED}
    )
    if any(getattr(own, name) for name in TALLIED):
        breakdown.by_child[org.path] = own
    # Figures that depend on the day (overdue) are counted live, over open problems only.
    open_problems = Problem.objects.filter(
        campaign=campaign, status__in=OPEN_STATUSES, deadline__lt=today
    )
    live = live_breakdown(
        open_problems, org.path, today, names=LIVE, all_under_parent=org.pk == campaign.org_id
    )
    _merge(breakdown, live, LIVE)
    return breakdown


def _child_paths(org: Org) -> list[str]:
    return list(Org.objects.filter(parent=org).values_list("path", flat=True))


def _merge(into: Breakdown, other: Breakdown, names: list[str]) -> None:
    pairs = [(into.overall, other.overall)]
    for attr in ("by_area", "by_kind", "by_source", "by_child", "by_child_area"):
        target = getattr(into, attr)
        for key, figures in getattr(other, attr).items():
            pairs.append((target.setdefault(key, Figures()), figures))
    for target_figures, source_figures in pairs:
        for name in names:
            setattr(target_figures, name, getattr(source_figures, name))


def org_breakdown(
    campaign: Campaign, org: Org, today: dt.date, user: object | None = None
) -> Breakdown:
    """The reader's figures for `org`'s subtree (the tallies serve whoever sees all of it)."""
    if user is None or scope_of(user).reaches(org.path):
        return tallied_breakdown(campaign, org, today)
    return live_breakdown(visible_problems(user, campaign), org.path, today)


def child_rows(org: Org, breakdown: Breakdown) -> list[tuple[Org, Figures]]:
    """Each child unit with its figures (zeros included), the org's own problems first."""
    rows = [(child, breakdown.by_child.get(child.path, Figures())) for child in org.children.all()]
    if org.path in breakdown.by_child:
        rows.insert(0, (org, breakdown.by_child[org.path]))
    return rows


def campaign_stats(
    campaign: Campaign,
    *,
    user: object | None = None,
    org: Org | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    today = today or timezone.localdate()
    if user is None:
        root, whole = org or campaign.org, True
    else:
        root, whole = reader_org(user, campaign, org)
    breakdown = org_breakdown(campaign, root, today, user)
    # What the reader sees only part of is not shown as the whole: the ledger's figures count
    # the problems they see; the figures kept per subtree (supervision, study, hotline) are left
    # out rather than shown for units outside their reach.
    whole_only: dict[str, Any] = {}
    if whole:
        whole_only = {
            "study": study_figures(campaign, root, today),
            "supervision": supervision_figures(
                campaign, root, today, closed_now=breakdown.overall.problems_rectified
            ),
            "handling": handling_figures(campaign, root, today),
        }
        if root.pk == campaign.org_id:
            # The campaign-wide three rates, where they always were (also under `handling`).
            whole_only["hotline"] = hotline_figures(campaign, root, today)
            whole_only["suggestions"] = late_counts(campaign, today)
    # The project pipeline: the projects the reader sees, like the ledger's figures.
    projects = project_figures(campaign, root, user=user, today=today)
    return {
        **ledger_stats(campaign, root, whole, breakdown, today.isoformat()),
        **whole_only,
        "projects": projects,
    }


def ledger_stats(
    campaign: Campaign, root: Org, whole: bool, breakdown: Breakdown, as_of: str
) -> dict[str, Any]:
    """The ledger's part of the stats: the figures of `root`'s subtree and their cuts (also
    what reports.history recomputes for a past moment)."""
    areas = FocusArea.objects.filter(campaign=campaign)
    return {
        "campaign": campaign.slug,
        "campaign_name": campaign.name,
        "org": root.code,
        "org_name": root.name,
        "covers": "whole" if whole else "visible",
        "as_of": as_of,
        **breakdown.overall.as_dict(),
        "by_focus_area": {
            area.name: breakdown.by_area.get(area.pk, Figures()).as_dict() for area in areas
        },
        "by_org": {
            child.code: {"name": child.name, **figures.as_dict()}
            for child, figures in child_rows(root, breakdown)
        },
        "by_kind": {k.value: breakdown.by_kind.get(k.value, Figures()).as_dict() for k in Kind},
        "by_source": {
            s.value: breakdown.by_source.get(s.value, Figures()).as_dict() for s in Source
        },
    }
