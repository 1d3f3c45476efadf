"""Token authentication for machine clients, held briefly: a hotline system posting hundreds of
suggestions a second should not read its token, its user and its roles every time."""

import copy
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from taizhang.audit.models import AuditKind
from taizhang.audit.services import actor_of, record
from taizhang.core.fresh import FreshFor
from taizhang.orgs.scoping import scope_of

# A revoked token, a deactivated user or a changed role takes effect within this time in every
# server process, and at once in the one that made the change.
_tokens = FreshFor(seconds=5.0)


class HeldTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        found = _tokens.get(key, lambda: _read(key))
        if found is None:
            _tokens.forget(lambda k: k == key)  # a token made a moment later must work at once
            raise AuthenticationFailed(_("令牌无效。"))
        user, token = found
        if not user.is_active:
            raise AuthenticationFailed(_("该用户已停用。"))
        # The first use of a token each hour is audited (not every request of a busy client).
        if cache.add(f"audit-token-{token.pk}-{timezone.now():%Y%m%d%H}", 1, timeout=3700):
            record(AuditKind.TOKEN_USE, _("使用 %(u)s 的 API 令牌") % {"u": user.get_username()},
                   target=user.get_username(), actor=actor_of(user),
                   detail={"token": token.key[:6]})  # fmt: skip
        # Each request gets its own user; its scope (immutable) was read with it.
        return copy.copy(user), token


def _read(key: str) -> tuple[Any, Token] | None:
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None:
        return None
    scope_of(token.user)  # read now, kept with the user
    return token.user, token


def token_made(sender: Any, instance: Token, created: bool, **kwargs: Any) -> None:
    if created:
        name = instance.user.get_username()
        record(AuditKind.TOKEN_CREATE, _("为 %(u)s 创建 API 令牌") % {"u": name}, target=name,
               detail={"token": instance.key[:6]})  # fmt: skip


def forget_tokens(**kwargs: object) -> None:
    _tokens.forget()
