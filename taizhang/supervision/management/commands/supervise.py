import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.reports.daily import run_day, running_campaigns


class Command(BaseCommand):
    help = "督办:按规则发出提醒、催办、督办,更新回访队列,冻结当日数字 (the daily supervision run)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--campaign", help="campaign slug (default: every running campaign)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = (
                dt.date.fromisoformat(options["as_of"])
                if options["as_of"]
                else timezone.localdate()
            )
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD:{options['as_of']}") from None
        if options["campaign"]:
            campaigns = list(Campaign.objects.filter(slug=options["campaign"]))
            if not campaigns:
                raise CommandError(f"找不到活动 {options['campaign']} (no such campaign)")
        else:
            campaigns = running_campaigns(as_of)
            if not campaigns:
                raise CommandError(
                    f"{as_of} 没有进行中的活动,没有可督办的 (no campaign was running on {as_of}; "
                    "name one with --campaign)"
                )
        today = timezone.localdate()
        for campaign in campaigns:
            try:
                result = run_day(campaign, as_of)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            made = result.notices.created
            self.stdout.write(
                f"{campaign.slug} {as_of}: 提醒 {made.get('reminder', 0)}、"
                f"催办 {made.get('urge', 0)}、督办 {made.get('supervise', 0)} 份新通知,"
                f"通知 {result.notices.told} 人次;回访队列新增 {result.calls_queued};"
                f"冻结数字 {result.snapshots} 个单位"
            )
            if as_of != today:
                self.stdout.write(
                    f"  {as_of} 不是今天:数字只在当天冻结,过去的日子不补冻结(已有的快照不变)"
                    f"(figures are frozen on the day only; past days are not frozen afterwards)"
                )
