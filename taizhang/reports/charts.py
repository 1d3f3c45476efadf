"""What the overview's charts draw, as plain data: every bar, funnel step and cell carries the
link to the ledger list that produces its number."""

import datetime as dt
from collections import Counter
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.evaluation.models import Snapshot
from taizhang.orgs.models import Org, OrgKind
from taizhang.reports.figures import (
    FIGURE_LABELS,
    Breakdown,
    Figures,
    list_url,
)
from taizhang.reports.history import trend_points
from taizhang.reports.ranking import order_kinds


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
    # Units are drawn among their peers: counties with counties, departments with departments
    # (a 5-problem office beside a 300-problem county reads as nothing).
    kinds = order_kinds(Counter(child.kind for child, _f in children if child.pk != org.pk))
    return {
        "labels": {
            "rectified": str(FIGURE_LABELS["problems_rectified"]),
            "open": str(FIGURE_LABELS["problems_open"]),
            "rate": str(_("整改率")),
        },
        "unit_kinds": [
            {"kind": k, "name": str(OrgKind(k).label) if k in OrgKind.values else k} for k in kinds
        ],
        "units": [
            {
                "name": child.name,
                # The unit's own row (本级) shows beside every kind.
                "kind": child.kind if child.pk != org.pk else "",
                "rate": child_figures.rectification_rate,
                "rectified": child_figures.problems_rectified,
                "open": child_figures.problems_open,
                "rectified_url": list_url(
                    slug, figure="problems_rectified", org=child.code, own=_own(child, org)
                ),
                "open_url": list_url(
                    slug, figure="problems_open", org=child.code, own=_own(child, org)
                ),
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
        "trend": trend(campaign, org, today),
        "overdue": overdue_grid(campaign, org, breakdown, children, areas),
    }


def _own(child: Org, org: Org) -> int | None:
    """The unit's own row (本级) links to its own problems only, not its whole subtree."""
    return 1 if child.pk == org.pk else None


def trend(campaign: Campaign, org: Org, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Weekly points since the campaign began: the frozen daily figures where a snapshot was
    taken (see reports.snapshots.take_snapshots), else the figures recomputed from the history
    as they stood at the end of that day."""
    today = today or dt.date.today()
    frozen = {
        s.day: {
            "day": s.day.isoformat(),
            "total": s.figures.get("problems_total"),
            "rectified": s.figures.get("problems_rectified"),
            "rate": s.figures.get("rectification_rate"),
            "source": "snapshot",
        }
        for s in Snapshot.objects.filter(campaign=campaign, org=org).only("day", "figures")
    }
    days = []
    day = campaign.starts_on
    while day < min(today, campaign.ends_on):
        days.append(day)
        day += dt.timedelta(days=7)
    days = sorted(set(days) | set(frozen))
    missing = [d for d in days if d not in frozen]
    history = history_points(campaign, org, missing, today) if missing else {}
    return [frozen.get(d) or history[d] for d in days]


def history_points(
    campaign: Campaign, org: Org, days: list[dt.date], today: dt.date
) -> dict[dt.date, dict[str, Any]]:
    """The days without a snapshot, recomputed from the history (reports.history); held for the
    day (a past day's figures do not change: the history only grows at the present), and
    worked out ahead by the daily run for each campaign's own unit."""
    key = f"trend-history:{campaign.pk}:{org.pk}:{today.isoformat()}"
    cached = cache.get(key)
    if cached is not None and all(d in cached for d in days):
        return cached
    points = trend_points(campaign, org, days)
    cache.set(key, points, timeout=26 * 3600)
    return points


def overdue_grid(
    campaign: Campaign,
    org: Org,
    breakdown: Breakdown,
    children: list[tuple[Org, Figures]],
    areas: list[FocusArea],
) -> dict[str, Any]:
    """Overdue problems by child unit × focus area (counted with the breakdown's live figures)."""
    counts: Counter[tuple[str, int]] = Counter(
        {key: figures.overdue for key, figures in breakdown.by_child_area.items()}
    )
    return {
        "units": [child.name for child, _ in children],
        "unit_kinds": [child.kind if child.pk != org.pk else "" for child, _ in children],
        "areas": [a.name for a in areas],
        "cells": [
            {
                "unit": i,
                "area": j,
                "unit_name": child.name,
                "area_name": area.name,
                "value": counts[(child.path, area.pk)],
                "url": list_url(
                    campaign.slug,
                    figure="overdue",
                    org=child.code,
                    area=area.pk,
                    own=_own(child, org),
                ),
            }
            for i, (child, _) in enumerate(children)
            for j, area in enumerate(areas)
            if counts[(child.path, area.pk)]
        ],
    }
