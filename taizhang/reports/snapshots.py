"""The frozen daily figures (Snapshot): a past day's figures come out the same every time."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import Snapshot
from taizhang.ledger.models import ChainHead
from taizhang.orgs.models import Org
from taizhang.reports.ranking import ranking, ranking_kinds
from taizhang.reports.stats import campaign_stats


def take_snapshots(campaign: Campaign, day: dt.date, depth: int = 1) -> int:
    """Freeze the figures of the campaign's org and the levels below it (depth) for `day`."""
    root = campaign.org
    orgs = [root]
    level = [root]
    for _level in range(depth):
        level = list(Org.objects.filter(parent__in=level))
        orgs += level
    scores = {
        r["org"]: r["score"]
        for kind in ranking_kinds(root)
        for r in ranking(campaign, root, day, kind=kind)
    }
    # The history the figures come from: they can later be checked against it (ledger.verify).
    head = ChainHead.objects.filter(campaign=campaign).values_list("seq", "digest").first()
    chain_seq, chain_digest = head or (None, "")
    made = 0
    for org in orgs:
        figures = campaign_stats(campaign, org=org, today=day)
        if org.code in scores:
            figures["score"] = scores[org.code]
        Snapshot.objects.update_or_create(
            campaign=campaign,
            org=org,
            day=day,
            defaults={
                "figures": figures,
                "taken_at": timezone.now(),
                "chain_seq": chain_seq,
                "chain_digest": chain_digest,
            },
        )
        made += 1
    return made


def snapshot_figures(campaign: Campaign, org: Org, day: dt.date) -> dict[str, Any] | None:
    snap = Snapshot.objects.filter(campaign=campaign, org=org, day=day).first()
    return snap.figures if snap else None


def frozen_heads(campaign: Campaign) -> list[tuple[int, str, str]]:
    """The history chain's heads the campaign's snapshots recorded: (number, digest, where)."""
    rows = Snapshot.objects.filter(campaign=campaign, org=campaign.org, chain_seq__isnull=False)
    return [
        (int(seq or 0), digest, _("%(d)s 的数字快照") % {"d": day})
        for seq, digest, day in rows.order_by("day").values_list("chain_seq", "chain_digest", "day")
    ]
