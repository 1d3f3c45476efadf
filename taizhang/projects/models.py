"""项目库: the key-project and investment-promotion pipelines, their monthly reports, the stage
changes the level above confirms, and the ledger problems that block them (要素保障问题).

Amounts are in 万元 (ten thousand yuan), as offices keep them; the figures show 亿元."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import Problem
from taizhang.orgs.models import Org


class Stage(models.TextChoices):
    PLANNING = "planning", _("谋划")
    RESERVE = "reserve", _("储备")
    SIGNED = "signed", _("签约")
    STARTED = "started", _("开工")
    COMPLETED = "completed", _("投产(竣工)")


STAGES: list[str] = list(Stage.values)
# The date field each stage's arrival is recorded in (the stages before signing have none).
STAGE_DATES: dict[str, str] = {
    Stage.SIGNED: "signed_on",
    Stage.STARTED: "started_on",
    Stage.COMPLETED: "finished_on",
}


def stages_from(stage: str) -> list[str]:
    """The stage and every later one: a project that has started has also been signed."""
    return STAGES[STAGES.index(stage) :]


class Pool(models.TextChoices):
    KEY = "key", _("重点项目库")
    INVESTMENT = "investment", _("招商引资项目库")
    NEGOTIATING = "negotiating", _("在谈跟进项目库")
    SIGNING = "signing", _("储备签约开工项目库")


class ProjectKind(models.TextChoices):
    INDUSTRY = "industry", _("产业")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    LIVELIHOOD = "livelihood", _("民生")
    SOCIAL = "social", _("社会事业")
    ECOLOGY = "ecology", _("生态环保")
    OTHER = "other", _("其他")


class Need(models.TextChoices):
    LAND = "land", _("用地")
    ENERGY = "energy", _("能耗")
    FUNDING = "funding", _("资金")
    APPROVAL = "approval", _("审批")
    OTHER = "other", _("其他")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("在库")
    VOID = "void", _("已作废")


class Project(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="projects")
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.CharField(_("项目编号"), max_length=30)
    name = models.CharField(_("项目名称"), max_length=200)
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="projects", verbose_name=_("责任单位")
    )
    org_path = models.CharField(max_length=255)
    leader = models.CharField(_("包联领导"), max_length=60, blank=True)
    industry = models.CharField(_("所属行业"), max_length=40, blank=True)
    kind = models.CharField(
        _("项目类型"), max_length=16, choices=ProjectKind.choices, default=ProjectKind.INDUSTRY
    )
    pool = models.CharField(_("项目库"), max_length=16, choices=Pool.choices, default=Pool.KEY)
    stage = models.CharField(
        _("项目阶段"), max_length=12, choices=Stage.choices, default=Stage.PLANNING
    )
    investment_total = models.DecimalField(_("总投资(万元)"), max_digits=14, decimal_places=2)
    investment_annual = models.DecimalField(
        _("年度计划投资(万元)"), max_digits=14, decimal_places=2, default=0
    )
    # Kept by the services from the monthly reports (the figures read these, not the reports).
    done_year = models.DecimalField(
        _("年度已完成投资(万元)"), max_digits=14, decimal_places=2, default=0
    )
    done_total = models.DecimalField(
        _("累计完成投资(万元)"), max_digits=14, decimal_places=2, default=0
    )
    last_month = models.DateField(_("最近报送月份"), null=True, blank=True)
    progress_note = models.TextField(_("形象进度"), blank=True)
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    content = models.TextField(_("建设内容"), blank=True)
    sign_planned = models.DateField(_("计划签约日期"), null=True, blank=True)
    start_planned = models.DateField(_("计划开工日期"), null=True, blank=True)
    finish_planned = models.DateField(_("计划竣工日期"), null=True, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    finished_on = models.DateField(_("投产(竣工)日期"), null=True, blank=True)
    needs = models.CharField(_("要素保障需求"), max_length=60, blank=True)  # Need values, comma
    needs_note = models.TextField(_("要素保障说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    obstacles = models.ManyToManyField(
        Problem, blank=True, related_name="projects", verbose_name=_("要素保障问题")
    )

    class Meta:
        ordering = ["org_path", "number"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="unique_project_number")
        ]
        indexes = [
            models.Index(fields=["campaign", "year", "org_path"]),
            models.Index(fields=["campaign", "year", "pool", "stage"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def need_list(self) -> list[str]:
        return [n for n in self.needs.split(",") if n]

    @property
    def need_labels(self) -> list[str]:
        labels = dict(Need.choices)
        return [str(labels.get(n, n)) for n in self.need_list]


class ProjectReport(models.Model):
    """A month's report: the investment completed in that month, the stage, 形象进度."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("月份"))  # the first of the month
    done = models.DecimalField(_("当月完成投资(万元)"), max_digits=14, decimal_places=2)
    stage = models.CharField(_("项目阶段"), max_length=12, choices=Stage.choices)
    progress_note = models.TextField(_("形象进度"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["project", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="unique_project_month")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    RETURNED = "returned", _("已退回")


class StageChange(models.Model):
    """An application to move a project to a later stage, with its evidence, confirmed (or
    returned) by the level above."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=Stage.choices)
    to_stage = models.CharField(_("申请阶段"), max_length=12, choices=Stage.choices)
    on = models.DateField(_("实际日期"))
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["project", "-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status="pending"),
                name="one_pending_stage_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.from_stage}→{self.to_stage}"


class StageEvidence(models.Model):
    change = models.ForeignKey(StageChange, on_delete=models.CASCADE, related_name="evidence")
    stored_name = models.CharField(max_length=100, unique=True)
    original_name = models.CharField(max_length=200)
    file_type = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.original_name


EVENT_LABELS = {
    "created": _("登记"),
    "imported": _("导入"),
    "edited": _("修改"),
    "voided": _("作废"),
    "reported": _("月报"),
    "stage_requested": _("申请阶段变更"),
    "stage_confirmed": _("确认阶段"),
    "stage_returned": _("退回阶段申请"),
    "obstacle_linked": _("关联要素保障问题"),
    "obstacle_unlinked": _("取消关联问题"),
    "urged": _("催办"),
    "report_reminder": _("月报提醒"),
    "report_missed": _("月报逾期提醒"),
}


class ProjectEvent(models.Model):
    """The project's history, append-only: every change with who made it and when."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["project", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))
