from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.core.crypto import EncryptedTextField


class Message(models.Model):
    """A line in a user's in-app inbox (站内消息)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox"
    )
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Waiting for the user's daily digest mail (每日摘要), cleared when the digest goes out.
    in_digest = models.BooleanField(default=False, db_default=False, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")

    def __str__(self) -> str:
        return self.subject


class MailChoice(models.TextChoices):
    EACH = "each", _("每条消息都发邮件")
    DAILY = "daily", _("每日一封摘要")
    NONE = "none", _("不发邮件")


class SmsChoice(models.TextChoices):
    URGENT = "urgent", _("仅督办、挂牌督办和紧急事项")
    EACH = "each", _("每条消息都发短信")
    NONE = "none", _("不发短信")


class Contact(models.Model):
    """How a staff member wants to be told (通知方式): the inbox always; mail and SMS as chosen."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact"
    )
    mobile = EncryptedTextField(_("手机"), max_length=20, blank=True)  # encrypted at rest
    mail = models.CharField(
        _("邮件"), max_length=8, choices=MailChoice.choices, default=MailChoice.EACH,
        db_default=MailChoice.EACH,
    )  # fmt: skip
    sms = models.CharField(
        _("短信"), max_length=8, choices=SmsChoice.choices, default=SmsChoice.URGENT,
        db_default=SmsChoice.URGENT,
    )  # fmt: skip

    class Meta:
        verbose_name = _("通知方式")
        verbose_name_plural = _("通知方式")

    def __str__(self) -> str:
        return self.mobile
