from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.ledger.models import Evidence, Measure, Problem
from taizhang.orgs.models import Org


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("提醒")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")
    LISTED = "listed", _("挂牌督办")


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("待回复")
    REPLIED = "replied", _("已回复")


class Notice(models.Model):
    """A reminder, urging notice or supervision order to a problem's lead unit, with its reply."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="notices")
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("类型"), max_length=10, choices=NoticeKind.choices)
    # Once per problem (or measure), kind and deadline: the scheduled job can run any number of
    # times, on any number of workers, and raise each notice once.
    key = models.CharField(max_length=80, unique=True)
    issued_on = models.DateField(_("发出日期"), db_index=True)
    issued_at = models.DateTimeField(_("发出时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发出人"),
    )
    deadline = models.DateField(_("整改时限"), null=True)
    text = models.TextField(_("内容"))
    reply_due = models.DateField(_("回复期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN
    )
    reply = models.TextField(_("回复"), blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_on_time = models.BooleanField(null=True)
    # The run that told the recipients (two workers racing tell them once).
    told_by = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("督办通知")
        verbose_name_plural = _("督办通知")
        indexes = [models.Index(fields=["campaign", "kind", "issued_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.problem_id}"


class InspectionTeam(models.Model):
    """A 巡回指导组: members who see the orgs assigned to the team, read-only."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("名称"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teams", verbose_name=_("成员")
    )
    orgs = models.ManyToManyField(Org, blank=True, related_name="+", verbose_name=_("负责单位"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "name"]
        verbose_name = _("督导组")
        verbose_name_plural = _("督导组")
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="unique_team")]

    def __str__(self) -> str:
        return self.name


class SpotCheck(models.Model):
    """One draw of closed problems of a unit, to be checked on the spot (抽查)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    round = models.PositiveIntegerField(_("轮次"))
    focus_area = models.ForeignKey(
        FocusArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    seed = models.BigIntegerField(_("随机种子"))
    population = models.PositiveIntegerField(_("可抽总数"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("抽取时间"))

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        verbose_name = _("抽查")
        verbose_name_plural = _("抽查")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org", "round"], name="unique_check_round")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} #{self.round}"


class CheckResult(models.TextChoices):
    PENDING = "pending", _("待检查")
    PASSED = "passed", _("通过")
    FAILED = "failed", _("不通过")


class SpotCheckItem(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="items")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="spot_checks")
    org_path = models.CharField(max_length=255, db_index=True)
    result = models.CharField(
        _("结果"), max_length=10, choices=CheckResult.choices, default=CheckResult.PENDING
    )
    reason = models.TextField(_("理由"), blank=True)
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["spot_check", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "problem"], name="unique_check_problem")
        ]

    def __str__(self) -> str:
        return f"{self.spot_check_id}/{self.problem_id}"
