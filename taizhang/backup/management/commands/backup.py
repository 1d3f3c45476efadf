import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from taizhang.audit.models import AuditKind
from taizhang.audit.services import record
from taizhang.backup.archive import backup


class Command(BaseCommand):
    help = (
        "备份:数据库、证明材料、密钥和设置摘要写成一个归档 (one consistent archive, taken "
        "while the server runs)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            help="archive path, or a folder for taizhang-backup-YYYYmmdd-HHMMSS.tar.gz "
            "(default: the current folder)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"] or ".")
        if out.is_dir():
            out = out / f"taizhang-backup-{dt.datetime.now():%Y%m%d-%H%M%S}.tar.gz"
        try:
            manifest = backup(out)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        rows = sum(manifest["tables"].values())
        record(AuditKind.EXPORT, f"备份全部数据到 {out.name}({rows} 行)", target=str(out),
               detail={"rows": rows, "evidence": manifest["evidence"]})  # fmt: skip
        self.stdout.write(
            f"备份已写入 {out}:{manifest['vendor']} 数据库 {rows} 行,"
            f"证明材料 {manifest['evidence']['files']} 个文件 (backup written)。"
            "归档含密钥,请像保管密码一样保管它。"
        )
