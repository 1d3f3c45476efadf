from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from taizhang.backup.archive import restore
from taizhang.campaigns.models import Campaign
from taizhang.ledger.verify import verify


class Command(BaseCommand):
    help = "恢复:把 taizhang backup 的归档恢复到空数据库和空的证明材料目录 (restore a backup)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = restore(Path(options["archive"]))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        m = done.manifest
        self.stdout.write(
            f"已恢复 {m['made_at'][:19]} 在 {m['host']} 上的备份:{sum(done.tables.values())} 行,"
            f"证明材料 {done.evidence_files} 个文件"
            + (",密钥已写入" if done.secret_key_written else "")
            + " (restored)。"
        )
        for table, (saved, now) in sorted(done.mismatched.items()):
            self.stdout.write(f"  ✗ {table}:备份中 {saved} 行,恢复后 {now} 行")
        broken = [c.slug for c in Campaign.objects.all() if not verify(c).intact]
        for slug in broken:
            self.stdout.write(f"  ✗ 活动 {slug} 的防篡改校验未通过:运行 taizhang verify 查看")
        if done.mismatched or broken:
            raise CommandError("恢复后的数据与备份不一致 (the restored data does not match)")
        self.stdout.write("  ✓ 行数与备份一致,防篡改校验通过;请运行 taizhang migrate 后再启动。")
