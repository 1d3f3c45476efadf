from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportMapping(models.Model):
    """A header a user's files use, matched once to a field and reused for every later import."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, default="problems")
    header = models.CharField(_("表头"), max_length=100)
    field = models.CharField(_("对应字段"), max_length=30)

    class Meta:
        verbose_name = _("导入列对应")
        verbose_name_plural = _("导入列对应")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "header"], name="unique_import_mapping")
        ]

    def __str__(self) -> str:
        return f"{self.header} → {self.field}"


class ImportKind(models.TextChoices):
    PROBLEMS = "problems", _("问题台账")
    SUGGESTIONS = "suggestions", _("意见建议")
    ORGS = "orgs", _("单位")
    USERS = "users", _("人员和角色")
    MEMBERS = "members", _("成员")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    MAPPING = "mapping", _("需要对应表头")
    DONE = "done", _("已完成")
    REFUSED = "refused", _("有错误,未导入")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


# The stages an import reports (`progress(stage, done, total)`), as a reader sees them.
STAGES = {"检查": _("检查"), "写入": _("写入"), "保存": _("保存")}


class ImportJob(models.Model):
    """A large file imported in the background, with its progress and its outcome."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=ImportKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stored_name = models.CharField(max_length=100)
    file_name = models.CharField(_("文件"), max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    mode = models.CharField(max_length=10)  # check, all or partial
    status = models.CharField(
        _("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    stage = models.CharField(max_length=20, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    # host:pid of the process running it (core.runner), to tell a dead run from a live one.
    runner = models.CharField(max_length=80, blank=True)
    # What the importer chose for the whole file: {"defaults": {"focus_area": …, "source": …}}.
    options = models.JSONField(default=dict, blank=True)
    # created, updated, refused_rows, errors (the first 200), more_errors, written, cells
    result = models.JSONField(default=dict)
    error_token = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.status}"

    @property
    def stage_display(self) -> str:
        return str(STAGES.get(self.stage, self.stage))

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.DONE, JobStatus.REFUSED):
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
