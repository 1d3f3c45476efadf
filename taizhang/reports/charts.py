"""What the overview's charts draw, as plain data: every bar, funnel step and cell carries the
link to the ledger list that produces its number."""

import datetime as dt
from collections import Counter
from typing import Any

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.evaluation.models import Snapshot
from taizhang.ledger.models import OPEN_STATUSES, Problem
from taizhang.ledger.views import list_url
from taizhang.orgs.models import Org
from taizhang.reports.figures import FIGURE_LABELS, Breakdown, Figures


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
    prefixes = {child.path: child for child, _ in children}
    counts: Counter[tuple[str, int]] = Counter()
    rows = Problem.objects.filter(
        campaign=campaign, status__in=OPEN_STATUSES, deadline__lt=today, org_path__under=org.path
    ).values_list("org_path", "focus_area_id")
    depth = org.path.count("/")
    for path, area in rows.iterator(chunk_size=5000):
        parts = path.split("/")
        child_path = "/".join(parts[: depth + 1]) + "/" if path != org.path else org.path
        if child_path in prefixes:
            counts[(child_path, area)] += 1
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
