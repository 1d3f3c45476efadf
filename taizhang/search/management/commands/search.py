"""`taizhang search --campaign SLUG [--user NAME] [--kind problems|suggestions] [--json] QUERY`:
the full-text search from the shell, as the user (or, without --user, the whole campaign);
`taizhang search --rebuild [--campaign SLUG]` writes the index afresh."""

import json
import re
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from taizhang.campaigns.access import named_or_latest
from taizhang.campaigns.models import Campaign
from taizhang.core import receipts
from taizhang.intake.searchable import search_suggestions
from taizhang.ledger.searchable import search_problems
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import Grant, Scope
from taizhang.search import services
from taizhang.search.engine import Results

MARKS = re.compile(r"</?mark>")


class Command(BaseCommand):
    help = "全文检索问题或意见建议 (Full-text search of problems or suggestions)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("query", nargs="?", default="", help="words to find")
        parser.add_argument("--campaign", help="campaign slug (default: the latest)")
        parser.add_argument("--user", help="search as this user, in their scope")
        parser.add_argument("--kind", choices=["problems", "suggestions"], default="problems")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--rebuild", action="store_true", help="write the index afresh")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = named_or_latest(options["campaign"])
        if campaign is None:
            raise CommandError(f"找不到活动 {options['campaign'] or ''} (no such campaign)")
        if options["rebuild"]:
            self._rebuild(campaign if options["campaign"] else None)
            return
        if not options["query"].strip():
            raise CommandError("请给出要检索的字词 (give the words to find)")
        users = get_user_model().objects
        if options["user"]:
            user = users.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"找不到用户 {options['user']} (no such active user)")
        else:  # a tool's search: the campaign's office's, never anyone's name or number
            user = get_user_model()(username="taizhang", is_active=True)
            office = Grant(role=Role.OFFICE, org_id=campaign.org_id, path=campaign.org.path)
            user._taizhang_scope = Scope(grants=(office,))  # type: ignore[attr-defined]
        services.flush()
        started = time.perf_counter()
        found: Results[Any]
        if options["kind"] == "problems":
            found = search_problems(user, campaign, options["query"], limit=options["limit"])
            rows = [
                {"id": f.problem.pk, "number": f.problem.number, "title": f.problem.title,
                 "org": f.problem.org.name, "status": f.problem.status, "field": f.field,
                 "text": MARKS.sub("", str(f.text)), "marked": str(f.text),
                 "url": reverse("problem_detail", args=[f.problem.pk])}
                for f in found.found
            ]  # fmt: skip
        else:
            found = search_suggestions(user, campaign, options["query"], limit=options["limit"])
            rows = [
                {"id": f.suggestion.pk, "receipt_code": receipts.display(f.suggestion.receipt_code),
                 "title": f.suggestion.title, "status": f.suggestion.status,
                 "text": MARKS.sub("", str(f.text)), "marked": str(f.text)}
                for f in found.found
            ]  # fmt: skip
        ms = (time.perf_counter() - started) * 1000
        if options["json"]:
            out = {"campaign": campaign.slug, "kind": options["kind"], "query": options["query"],
                   "total": found.total, "capped": found.capped, "ms": round(ms, 1),
                   "results": rows}  # fmt: skip
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        more = "+" if found.capped else ""
        self.stdout.write(f"共 {found.total}{more} 条 ({found.total}{more} matches, {ms:.0f} ms)")
        for row in rows:
            code = row.get("number") or row.get("receipt_code")
            self.stdout.write(f"{code}\t{row['title']}\t{row['text']}")

    def _rebuild(self, campaign: Campaign | None) -> None:
        started = time.perf_counter()

        def progress(kind: str, done: int) -> None:
            if done % 50_000 < services.CHUNK:
                self.stdout.write(f"  {kind} {done}")

        counts = services.rebuild(campaign_id=campaign.pk if campaign else None, progress=progress)
        took = time.perf_counter() - started
        listed = ", ".join(f"{kind} {n}" for kind, n in counts.items())
        self.stdout.write(f"索引已重建 (index rebuilt): {listed}, {took:.1f} s")
