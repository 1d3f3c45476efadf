"""The demo's security audit log: a security auditor (安全审计员) and a morning's worth of what
an assessor looks for, written through the same signals and services a real day would use."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_login_failed

from taizhang.audit import duties
from taizhang.audit.access import AUDITOR_GROUP
from taizhang.audit.context import Actor, acting_as
from taizhang.audit.services import record_download, record_export
from taizhang.campaigns.models import Campaign
from taizhang.intake.auditing import record_identity_views
from taizhang.intake.models import Suggestion

AUDITOR = ("auditor", "市信息中心安全审计员 吴敏")
# (user, address) as the morning's logins came in, through the city's intranet.
LOGINS = [("office", "10.12.3.45"), ("yaodu_handler", "10.21.8.17"), ("city_leader", "10.12.1.9"),
          ("operator", "10.12.7.30"), ("yaodu_admin", "10.21.2.4")]  # fmt: skip


def build_audit_trail(campaign: Campaign, password: str) -> None:
    User = get_user_model()
    auditor = User.objects.create_user(username=AUDITOR[0], password=password)
    auditor.first_name = AUDITOR[1]
    auditor.save()
    duties.set_up()  # the three separated duties, with their permissions
    Group.objects.get(name=AUDITOR_GROUP).user_set.add(auditor)
    users = {u.username: u for u in User.objects.filter(username__in=[n for n, _ in LOGINS])}
    # Someone mistyped a password twice before getting in.
    for _attempt in range(2):
        with acting_as(Actor(None, "", "10.21.8.17")):
            user_login_failed.send(sender=User, credentials={"username": "yaodu_handler"})
    for name, address in LOGINS:
        with acting_as(Actor(users[name].pk, name, address)):
            user_logged_in.send(sender=User, request=None, user=users[name])
    with acting_as(Actor(users["office"].pk, "office", "10.12.3.45")):
        open_problems = campaign.problems.filter(status="rectifying").count()
        record_export(f"台账 {campaign.slug}", rows=open_problems, query="status=rectifying",
                      fmt="xlsx")  # fmt: skip
        record_download("证明材料", f"{campaign.slug.upper()}-000012 整改完成照片.jpg")
    with acting_as(Actor(users["operator"].pk, "operator", "10.12.7.30")):
        seen = list(Suggestion.objects.filter(campaign=campaign).exclude(phone_hash="")[:3])
        record_identity_views(seen, "callback")
