from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.intake.models import Suggestion
from taizhang.orgs.models import Org


class Target(models.TextChoices):
    AREA = "area", _("聚焦领域")
    ORG = "org", _("责任单位")


class TriageModel(models.Model):
    """A trained classifier, kept with the figures it scored when it was trained."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(_("预测对象"), max_length=8, choices=Target.choices)
    version = models.PositiveIntegerField(_("版本"))
    trained_at = models.DateTimeField(_("训练时间"))
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    train_size = models.PositiveIntegerField(_("训练样本数"))
    seed = models.IntegerField(default=0)
    labels = models.JSONField(default=list)
    # Cross-validated on the training rows: macro_f1, accuracy, folds, train_seconds.
    metrics = models.JSONField(default=dict)
    blob = models.BinaryField()

    class Meta:
        verbose_name = _("分类模型")
        verbose_name_plural = _("分类模型")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "target", "version"], name="unique_triage_model_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.target} v{self.version}"


class Basis(models.TextChoices):
    MODEL = "model", _("模型")
    KEYWORDS = "keywords", _("关键词")


class Decision(models.TextChoices):
    OPEN = "", _("待确认")
    ACCEPTED = "accepted", _("采纳")
    CORRECTED = "corrected", _("更正")


class Proposal(models.Model):
    """What the system proposes for a new suggestion, and what staff made of it."""

    suggestion = models.OneToOneField(Suggestion, on_delete=models.CASCADE, related_name="proposal")
    area = models.ForeignKey(
        FocusArea,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("建议领域"),
    )
    area_confidence = models.FloatField(_("领域置信度"), default=0.0)
    area_basis = models.CharField(max_length=10, choices=Basis.choices, blank=True)
    # Whether the model's own choice and the precedents' vote agreed (None: no model's proposal).
    area_agreed = models.BooleanField(_("领域与先例一致"), null=True)
    org = models.ForeignKey(
        Org, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("建议责任单位")
    )
    org_confidence = models.FloatField(_("单位置信度"), default=0.0)
    org_agreed = models.BooleanField(_("单位与先例一致"), null=True)
    model_versions = models.JSONField(default=dict)  # {"area": 3, "org": 1}
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("分诊建议")
        verbose_name_plural = _("分诊建议")

    def __str__(self) -> str:
        return f"{self.suggestion_id}: {self.area_id}/{self.org_id}"


class Band(models.Model):
    """One of a suggestion's locality-sensitive keys: suggestions sharing a key are candidates."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["campaign", "key"])]

    def __str__(self) -> str:
        return f"{self.suggestion_id}:{self.key}"


class RunKind(models.TextChoices):
    TOPICS = "topics", _("热点话题")
    DUPLICATES = "duplicates", _("重复聚类")
    TRAIN = "train", _("训练模型")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class Run(models.Model):
    """A background triage job (clustering, hot topics, training) with its progress."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=RunKind.choices)
    target = models.CharField(max_length=8, choices=Target.choices, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("提交时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    # host:pid of the process running it (core.runner), to tell a dead run from a live one.
    runner = models.CharField(max_length=80, blank=True)
    message = models.TextField(blank=True)
    size = models.PositiveIntegerField(_("处理条数"), default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


class Cluster(models.Model):
    """A group of suggestions found by a run: near-duplicates, or a hot topic."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="clusters")
    rank = models.PositiveIntegerField(_("排名"))
    title = models.CharField(_("代表标题"), max_length=200)
    representative = models.ForeignKey(
        Suggestion, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    size = models.PositiveIntegerField(_("条数"))
    citizens = models.PositiveIntegerField(_("群众人数"))
    votes = models.PositiveIntegerField(_("附议数"))
    score = models.FloatField(_("热度"))
    first_at = models.DateTimeField(null=True)
    last_at = models.DateTimeField(null=True)
    suggestions = models.ManyToManyField(Suggestion, related_name="+")

    class Meta:
        ordering = ["run", "rank"]

    def __str__(self) -> str:
        return f"{self.rank}. {self.title}"
