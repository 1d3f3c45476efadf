"""双因素认证 (GB/T 22239-2019 8.1.4.1 d: 两种或两种以上组合的鉴别技术): the roles a campaign
names (`second_factor_roles`: office, leaders, admins by default) give a code from any
authenticator app after their password — TOTP, working offline — or one of ten single-use
recovery codes. Until they do, every page leads to the second-factor page."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.audit import totp
from taizhang.audit.lockout import count_failure
from taizhang.audit.models import AuditKind, SecondFactor
from taizhang.audit.services import record
from taizhang.campaigns.models import Campaign
from taizhang.identity.backends import SINGLE_SIGN_ON
from taizhang.orgs.scoping import scope_of

STATE = "_second_factor"  # "pending" or "ok", per session
# Not the API: a session that owes its second factor must not use it with its cookie meanwhile.
OPEN_PREFIXES = ("/account/second-factor/", "/logout/", "/login/", "/static/", "/i18n/")


def required(user: Any) -> bool:
    roles = {g.role for g in scope_of(user).grants}
    if not roles:
        return False
    named: set[str] = set()
    for rules in Campaign.objects.values_list("rules", flat=True):
        named |= set((rules or {}).get("second_factor_roles", ["office", "leader", "admin"]))
    return bool(roles & named)


def start(session: Any, user: Any) -> None:
    """At login: whether this session still owes its second factor. A login through the
    identity platform counts as one where the platform does multi-factor itself
    (`SSO_TRUSTS_PLATFORM_MFA`)."""
    by_platform = session.get(BACKEND_SESSION_KEY) in SINGLE_SIGN_ON
    vouched = settings.SSO_TRUSTS_PLATFORM_MFA and by_platform
    session[STATE] = "pending" if required(user) and not vouched else "ok"


def enrolment(user: Any) -> SecondFactor:
    """The user's authenticator, a new unconfirmed one if they have none."""
    factor, _made = SecondFactor.objects.get_or_create(
        user=user, defaults={"secret": totp.new_secret()}
    )
    return factor  # fmt: skip


def confirm(factor: SecondFactor, code: str) -> list[str] | None:
    """The first code from the app confirms it; returns the recovery codes (shown once)."""
    step = totp.matching_step(factor.secret, code, factor.last_step)
    if step is None:
        return None
    codes = totp.recovery_codes()
    factor.confirmed_at, factor.last_step = timezone.now(), step
    factor.recovery = [totp.code_digest(c) for c in codes]
    factor.save()
    record(AuditKind.ACCOUNT, _("启用双因素认证"), target=factor.user.get_username())
    return codes


def verify(factor: SecondFactor, code: str, request: HttpRequest) -> bool:
    """A code from the app (once each) or an unused recovery code."""
    step = totp.matching_step(factor.secret, code, factor.last_step)
    name = factor.user.get_username()
    if step is not None:
        SecondFactor.objects.filter(pk=factor.pk).update(last_step=step)
        return True
    digest = totp.code_digest(code)
    if digest in factor.recovery:
        factor.recovery = [d for d in factor.recovery if d != digest]
        factor.save(update_fields=["recovery"])
        left = {"n": len(factor.recovery)}
        record(AuditKind.LOGIN, _("用恢复码通过双因素认证(剩 %(n)d 个)") % left, target=name)
        return True
    record(AuditKind.LOGIN_FAILED, _("双因素认证失败:动态口令不对"), target=name)
    count_failure(name, request)  # wrong codes count toward the lock-out, as passwords do
    return False


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            if STATE not in request.session:  # a session from before this check existed
                start(request.session, user)
            if request.session[STATE] != "ok" and not request.path.startswith(OPEN_PREFIXES):
                return redirect(f"{reverse('second_factor')}?next={request.path}")
        return self.get_response(request)
