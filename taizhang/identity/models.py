from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    LDAP = "ldap", _("目录 (LDAP / AD)")
    OIDC = "oidc", _("OpenID Connect")
    CAS = "cas", _("CAS")


class ExternalAccount(models.Model):
    """A user as an identity platform knows them: the directory entry's DN, the OpenID
    Connect subject or the CAS user. Linked at the first login or by the directory sync; a
    platform's user is found by this link from then on, whatever their name becomes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_accounts",
        verbose_name=_("用户"),
    )  # fmt: skip
    platform = models.CharField(_("平台"), max_length=8, choices=Platform.choices)
    subject = models.CharField(_("平台内标识"), max_length=400)
    linked_at = models.DateTimeField(_("关联时间"), auto_now_add=True)
    seen_at = models.DateTimeField(_("最近一次见到"), null=True, blank=True)
    # Set when the directory sync deactivated the user because the entry left or was disabled;
    # a sync that finds them again reactivates only such users, not ones an admin turned off.
    left_at = models.DateTimeField(_("离开目录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("外部账号")
        verbose_name_plural = _("外部账号")
        constraints = [
            models.UniqueConstraint(fields=["platform", "subject"], name="unique_external_subject")
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.subject}"


class IdNumber(models.Model):
    """The keyed digest of a user's 身份证号 (identity.matching.id_digest), never the number:
    platforms that name people by ID number find the account by it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="id_number"
    )
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("身份证号摘要")
        verbose_name_plural = _("身份证号摘要")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest[:8]}…"
