"""What the overview's charts draw, as plain data: every bar, funnel step and cell carries the
link to the ledger list that produces its number."""

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.evaluation.models import Snapshot
from taizhang.ledger.models import OPEN_STATUSES, Problem
from taizhang.ledger.views import list_url
from taizhang.orgs.models import Org
from taizhang.reports.figures import (
    FIGURE_LABELS,
    Breakdown,
    Figures,
    child_path_expression,
)


def chart_data(
    campaign: Campaign,
    org: Org,
    breakdown: Breakdown,
    children: list[tuple[Org, Figures]],
    areas: list[FocusArea],
    today: dt.date,
) -> dict[str, Any]:
    slug = campaign.slug
    overall = breakdown.overall
    return {
        "units": [
            {
                "name": child.name,
                "rate": child_figures.rectification_rate,
                "rectified": child_figures.problems_rectified,
                "open": child_figures.problems_open,
                "rectified_url": list_url(slug, figure="problems_rectified", org=child.code),
                "open_url": list_url(slug, figure="problems_open", org=child.code),
            }
            for child, child_figures in children
        ],
        "funnel": [
            {
                "name": str(FIGURE_LABELS[key]),
                "value": getattr(overall, key),
                "url": list_url(slug, figure=key, org=org.code),
            }
            for key in (
                "problems_total",
                "problems_signed",
                "problems_applied",
                "problems_rectified",
            )
        ],
        "areas": [
            {
                "name": area.name,
                "rectified": f.problems_rectified,
                "open": f.problems_open,
                "rectified_url": list_url(
                    slug, figure="problems_rectified", org=org.code, area=area.pk
                ),
                "open_url": list_url(slug, figure="problems_open", org=org.code, area=area.pk),
            }
            for area, f in ((a, breakdown.by_area.get(a.pk, Figures())) for a in areas)
        ],
        "trend": trend(campaign, org),
        "overdue": overdue_grid(campaign, org, children, areas, today),
    }


def trend(campaign: Campaign, org: Org) -> list[dict[str, Any]]:
    """The frozen daily figures of this unit (see evaluation.figures.take_snapshots)."""
    rows = Snapshot.objects.filter(campaign=campaign, org=org).order_by("day")
    return [
        {
            "day": s.day.isoformat(),
            "total": s.figures.get("problems_total"),
            "rectified": s.figures.get("problems_rectified"),
            "rate": s.figures.get("rectification_rate"),
        }
        for s in rows.only("day", "figures")
    ]


def overdue_grid(
    campaign: Campaign,
    org: Org,
    children: list[tuple[Org, Figures]],
    areas: list[FocusArea],
    today: dt.date,
) -> dict[str, Any]:
    """Overdue problems by child unit × focus area, counted live (they change by the day)."""
    counts: Counter[tuple[str, int]] = Counter()
    overdue = Problem.objects.filter(
        campaign=campaign, status__in=OPEN_STATUSES, deadline__lt=today
    )
    if org.pk != campaign.org_id:  # at the top every problem is under it: let the index work
        overdue = overdue.filter(org_path__under=org.path)
    rows = (
        overdue.annotate(child=child_path_expression(org.path))
        .values_list("child", "focus_area_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for child_path, area, n in rows:
        counts[(child_path, area)] += n
    return {
        "units": [child.name for child, _ in children],
        "areas": [a.name for a in areas],
        "cells": [
            {
                "unit": i,
                "area": j,
                "unit_name": child.name,
                "area_name": area.name,
                "value": counts[(child.path, area.pk)],
                "url": list_url(campaign.slug, figure="overdue", org=child.code, area=area.pk),
            }
            for i, (child, _) in enumerate(children)
            for j, area in enumerate(areas)
            if counts[(child.path, area.pk)]
        ],
    }
