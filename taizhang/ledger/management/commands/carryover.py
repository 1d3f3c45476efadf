from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from taizhang.campaigns.models import Campaign
from taizhang.ledger.carryover import carry_over


class Command(BaseCommand):
    help = "把上一轮活动的未销号问题结转到下一轮 (Carry open problems over to the next campaign)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="source", required=True, help="previous campaign slug")
        parser.add_argument("--to", dest="target", required=True, help="next campaign slug")
        parser.add_argument("--by", required=True, help="username of a campaign-office user")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="focus area of the old campaign = focus area of the new one (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = {
            c.slug: c
            for c in Campaign.objects.filter(slug__in=[options["source"], options["target"]])
        }
        for slug in (options["source"], options["target"]):
            if slug not in campaigns:
                raise CommandError(f"找不到活动 {slug} (no such campaign)")
        user = get_user_model().objects.filter(username=options["by"]).first()
        if user is None:
            raise CommandError(f"找不到用户 {options['by']} (no such user)")
        area_map = {}
        for pair in options["map"]:
            if "=" not in pair:
                raise CommandError(f"--map 应写成 旧领域=新领域:{pair}")
            old, new = pair.split("=", 1)
            area_map[old.strip()] = new.strip()
        try:
            count = carry_over(
                source=campaigns[options["source"]],
                target=campaigns[options["target"]],
                by=user,
                area_map=area_map,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"已结转 {count} 个未销号问题 (carried over)。")
