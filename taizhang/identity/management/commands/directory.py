import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from taizhang.identity import directory
from taizhang.identity.config import ldap_on

SECTIONS = (
    ("created", "新建"), ("updated", "更新"), ("placed", "调整角色"), ("deactivated", "停用"),
    ("reactivated", "恢复"), ("problems", "问题"),
)  # fmt: skip


class Command(BaseCommand):
    help = (
        "目录同步:按 LDAP / AD 目录新建、更新、停用账号并分配单位和角色 "
        "(sync accounts with the directory; --dry-run says what it would change)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sync"])
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出将做的更改,不写入 (change nothing)"
        )
        parser.add_argument(
            "--force", action="store_true", help="停用人数超过上限时仍然执行 (past the limit)"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not ldap_on():
            raise CommandError(
                "未配置目录:请设置 TAIZHANG_LDAP_URL 和 TAIZHANG_LDAP_USER_BASE "
                "(no directory configured)"
            )
        try:
            report = directory.sync(
                directory.read_directory(), dry_run=options["dry_run"], force=options["force"]
            )
        except directory.DirectoryError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        done = report.as_dict()
        for key, label in SECTIONS:
            for line in done[key]:
                self.stdout.write(f"{label} {line}")
        head = "试运行,未写入任何更改:" if report.dry_run else "已同步:"
        counts = ",".join(f"{label} {len(done[key])}" for key, label in SECTIONS)
        self.stdout.write(f"{head}读到目录中 {report.seen} 人;{counts}")
