from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.intake.models import Rating, Suggestion
from taizhang.orgs.models import Org


class CallReason(models.TextChoices):
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已销号")
    UNSATISFIED = "unsatisfied", _("实名不满意")


class CallStatus(models.TextChoices):
    PENDING = "pending", _("待回访")
    DONE = "done", _("已回访")
    UNREACHABLE = "unreachable", _("无法联系")


class CallBack(models.Model):
    """A call to the citizen behind a suggestion (回访): was it solved, and how do they rate it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    suggestion = models.ForeignKey(Suggestion, on_delete=models.PROTECT, related_name="callbacks")
    reason = models.CharField(_("回访原因"), max_length=12, choices=CallReason.choices)
    key = models.CharField(max_length=80, unique=True)  # one call per outcome
    priority = models.BooleanField(_("优先"), default=False)
    queued_at = models.DateTimeField(_("进入队列"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=CallStatus.choices, default=CallStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("拨打次数"), default=0)
    reached = models.BooleanField(_("接通"), null=True)
    solved = models.BooleanField(_("问题解决"), null=True)
    rating = models.PositiveSmallIntegerField(_("评价"), choices=Rating.choices, null=True)
    notes = models.TextField(_("备注"), blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField(_("回访时间"), null=True, blank=True)

    class Meta:
        ordering = ["-priority", "queued_at", "pk"]
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.reason}"


class Snapshot(models.Model):
    """The figures of one org on one day, frozen: a published number can be reproduced."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    figures = models.JSONField()
    taken_at = models.DateTimeField()
    # The campaign's history chain when the figures were frozen (ledger.chain): its last row's
    # number and digest, so the figures can later be checked against the rows they came from.
    chain_seq = models.BigIntegerField(null=True)
    chain_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org", "day"], name="unique_snapshot")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.day}"
