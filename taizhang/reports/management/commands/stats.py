import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from taizhang.campaigns.models import Campaign
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Org
from taizhang.reports.snapshots import snapshot_figures
from taizhang.reports.stats import campaign_stats


class Command(BaseCommand):
    help = "输出活动的统计数字 (Print a campaign's figures)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--campaign", help="campaign slug (default: the latest)")
        parser.add_argument("--org", help="org code: figures of that subtree")
        parser.add_argument(
            "--as-of", help="YYYY-MM-DD: the figures frozen that day (daily snapshots)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["campaign"]:
            campaign = (
                Campaign.objects.select_related("org").filter(slug=options["campaign"]).first()
            )
            if campaign is None:
                raise CommandError(f"找不到活动 {options['campaign']} (no such campaign)")
        else:
            campaign = Campaign.objects.select_related("org").order_by("-starts_on", "-pk").first()
            if campaign is None:
                raise CommandError("还没有任何活动 (no campaign yet): taizhang demo --no-serve")
        org = None
        if options["org"]:
            org = Org.objects.filter(code=options["org"]).first()
            if org is None:  # a name, an alias or a short name, as on the pages
                try:
                    org = resolve_unit(options["org"], campaign.org)
                except ValidationError as exc:
                    raise CommandError(f"{'; '.join(exc.messages)} (no such org)") from exc
            if not org.path.startswith(campaign.org.path):
                raise CommandError(f"单位 {org.code} 不在活动 {campaign.slug} 的范围内")
        stats = self._figures(campaign, org, options["as_of"])
        if options["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{stats['campaign_name']} · {stats['org_name']} · {stats['as_of']}")
        self.stdout.write(
            f"问题 {stats['problems_total']}  已销号 {stats['problems_rectified']}  "
            f"整改率 {stats['rectification_rate']}%  按期整改率 {stats['on_time_rate']}%  "
            f"逾期 {stats['overdue']}"
        )

    def _figures(self, campaign: Campaign, org: Org | None, as_of: str | None) -> dict[str, Any]:
        if not as_of:
            return campaign_stats(campaign, org=org)
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD:{as_of}") from None
        frozen = snapshot_figures(campaign, org or campaign.org, day)
        if frozen is None:
            raise CommandError(
                f"没有 {day} 的数字快照 (no snapshot for that day); 快照由每日督办任务生成"
                f"(taizhang supervise run),只保存活动单位及其下一级"
            )
        return frozen
