import json
import time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from taizhang.campaigns.models import Campaign
from taizhang.core.progress import draw_bar
from taizhang.orgs.models import Role, RoleAssignment
from taizhang.search import services as search
from taizhang.sheets.errors import ImportRefused
from taizhang.sheets.problem_import import Defaults, import_problems
from taizhang.sheets.project_import import import_projects


class Command(BaseCommand):
    help = "导入单位的问题台账 (Import a unit's ledger from .xlsx, .xls, .ods or .csv)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--kind",
            choices=["problems", "suggestions", "projects", "orgs", "users", "members"],
            default="problems",
        )
        parser.add_argument("--campaign", help="campaign slug (problems)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="import the valid rows; refused rows go to --errors",
        )
        parser.add_argument("--errors", help="write refused rows to this .xlsx")
        parser.add_argument(
            "--area", default="", help="聚焦领域 for rows that name none (problems)"
        )
        parser.add_argument(
            "--source", default="", help="来源 for rows that name none, e.g. 督导发现 (problems)"
        )
        parser.add_argument(
            "--sheet", default="", help="read only this sheet (default: every ledger sheet)"
        )
        parser.add_argument(
            "--header-row", type=int, default=None, help="the header's row, from 1 (problems)"
        )
        parser.add_argument(
            "--year", type=int, default=None, help="年度 for rows that name none (projects)"
        )
        parser.add_argument(
            "--user", default="", help="who imports (projects; default: the campaign office)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--json",
            action="store_true",
            help="print one JSON summary of what was read and done (problems)",
        )

    def _bar(self, stage: str, done: int, total: int) -> None:
        draw_bar(self.stderr, stage, done, total, last=stage == "写入" and done >= total)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] in ("orgs", "users", "members"):
            self._directory(options)
            return
        if not options["campaign"]:
            raise CommandError("导入问题和意见建议需要 --campaign (--campaign is required)")
        campaign = Campaign.objects.select_related("org").filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"找不到活动 {options['campaign']} (no such campaign)")
        if options["kind"] == "suggestions":
            self._suggestions(campaign, options)
            return
        if options["kind"] == "projects":
            self._projects(campaign, options)
            return
        errors_out = Path(options["errors"]) if options["errors"] else None
        started = time.perf_counter()
        try:
            result = import_problems(
                Path(options["file"]),
                campaign=campaign,
                dry_run=options["dry_run"],
                partial=options["partial"],
                error_file=errors_out,
                progress=None if options["no_progress"] or options["json"] else self._bar,
                defaults=Defaults(focus_area=options["area"], source=options["source"]),
                sheet=options["sheet"],
                header_row=options["header_row"],
            )
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        search.flush()  # the imported problems are found before this command returns
        seconds = time.perf_counter() - started
        if options["json"]:
            summary = {**result.summary(), "seconds": round(seconds, 1)}
            summary["refused"] = [str(e) for e in result.refused[:200]]
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            if result.refused and not options["partial"]:
                raise CommandError("有错误,未导入任何行(nothing imported)")
            return
        for error in result.refused[:50]:
            self.stderr.write(str(error))
        if len(result.refused) > 50:
            self.stderr.write(f"…… 另有 {len(result.refused) - 50} 处错误")
        verb = "将" if options["dry_run"] or not result.written else "已"
        for skipped in result.skipped[:20]:
            self.stdout.write(f"跳过 {skipped}")
        self.stdout.write(
            f"{verb}新增 {result.created} 条,{verb}更新 {result.updated} 条,"
            f"已有且无变化 {result.unchanged} 条,"
            f"跳过 {len(result.skipped)} 行(不是问题),"
            f"拒收 {result.refused_rows} 行(用时 {seconds:.1f} 秒)"
        )
        if result.matched:
            self.stdout.write(
                f"其中 {result.matched} 行没有编号,按责任单位和问题文字找到了已有的问题"
            )
        if result.error_file:
            self.stdout.write(f"未导入的行及原因见:{result.error_file}")
        if result.refused and options["dry_run"]:
            raise CommandError("检查发现错误(the check found errors);改正后再导入")
        if result.refused and not options["partial"]:
            raise CommandError("有错误,未导入任何行(nothing imported);改正后重试,或加 --partial")

    def _directory(self, options: dict[str, Any]) -> None:
        from taizhang.sheets.directory_import import import_orgs, import_users
        from taizhang.sheets.member_import import import_members

        work = {"orgs": import_orgs, "users": import_users, "members": import_members}[
            options["kind"]
        ]
        try:
            result = work(Path(options["file"]), dry_run=options["dry_run"])
        except ImportRefused as exc:
            raise CommandError("有错误,未导入任何行:\n" + str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        verb = "将" if options["dry_run"] else "已"
        self.stdout.write(f"{verb}新增 {result.created} 个,{verb}更新 {result.updated} 个。")

    def _suggestions(self, campaign: Any, options: dict[str, Any]) -> None:
        from taizhang.sheets.suggestion_import import import_suggestions

        try:
            result = import_suggestions(
                Path(options["file"]), campaign=campaign, dry_run=options["dry_run"]
            )
        except ImportRefused as exc:
            raise CommandError("有错误,未导入任何行:\n" + str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        verb = "将" if options["dry_run"] else "已"
        self.stdout.write(f"{verb}登记 {result.created} 条意见建议。")

    def _projects(self, campaign: Campaign, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            result = import_projects(
                Path(options["file"]), campaign=campaign, by=_importer(campaign, options["user"]),
                year=options["year"], dry_run=options["dry_run"], partial=options["partial"],
            )  # fmt: skip
        except ImportRefused as exc:
            lines = [str(e) for e in exc.errors[:50]]
            raise CommandError("有错误,未导入任何行:\n" + "\n".join(lines)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for error in result.refused[:50]:
            self.stderr.write(str(error))
        verb = "将" if options["dry_run"] else "已"
        refused_rows = len({(e.sheet, e.row) for e in result.refused})
        self.stdout.write(
            f"{verb}新增 {result.created} 个项目,{verb}更新 {result.updated} 个,"
            f"无变化 {result.unchanged} 个,跳过分组标题 {result.headings} 行,拒收 {refused_rows} 行"
            f"(用时 {time.perf_counter() - started:.1f} 秒)"
        )


def _importer(campaign: Campaign, name: str) -> Any:
    """The user an import acts as: the one named, else the campaign office's first account."""
    if name:
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"找不到用户 {name} (no such user)")
        return user
    office = (
        RoleAssignment.objects.filter(org=campaign.org, role=Role.OFFICE, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if office is None:
        raise CommandError("活动办公室没有账号,请用 --user 指定导入人 (give --user)")
    return office.user
