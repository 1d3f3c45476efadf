"""Token authentication for machine clients, held briefly: a hotline system posting hundreds of
suggestions a second should not read its token, its user and its roles every time."""

import copy
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from taizhang.api import tokens
from taizhang.api.models import ApiToken, TokenScope
from taizhang.audit.models import AuditKind
from taizhang.audit.services import actor_of, record
from taizhang.core.fresh import FreshFor
from taizhang.orgs.scoping import scope_of

# A revoked token, a deactivated user or a changed role takes effect within this time in every
# server process, and at once in the one that made the change.
_tokens = FreshFor("api-tokens", seconds=5.0)


class HeldTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>`."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("令牌格式不对:应为 Authorization: Token <令牌>。"))
        return self.authenticate_credentials(parts[1].decode(errors="replace"))

    def authenticate_header(self, request: Request) -> str:
        return self.keyword

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        found = _tokens.get(key, lambda: _read(key))
        if found is None or not found[1].active:
            # A token made a moment later must work at once (here; a miss tells no other server).
            _tokens.forget(lambda k: k == key, everywhere=False)
            raise AuthenticationFailed(_("令牌无效、已过期或已撤销。"))
        user, token = found
        if not user.is_active:
            raise AuthenticationFailed(_("该用户已停用。"))
        # The first use of a token each hour is audited (not every request of a busy client).
        hour = f"{timezone.now():%Y%m%d%H}"
        if cache.add(f"audit-token-{token.pk}-{hour}", 1, timeout=3700):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
            record(AuditKind.TOKEN_USE, _("使用 %(u)s 的 API 令牌") % {"u": user.get_username()},
                   target=user.get_username(), actor=actor_of(user),
                   detail={"token": token.prefix})  # fmt: skip
        # Each request gets its own user; its scope (immutable) was read with it.
        return copy.copy(user), token


class TokenScopeAllows(BasePermission):
    """A read-only token reads; an intake-only token posts citizens' requests (the views that
    say `intake = True`); a full token does what its user may."""

    message = _("这个令牌的权限范围不允许这一操作。")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken) or token.scope == TokenScope.FULL:
            return True
        if token.scope == TokenScope.READ:
            return request.method in SAFE_METHODS
        return bool(getattr(view, "intake", False)) and request.method == "POST"


def _read(key: str) -> tuple[Any, ApiToken] | None:
    token = tokens.find(key)
    if token is None:
        return None
    scope_of(token.user)  # read now, kept with the user
    return token.user, token


def forget_tokens(**kwargs: object) -> None:
    _tokens.forget()
