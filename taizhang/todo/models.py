from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BulkStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class BulkJob(models.Model):
    """One bulk action (批量办理): who took which step on which rows, and how each row went.
    Kept as the record of the action; more than BACKGROUND_ROWS rows run in the worker."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=20)
    # What every row's step is given: a reason, a unit for 交办, a notice's text.
    params = models.JSONField(default=dict, blank=True)
    # [[problem id, version picked or null], …]: the rows, in the order they were listed.
    rows = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=BulkStatus.choices, default=BulkStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    # [{"id", "number", "outcome": done | refused | conflict, "message"}, …]
    results = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("批量办理")
        verbose_name_plural = _("批量办理")

    def __str__(self) -> str:
        return f"{self.action} × {len(self.rows)}"
