from typing import Any

from django.core.management.base import BaseCommand, CommandError

from taizhang.campaigns.models import Campaign
from taizhang.ledger import tallies


class Command(BaseCommand):
    help = "核对或重建统计汇总 (Check the figure tallies against a fresh count, or rebuild them)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["check", "rebuild"])
        parser.add_argument("--campaign", help="campaign slug (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = Campaign.objects.all()
        if options["campaign"]:
            campaigns = campaigns.filter(slug=options["campaign"])
            if not campaigns.exists():
                raise CommandError(f"找不到活动 {options['campaign']} (no such campaign)")
        differing = 0
        for campaign in campaigns:
            if options["action"] == "rebuild":
                rows = tallies.rebuild(campaign)
                self.stdout.write(f"{campaign.slug}: 重建 {rows} 行 (rebuilt)")
                continue
            fresh, stored = tallies.fresh_counts(campaign), tallies.stored_counts(campaign)
            fresh = +fresh  # drop zero counts
            if fresh == stored:
                self.stdout.write(f"{campaign.slug}: 一致 (tallies equal a fresh count)")
            else:
                differing += 1
                keys = {k for k in fresh.keys() | stored.keys() if fresh[k] != stored[k]}
                self.stdout.write(f"{campaign.slug}: {len(keys)} 处不一致 (keys differ)")
        if differing:
            raise CommandError("统计汇总与台账不一致,请运行 taizhang tallies rebuild")
