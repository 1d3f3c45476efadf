import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from taizhang.campaigns.models import Campaign
from taizhang.reports.brief import FORMATS, make_brief


class Command(BaseCommand):
    help = "生成工作通报 (Write the weekly brief from the frozen figures of a day)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD: a day with snapshots")
        parser.add_argument("--format", choices=FORMATS, default="docx")
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.select_related("org").filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"找不到活动 {options['campaign']} (no such campaign)")
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD:{options['as_of']}") from None
        out = Path(options["out"])
        if not out.parent.exists():
            raise CommandError(f"目录不存在:{out.parent}")
        try:
            make_brief(campaign, as_of, options["format"], out)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"通报已写入 {out} (brief written)")
