"""API tokens (接口令牌): made by a user for a system that acts as them (a hotline system, an
Open311 client), shown once and stored only as a digest, with a purpose, a scope, an expiry,
and revocation. The scope narrows what the user's roles allow: read only, or intake only
(posting citizens' requests), or everything the user may do."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    FULL = "full", _("与本人权限相同")
    READ = "read", _("只读")
    INTAKE = "intake", _("只能提交诉求(热线、Open311 系统)")


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens",
        verbose_name=_("用户"),
    )  # fmt: skip
    name = models.CharField(_("用途"), max_length=100)
    # The key's first characters, to tell tokens apart; the key itself is never stored.
    prefix = models.CharField(_("令牌前缀"), max_length=12)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(
        _("权限范围"), max_length=8, choices=TokenScope.choices, default=TokenScope.FULL
    )
    created_at = models.DateTimeField(_("创建时间"))
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
