import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from taizhang.workdays.calendar import add_workdays, year_is_known
from taizhang.workdays.services import load_year


class Command(BaseCommand):
    help = "载入某年的法定节假日安排,或查询工作日 (Load a year's official schedule, or query it)"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="taizhang calendar load 2027 FILE")
        load.add_argument("year", type=int)
        load.add_argument("file")
        load.add_argument("--note", default="")
        add = sub.add_parser("add", help="taizhang calendar add 2026-09-28 5")
        add.add_argument("start")
        add.add_argument("days", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            path = Path(options["file"])
            if not path.exists():
                raise CommandError(f"文件不存在:{path}")
            try:
                count = load_year(
                    year=options["year"],
                    text=path.read_text("utf-8"),
                    by=None,
                    note=options["note"],
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(f"已载入 {options['year']} 年 {count} 天的节假日与调休安排。")
            return
        try:
            start = dt.date.fromisoformat(options["start"])
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD:{options['start']}") from exc
        answer = add_workdays(start, options["days"])
        flag = "(暂按周末推算,待载入当年安排)" if answer.provisional else ""
        self.stdout.write(f"{answer.date.isoformat()}{flag}")
        if not year_is_known(answer.date.year):
            self.stdout.write(f"注意:{answer.date.year} 年的节假日安排尚未载入。")
