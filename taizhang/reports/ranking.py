"""比学赶超: the units below a parent, ranked by the campaign's weighted score."""

import datetime as dt
from collections import Counter
from typing import Any

from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import Snapshot
from taizhang.orgs.models import Org, OrgKind
from taizhang.reports.stats import campaign_stats


def ranking_kinds(parent: Org) -> list[str]:
    """The kinds of unit directly below `parent`, counties (or townships) first, then the most
    numerous: each kind is ranked apart, as units are compared with their peers."""
    counts = Counter(Org.objects.filter(parent=parent).values_list("kind", flat=True))
    order: dict[str, int] = {OrgKind.COUNTY: 0, OrgKind.TOWNSHIP: 1}
    return sorted(counts, key=lambda k: (order.get(k, 9), -counts[k], k))


def ranking(
    campaign: Campaign, parent: Org, today: dt.date | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """The units of one kind directly below `parent` (counties by default), ranked by the
    campaign's weighted score.

    A component without data (no notices yet, say) drops out and the weights of the rest are
    scaled to sum to one, so a unit is neither rewarded nor punished for it.
    """
    today = today or timezone.localdate()
    weights: dict[str, float] = campaign.rule("ranking_weights")
    threshold = float(campaign.rule("ranking_threshold"))
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
        supervision = stats.get("supervision", {})
        components = {
            "rectification_rate": stats.get("rectification_rate"),
            "on_time_rate": stats.get("on_time_rate"),
            **{k: supervision.get(k) for k in ("satisfaction_rate", "spot_check_pass_rate",
                                               "notice_reply_rate")},
        }  # fmt: skip
        used = {k: w for k, w in weights.items() if components.get(k) is not None}
        total_weight = sum(used.values())
        # Like the rates it weighs, the score is a percentage with one decimal.
        score = (
            round(sum(components[k] * w for k, w in used.items()) / total_weight, 1)
            if total_weight
            else None
        )
        rows.append(
            {
                "org": child.code,
                "name": child.name,
                "problems_total": stats["problems_total"],
                "components": components,
                "score": score,
                "score_week_ago": before.get(child.pk),
                "below_threshold": score is not None and score < 100 * threshold,
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["org"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
        old = row["score_week_ago"]
        row["change"] = round(row["score"] - old, 1) if row["score"] is not None and old else None
    return rows
