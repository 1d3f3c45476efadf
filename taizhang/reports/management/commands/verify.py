import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from taizhang.campaigns.models import Campaign
from taizhang.ledger.verify import Report, verify
from taizhang.reports.snapshots import frozen_heads


class Command(BaseCommand):
    help = (
        "校验办理记录的防篡改链和问题数据 (Check each campaign's history chain and its rows; "
        "exits 1 when anything was changed, inserted or deleted outside the application)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", help="活动代码 (slug); every campaign if left out")
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="SEQ:DIGEST",
            help="a head published elsewhere (the weekly brief's 数据校验码) to check as well",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = Campaign.objects.select_related("org").order_by("pk")
        if options["campaign"]:
            campaigns = campaigns.filter(slug=options["campaign"])
            if not campaigns.exists():
                raise CommandError(f"找不到活动 {options['campaign']} (no such campaign)")
        elif not campaigns.exists():
            raise CommandError("还没有任何活动,没有可校验的数据 (no campaign to check)")
        published = [_published(h) for h in options["head"]]
        reports = []
        for campaign in campaigns:
            given = [(seq, digest, "发布的通报") for seq, digest in published]
            reports.append(verify(campaign, frozen_heads(campaign) + given))
        if options["json"]:
            self.stdout.write(json.dumps([_as_json(r) for r in reports], ensure_ascii=False))
        else:
            for r in reports:
                self._print(r)
        if any(not r.intact for r in reports):
            raise CommandError("发现未经系统的改动 (the data was changed outside the application)")

    def _print(self, r: Report) -> None:
        self.stdout.write(
            f"{r.campaign.name}({r.campaign.slug}):{r.rows} 条办理记录、{r.problems} 个问题、"
            f"{r.snapshots} 个冻结链头;链头 第 {r.head_seq} 条 {r.algorithm}:{r.head_digest}"
        )
        for f in r.findings:
            self.stdout.write(f"  ✗ {f.text}")
        if r.intact:
            self.stdout.write("  ✓ 未发现改动 (intact)")


def _published(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError(f"--head 应写成 链序号:校验码(64 位十六进制):{text}")
    return int(seq), digest.lower()


def _as_json(r: Report) -> dict[str, Any]:
    return {
        "campaign": r.campaign.slug,
        "algorithm": r.algorithm,
        "rows": r.rows,
        "problems": r.problems,
        "head": {"seq": r.head_seq, "digest": r.head_digest},
        "frozen_heads_checked": r.snapshots,
        "intact": r.intact,
        "findings": [
            {"kind": f.kind, "text": f.text, "seq": f.seq, "event": f.event, "problem": f.problem}
            for f in r.findings
        ],
    }
