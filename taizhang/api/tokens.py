"""Making, finding and revoking API tokens. A key is 43 random URL-safe characters after
"tz_" (256 bits): its SHA-256 digest is what is stored and looked up."""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.api.models import ApiToken, TokenScope
from taizhang.audit.models import AuditKind
from taizhang.audit.services import record

PREFIX = "tz_"
MAX_DAYS = 3 * 366


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue(user: Any, *, name: str, scope: str = TokenScope.FULL, days: int | None = 365
          ) -> tuple[ApiToken, str]:  # fmt: skip
    """A new token for `user`; returns it and its key, which is shown this once only."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请写明令牌的用途(哪个系统使用它)。"))
    if scope not in TokenScope.values:
        raise ValidationError(_("请选择令牌的权限范围。"))
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValidationError(_("有效期应为 1 至 %(n)d 天。") % {"n": MAX_DAYS})
    key = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[:10], digest=digest(key), scope=scope,
        created_at=now, expires_at=now + dt.timedelta(days=days) if days else None,
    )  # fmt: skip
    record(AuditKind.TOKEN_CREATE,
           _("为 %(u)s 创建 API 令牌“%(n)s”(%(s)s)") % {"u": user.get_username(), "n": token.name,
                                                     "s": token.get_scope_display()},
           target=user.get_username(), detail={"token": token.prefix, "scope": scope,
                                               "expires_at": str(token.expires_at)})  # fmt: skip
    return token, key


def find(key: str) -> ApiToken | None:
    """The active token with this key (revoked and expired ones are not found)."""
    if not key:  # (keys made before tokens were hashed have no "tz_" in front)
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
    return token if token is not None and token.active else None


@transaction.atomic
def revoke(token: ApiToken, *, by: Any) -> None:
    if token.user_id != by.pk and not by.has_perm("api.change_apitoken"):
        raise PermissionDenied(_("只能撤销自己的令牌。"))
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])  # and every process forgets it (api.apps)
    record(
        AuditKind.TOKEN_CREATE,
        _("撤销 %(u)s 的 API 令牌“%(n)s”") % {"u": token.user.get_username(), "n": token.name},
        target=token.user.get_username(),
        detail={"token": token.prefix, "revoked": True},
    )
