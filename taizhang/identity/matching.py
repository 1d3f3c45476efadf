"""Which taizhang account a platform's user is. The first time, by user name or by the keyed
digest of their 身份证号 (`SSO_MATCH`); from then on by the link kept in ExternalAccount, so
a renamed account is still found. Platforms do not create accounts: a person the office has
not opened an account for is told so (and the attempt is audited)."""

import hashlib
import hmac
import re
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.audit.context import Actor, request_ip
from taizhang.audit.models import AuditKind
from taizhang.audit.services import record
from taizhang.identity.models import ExternalAccount, IdNumber

ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
# Where a refused login leaves its reason for the page it lands on.
REFUSAL = "_sso_refused"


class NotAllowed(Exception):
    """The platform vouched for someone taizhang will not let in; the message says why."""


def clean_id_number(raw: str) -> str:
    number = re.sub(r"\s", "", raw or "").upper()
    if not ID_NUMBER.match(number):
        raise ValueError(_("身份证号“%(n)s”格式不正确:应为 18 位。") % {"n": raw})
    return number


def platform_form(number: str) -> str:
    """The ID number as the platform sends it (`SSO_ID_FORM`): the number itself, or its
    SHA-256 or SM3 digest in hex."""
    form = settings.SSO_ID_FORM
    if form == "plain":
        return number
    return hashlib.new(form, number.encode()).hexdigest()


def id_digest(sent: str) -> str:
    """The keyed digest stored and compared: of what the platform sends, so the plain number
    never needs to be kept, even when the platform sends only a hash of it."""
    key = (settings.SECRET_KEY + ":id-number").encode()
    value = sent.strip().upper() if settings.SSO_ID_FORM == "plain" else sent.strip().lower()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def number_digest(raw: str) -> str:
    """What is kept of an ID number as written (ValueError if it is not one)."""
    return id_digest(platform_form(clean_id_number(raw)))


def set_id_number(user: Any, raw: str) -> None:
    IdNumber.objects.update_or_create(user=user, defaults={"digest": number_digest(raw)})


def _found(platform: str, subject: str, username: str, id_sent: str) -> Any:
    link = ExternalAccount.objects.select_related("user").filter(
        platform=platform, subject=subject
    ).first()  # fmt: skip
    if link is not None:
        return link.user
    if settings.SSO_MATCH == "id_number":
        held = IdNumber.objects.select_related("user").filter(digest=id_digest(id_sent)).first()
        return held.user if id_sent and held else None
    users = list(get_user_model().objects.filter(username__iexact=username)[:2])
    return users[0] if username and len(users) == 1 else None


def account_for(platform: str, subject: str, *, username: str = "", id_sent: str = "",
                request: Any = None) -> Any:  # fmt: skip
    """The active account a platform's user (its `subject`) logs in as, linked for next
    time; NotAllowed with the reason otherwise."""
    with transaction.atomic():
        user = _found(platform, subject, username, id_sent)
        if user is not None and user.is_active:
            ExternalAccount.objects.update_or_create(
                platform=platform, subject=subject,
                defaults={"user": user, "seen_at": timezone.now()},
            )  # fmt: skip
            return user
    reason = (
        _("%(who)s 在台账系统中没有账号,请联系单位管理员开通。")
        if user is None
        else _("%(who)s 的台账账号已停用,请联系单位管理员。")
    ) % {"who": username or subject}
    refused(platform, subject, reason, request)
    raise NotAllowed(reason)


def refused(platform: str, subject: str, reason: str, request: Any = None) -> None:
    from_ip = Actor(None, "", request_ip(request))
    record(AuditKind.LOGIN_FAILED, _("统一身份认证登录被拒绝:%(r)s") % {"r": reason},
           target=subject[:150], actor=from_ip,
           detail={"platform": platform, "subject": subject})  # fmt: skip
