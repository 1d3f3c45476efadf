"""The security audit log (安全审计日志): who logged in or failed to, changed a password, was
given or lost a role, changed a setting, exported or downloaded, saw personal data unmasked, or
made or used an API token. Separate from the ledger's history, append-only in the database
itself (triggers refuse UPDATE and DELETE), and independent of user rows: a person is named by
id and user name as they were, so the log outlives any change to the accounts."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.core.crypto import EncryptedTextField


class AuditKind(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账号锁定")
    LOGOUT = "logout", _("退出登录")
    PASSWORD = "password", _("修改密码")
    ACCOUNT = "account", _("账号变更")
    ROLE_GRANT = "role_grant", _("授予角色")
    ROLE_WITHDRAW = "role_withdraw", _("撤销角色")
    SETTING = "setting", _("修改设置")
    EXPORT = "export", _("导出")
    DOWNLOAD = "download", _("下载")
    PERSONAL = "personal", _("查看个人信息")
    TOKEN_CREATE = "token_create", _("创建 API 令牌")
    TOKEN_USE = "token_use", _("使用 API 令牌")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("类别"), max_length=16, choices=AuditKind.choices)
    # Not foreign keys: an entry stays as written whatever later happens to the account.
    actor_id = models.IntegerField(_("操作人编号"), null=True)
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("地址"), null=True)
    target = models.CharField(_("对象"), max_length=255, blank=True)
    summary = models.TextField(_("内容"))
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("安全审计记录")
        verbose_name_plural = _("安全审计记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["kind", "at"], name="audit_kind_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.actor}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("AuditEntry rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("AuditEntry rows are append-only")


class PasswordRecord(models.Model):
    """Each password a user has had (its hash only), when it was set, and whether the user
    must change it at the next login (set by someone else: an administrator, an import)."""

    user = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    password = models.CharField(max_length=128)
    set_at = models.DateTimeField()
    must_change = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["user", "-set_at"], name="password_record_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.set_at:%Y-%m-%d}"


class SecondFactor(models.Model):
    """A user's authenticator (TOTP secret, encrypted at rest) and recovery codes (digests)."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="+")
    secret = EncryptedTextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)  # a code is accepted once
    recovery = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} {'confirmed' if self.confirmed_at else 'pending'}"
