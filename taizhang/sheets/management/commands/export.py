import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from taizhang.audit.services import record_export
from taizhang.campaigns.models import Campaign
from taizhang.core.replicas import replica_reads
from taizhang.intake.models import Suggestion
from taizhang.ledger.models import Problem
from taizhang.meetings.models import Meeting
from taizhang.orgs.finding import resolve_unit
from taizhang.projects.models import Project, ProjectStatus
from taizhang.sheets.ledger_export import export_problems
from taizhang.sheets.meeting_export import export_meetings
from taizhang.sheets.project_export import export_projects
from taizhang.sheets.suggestion_export import export_suggestions


class Command(BaseCommand):
    help = "导出台账为 Excel 或 CSV (Export the ledger or the suggestions as .xlsx or .csv)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--kind",
            choices=["problems", "suggestions", "meetings", "projects"],
            default="problems",
        )
        parser.add_argument("--campaign", required=True, help="campaign slug")
        parser.add_argument("--org", help="only this unit's subtree (problems, projects)")
        parser.add_argument("--year", type=int, help="projects: only this year's")
        parser.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv")
        parser.add_argument(
            "--with-personal-data",
            action="store_true",
            help="suggestions: names and phone numbers unmasked",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with replica_reads():  # read-only: a replica may answer
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        out = Path(options["out"])
        if out.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("--out 应以 .xlsx 或 .csv 结尾 (must end in .xlsx or .csv)")
        if not out.parent.exists():
            raise CommandError(f"目录不存在:{out.parent}")
        campaign = Campaign.objects.select_related("org").filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"找不到活动 {options['campaign']} (no such campaign)")
        started = time.perf_counter()
        if options["kind"] == "projects":
            projects = Project.objects.filter(campaign=campaign, status=ProjectStatus.ACTIVE)
            if options["year"]:
                projects = projects.filter(year=options["year"])
            if options["org"]:
                projects = projects.filter(org_path__under=self._org(campaign, options).path)
            count = export_projects(projects, campaign=campaign, out=out)
        elif options["kind"] == "meetings":
            count = export_meetings(
                Meeting.objects.filter(campaign=campaign), campaign=campaign, out=out
            )
        elif options["kind"] == "suggestions":
            count = export_suggestions(
                Suggestion.objects.filter(campaign=campaign),
                campaign=campaign,
                out=out,
                unmask=options["with_personal_data"],
            )
        else:
            problems = Problem.objects.filter(campaign=campaign)
            org = self._org(campaign, options) if options["org"] else None
            if org is not None:
                problems = problems.filter(org_path__under=org.path)
            problems = problems.order_by("org_path", "number")

            def report(done: int) -> None:
                if sys.stderr.isatty():
                    sys.stderr.write(f"\r  {done} …")

            count = export_problems(problems, campaign=campaign, org=org, out=out, progress=report)
        personal = options["kind"] == "suggestions" and options["with_personal_data"]
        record_export(
            f"{options['kind']} {campaign.slug}" + (" 含个人信息" if personal else ""),
            rows=count,
            query=f"org={options['org'] or ''}",
            fmt=out.suffix.lstrip("."),
        )
        self.stdout.write(f"已导出 {count} 行到 {out}(用时 {time.perf_counter() - started:.1f} 秒)")

    def _org(self, campaign: Campaign, options: dict[str, Any]) -> Any:
        try:
            return resolve_unit(options["org"], campaign.org)
        except ValidationError as exc:
            raise CommandError(f"{'; '.join(exc.messages)} (no such org)") from exc
