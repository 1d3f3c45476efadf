"""`taizhang todo --user NAME`: a user's 我的待办 as the page shows it."""

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from taizhang.campaigns.access import named_or_latest
from taizhang.todo.services import todo_for


class Command(BaseCommand):
    help = "输出某个用户的待办 (Print a user's to-do list: kind, count, oldest item)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="user name")
        parser.add_argument("--campaign", help="campaign slug (default: the latest)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"找不到用户 {options['user']} (no such active user)")
        campaign = named_or_latest(options["campaign"])
        if campaign is None:
            raise CommandError(f"找不到活动 {options['campaign'] or ''} (no such campaign)")
        today = timezone.localdate()
        sections = todo_for(user, campaign, today)
        rows: list[dict[str, Any]] = [
            {
                "kind": s.key,
                "label": str(s.label),
                "count": s.count,
                "oldest": (
                    {"title": s.items[0].title, "url": s.items[0].url, "note": s.items[0].note,
                     "due": s.items[0].due.isoformat() if s.items[0].due else None}
                    if s.items else None
                ),
            }
            for s in sections
        ]  # fmt: skip
        if options["json"]:
            listing = {"user": user.get_username(), "campaign": campaign.slug,
                       "as_of": today.isoformat(), "total": sum(s.count for s in sections),
                       "sections": rows}  # fmt: skip
            self.stdout.write(json.dumps(listing, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{user.get_username()} · {campaign.name} · {today}")
        if not rows:
            self.stdout.write("没有待办 (nothing to do)")
        for row in rows:
            first = row["oldest"]["title"] if row["oldest"] else ""
            self.stdout.write(f"{row['label']}\t{row['count']}\t{first}")
