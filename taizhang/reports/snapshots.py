"""The frozen daily figures (Snapshot): a past day's figures come out the same every time."""

import datetime as dt
from typing import Any

from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import Snapshot
from taizhang.orgs.models import Org
from taizhang.reports.ranking import ranking, ranking_kinds
from taizhang.reports.stats import campaign_stats


def take_snapshots(campaign: Campaign, day: dt.date, depth: int = 1) -> int:
    """Freeze the figures of the campaign's org and the levels below it (depth) for `day`."""
    root = campaign.org
    orgs = [root]
    level = [root]
    for _ in range(depth):
        level = list(Org.objects.filter(parent__in=level))
        orgs += level
    scores = {
        r["org"]: r["score"]
        for kind in ranking_kinds(root)
        for r in ranking(campaign, root, day, kind=kind)
    }
    made = 0
    for org in orgs:
        figures = campaign_stats(campaign, org=org, today=day)
        if org.code in scores:
            figures["score"] = scores[org.code]
        Snapshot.objects.update_or_create(
            campaign=campaign,
            org=org,
            day=day,
            defaults={"figures": figures, "taken_at": timezone.now()},
        )
        made += 1
    return made


def snapshot_figures(campaign: Campaign, org: Org, day: dt.date) -> dict[str, Any] | None:
    snap = Snapshot.objects.filter(campaign=campaign, org=org, day=day).first()
    return snap.figures if snap else None
