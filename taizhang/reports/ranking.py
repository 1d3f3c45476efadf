"""比学赶超: the units below a parent, ranked by the campaign's weighted score."""

import datetime as dt
import statistics
from collections import Counter
from typing import Any

from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import Snapshot
from taizhang.orgs.models import Org, OrgKind
from taizhang.reports.links import rate_parts
from taizhang.reports.stats import campaign_stats


def ranking_kinds(parent: Org) -> list[str]:
    """The kinds of unit directly below `parent`, counties (or townships) first, then the most
    numerous: each kind is ranked apart, as units are compared with their peers."""
    return order_kinds(Counter(Org.objects.filter(parent=parent).values_list("kind", flat=True)))


def order_kinds(counts: Counter[str]) -> list[str]:
    """Kinds of unit (with how many of each) in the order they are shown and ranked."""
    order: dict[str, int] = {OrgKind.COUNTY: 0, OrgKind.TOWNSHIP: 1}
    return sorted(counts, key=lambda k: (order.get(k, 9), -counts[k], k))


# Where each rate is read and what it is a share of: below the campaign's `ranking_min_sample`
# a supervision or hotline rate says too little about a unit to rank it by.
SAMPLES = {
    "satisfaction_rate": ("supervision", "ratings"),
    "spot_check_pass_rate": ("supervision", "spot_checks_done"),
    "notice_reply_rate": ("supervision", "notices_due"),
    "hotline_response_rate": ("handling", "hotline_response_due"),
    "hotline_solve_rate": ("handling", "hotline_solve_asked"),
}


def ranking(
    campaign: Campaign, parent: Org, today: dt.date | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """The units of one kind directly below `parent` (counties by default), ranked by the
    campaign's weighted score.

    A unit is never rewarded for not being measured. A rate it has too little data for (no
    closed problem for 按期整改率; fewer than `ranking_min_sample` ratings, checks or notices
    due for the others) is shown as 数据不足 and counted at the median of its peers that have
    it; a rate none of its peers has counts for nobody. A unit without problems is not ranked.
    """
    today = today or timezone.localdate()
    weights: dict[str, float] = campaign.rule("ranking_weights")
    threshold = float(campaign.rule("ranking_threshold"))
    min_sample = int(campaign.rule("ranking_min_sample"))
    week_ago = today - dt.timedelta(days=7)
    before = {
        s.org_id: s.figures.get("score")
        for s in Snapshot.objects.filter(campaign=campaign, day=week_ago, org__parent=parent)
    }
    rows = []
    kinds = ranking_kinds(parent)
    kind = kind if kind in kinds else (kinds[0] if kinds else None)
    for child in Org.objects.filter(parent=parent, kind=kind).order_by("code"):
        stats = campaign_stats(campaign, org=child, today=today)
        components = {
            "rectification_rate": stats.get("rectification_rate"),
            "on_time_rate": stats.get("on_time_rate"),
            **{k: stats.get(section, {}).get(k) for k, (section, _n) in SAMPLES.items()},
        }
        measured = {
            k: v
            for k, v in components.items()
            if v is not None and (k not in SAMPLES or _sample(stats, k) >= min_sample)
        }
        rows.append(
            {
                "org": child.code,
                "name": child.name,
                "problems_total": stats["problems_total"],
                "components": components,
                # Each rate's numerator and denominator, which its cell links to.
                "parts": {k: rate_parts(stats, k) for k in components},
                "measured": measured,
                "score_week_ago": before.get(child.pk),
            }
        )
    _score(rows, weights, threshold)
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["org"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank if row["score"] is not None else None
        old = row["score_week_ago"]
        row["change"] = round(row["score"] - old, 1) if row["score"] is not None and old else None
    return rows


def _sample(stats: dict[str, Any], rate: str) -> int:
    section, count = SAMPLES[rate]
    return int(stats.get(section, {}).get(count) or 0)


def _score(rows: list[dict[str, Any]], weights: dict[str, float], threshold: float) -> None:
    """Each unit's score, with the rates it lacks counted at its peers' median (`filled`)."""
    ranked = [r for r in rows if r["problems_total"]]
    medians = {
        k: statistics.median(peers)
        for k in weights
        if (peers := [r["measured"][k] for r in ranked if k in r["measured"]])
    }
    for row in rows:
        row["insufficient"] = sorted(k for k in weights if k not in row["measured"])
        if not row["problems_total"] or not medians:
            row["score"], row["filled"], row["below_threshold"] = None, {}, False
            continue
        values = {k: row["measured"].get(k, medians.get(k)) for k in weights if k in medians}
        row["filled"] = {k: medians[k] for k in values if k not in row["measured"]}
        total = sum(weights[k] for k in values)
        # Like the rates it weighs, the score is a percentage with one decimal.
        row["score"] = round(sum(values[k] * weights[k] for k in values) / total, 1)
        row["below_threshold"] = row["score"] < 100 * threshold
