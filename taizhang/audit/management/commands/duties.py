from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from taizhang.audit.duties import DUTIES, set_up


class Command(BaseCommand):
    help = (
        "三员分立:建立系统管理员、安全管理员、安全审计员三个组及其权限,并列出各组成员 "
        "(set up the three separated duties and list who holds them)"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        made = set_up()
        users = get_user_model().objects.filter(groups__name__in=DUTIES, is_active=True)
        for name in DUTIES:
            holders = sorted(u.username for u in users.filter(groups__name=name))
            self.stdout.write(f"{name}:{made[name]} 项权限;成员 {'、'.join(holders) or '无'}")
        supers = get_user_model().objects.filter(is_superuser=True, is_active=True)
        if supers.exists():
            self.stdout.write(
                f"超级用户(仅用于安装和升级,日常请停用):{'、'.join(u.username for u in supers)}"
            )
