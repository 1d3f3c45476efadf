import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from taizhang.campaigns.models import Campaign
from taizhang.core.replicas import replica_reads
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Org
from taizhang.reports import history
from taizhang.reports.snapshots import snapshot_figures
from taizhang.reports.stats import campaign_stats


class Command(BaseCommand):
    help = "输出活动的统计数字 (Print a campaign's figures)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--campaign", help="campaign slug (default: the latest)")
        parser.add_argument("--org", help="org code: figures of that subtree")
        parser.add_argument(
            "--as-of",
            help="YYYY-MM-DD or YYYY-MM-DDTHH:MM: the ledger figures as they stood then, "
            "recomputed from the history (compared with that day's snapshot if one was taken)",
        )
        parser.add_argument(
            "--frozen", action="store_true",
            help="with --as-of YYYY-MM-DD: print that day's snapshot as it was frozen",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        with replica_reads():  # read-only: a replica may answer
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
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
        stats = self._figures(campaign, org, options["as_of"], options["frozen"])
        compared = stats.get("snapshot") or {}
        if options["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2))
        else:
            self._print(stats, compared)
        if compared and not compared["agrees"]:
            raise CommandError(
                f"重算的数字与 {compared['day']} 冻结的数字不一致:{'、'.join(compared['differs'])}"
                "。请运行 taizhang verify 查找被改动的记录 (recomputed figures differ from "
                "the snapshot)"
            )

    def _print(self, stats: dict[str, Any], compared: dict[str, Any]) -> None:
        self.stdout.write(f"{stats['campaign_name']} · {stats['org_name']} · {stats['as_of']}")
        self.stdout.write(
            f"问题 {stats['problems_total']}  已销号 {stats['problems_rectified']}  "
            f"整改率 {stats['rectification_rate']}%  按期整改率 {stats['on_time_rate']}%  "
            f"逾期 {stats['overdue']}"
        )
        if stats.get("source") == "history":
            if not compared:
                note = "当日没有冻结的数字"
            elif compared["agrees"]:
                note = "与当日冻结的数字一致"
            else:
                note = "与当日冻结的数字不一致"
            self.stdout.write(f"由办理记录重算;{note}")

    def _figures(
        self, campaign: Campaign, org: Org | None, as_of: str | None, frozen_only: bool
    ) -> dict[str, Any]:
        if not as_of:
            return campaign_stats(campaign, org=org)
        try:
            at = history.asked(campaign, as_of)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if frozen_only:
            frozen = snapshot_figures(campaign, org or campaign.org, at.day)
            if frozen is None:
                raise CommandError(
                    f"没有 {at.day} 的数字快照 (no snapshot for that day); 快照由每日督办任务"
                    f"生成(taizhang supervise run),只保存活动单位及其下一级;"
                    f"不加 --frozen 即由办理记录重算"
                )
            return frozen
        figures = history.stats_at(campaign, at, org=org)
        compared = history.against_snapshot(campaign, org or campaign.org, at)
        return {**figures, "snapshot": compared} if compared else figures
