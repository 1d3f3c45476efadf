from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.orgs.models import Org


class Source(models.TextChoices):
    SELF_FOUND = "self_found", _("自查")
    SUGGESTION = "suggestion", _("意见建议")
    INSPECTION = "inspection", _("督导发现")
    ASSIGNED = "assigned", _("上级交办")
    MEETING = "meeting", _("会议查摆")


class Kind(models.TextChoices):
    IMMEDIATE = "immediate", _("立行立改")
    DEADLINE = "deadline", _("限期整改")
    LONG_TERM = "long_term", _("长期坚持")


class Status(models.TextChoices):
    DRAFT = "draft", _("待交办")
    ASSIGNED = "assigned", _("待签收")
    RECTIFYING = "rectifying", _("整改中")
    PENDING = "pending", _("待审核")
    CLOSED = "closed", _("已销号")
    VOID = "void", _("已作废")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.DRAFT, Status.ASSIGNED, Status.RECTIFYING, Status.PENDING)
# Void and merged problems leave the denominator of every rate.
UNCOUNTED_STATUSES = (Status.VOID, Status.MERGED)


class Problem(models.Model):
    """One row of the ledger (台账)."""

    # Indexed first in the composite indexes below; an index of its own would only slow writes.
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("活动"),
        db_index=False,
    )
    number = models.CharField(_("编号"), max_length=40)
    title = models.CharField(_("问题"), max_length=300)
    description = models.TextField(_("问题描述"), blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.PROTECT, related_name="problems", verbose_name=_("聚焦领域")
    )
    # The area was proposed by the triage model when an imported ledger named none: it counts
    # where it was proposed until someone who may edit the problem confirms or corrects it.
    focus_area_proposed = models.BooleanField(_("聚焦领域待确认"), default=False, db_default=False)
    # 重大紧急: shorter default time limits, texts to those who want them only for what is
    # urgent, and a list of its own at the top of every 我的待办.
    urgent = models.BooleanField(_("重大紧急"), default=False, db_default=False)
    # 签收时限 of the dispatch waiting to be signed (a copy of it, for lists and their order).
    sign_by = models.DateField(_("签收时限"), null=True, blank=True)
    # 退单待审: the unit declined it and the dispatcher has not yet decided; meanwhile the unit
    # neither signs nor declines again.
    declining = models.BooleanField(_("退单待审"), default=False, db_default=False)
    org = models.ForeignKey(  # indexed first in problem_org_status
        Org,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("责任单位"),
        db_index=False,
    )
    # A copy of org.path so that subtree filters need no join; orgs.services.move_org keeps it.
    org_path = models.CharField(max_length=400, editable=False)
    cooperating_orgs = models.ManyToManyField(
        Org, blank=True, related_name="cooperating_problems", verbose_name=_("协办单位")
    )
    responsible_leader = models.CharField(_("责任领导"), max_length=60, blank=True)
    responsible_person = models.CharField(_("责任人"), max_length=60, blank=True)
    kind = models.CharField(_("整改类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("时限待定"), default=False)
    # What an automatically computed deadline was counted from, to recount it later.
    deadline_basis = models.DateField(null=True, blank=True, editable=False)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    # 定期调度: "" follows the campaign's rhythm; "none", "week:5", "month:25" (ledger.rhythm).
    report_rhythm = models.CharField(
        _("报送周期"), max_length=12, blank=True, default="", db_default=""
    )
    # Never searched by; an index would only serve deleting a user, at the cost of every write.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("登记时间"))
    applied_by = models.ForeignKey(  # indexed where set: see Meta
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    applied_at = models.DateTimeField(_("申请销号时间"), null=True, blank=True)
    # 分级审核: the step a pending application waits at (ledger.stages), and the day it is due.
    closure_stage = models.CharField(
        _("审核环节"), max_length=20, blank=True, default="", db_default=""
    )
    stage_due = models.DateField(_("审核时限"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("按期销号"), null=True, blank=True)
    closure_note = models.TextField(_("整改结果"), blank=True)
    merged_into = models.ForeignKey(  # indexed where set: see Meta
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_problems",
        db_index=False,
    )
    carried_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_to"
    )
    # 导入销号: a unit's ledger said it was done before it came in (docs/adr/0004).
    imported_closure = models.ForeignKey(  # indexed where set: see Meta
        "ImportedClosure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        db_index=False,
        verbose_name=_("导入销号"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="unique_problem_number")
        ]
        indexes = [
            models.Index(
                fields=["campaign", "org_path"],
                name="problem_scope",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            # Covers the live overdue counts: open statuses × deadline range, grouped by cut.
            models.Index(
                fields=[
                    "campaign",
                    "status",
                    "deadline",
                    "org_path",
                    "focus_area",
                    "kind",
                    "source",
                ],
                name="problem_status_deadline",
            ),
            models.Index(fields=["campaign", "focus_area", "status"], name="problem_area_status"),
            models.Index(fields=["org", "status"], name="problem_org_status"),
            # 重大紧急 problems are few: 我的待办 finds them without reading the rest.
            models.Index(
                fields=["campaign", "status"], condition=Q(urgent=True), name="problem_urgent"
            ),
            # Text search reads this narrow copy of the titles instead of the wide table rows.
            models.Index(fields=["campaign", "title", "kind", "number"], name="problem_text"),
            # Nearly every row leaves these empty; indexing only the filled ones keeps imports
            # from writing hundreds of thousands of empty entries.
            models.Index(
                fields=["applied_by"],
                name="problem_applied_by",
                condition=Q(applied_by__isnull=False),
            ),
            models.Index(
                fields=["merged_into"],
                name="problem_merged_into",
                condition=Q(merged_into__isnull=False),
            ),
            models.Index(
                fields=["imported_closure"],
                name="problem_imported_closure",
                condition=Q(imported_closure__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_carried_over(self) -> bool:
        return hasattr(self, "carried_to")


class NumberSequence(models.Model):
    """The last serial handed out for a campaign's problem numbers (编号).

    A row of its own, so that saving a campaign can never rewind it.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.last}"


class PartState(models.TextChoices):
    WAITING = "waiting", _("待签收")
    WORKING = "working", _("协办中")
    DONE = "done", _("已完成")
    WAIVED = "waived", _("已豁免")
    # The unit was taken off the problem before it finished.
    WITHDRAWN = "withdrawn", _("已撤销")


OPEN_PART_STATES = (PartState.WAITING, PartState.WORKING)


class Part(models.Model):
    """A co-operating unit's share of a problem (协办): it signs for it, works on its own
    measures by its own deadline, reports and shows evidence, and says when it is done. The
    lead unit applies to close only once every part is done, or waived by the level above."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="parts")
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("协办单位")
    )
    org_path = models.CharField(max_length=400)
    state = models.CharField(_("状态"), max_length=10, choices=PartState.choices)
    deadline = models.DateField(_("协办时限"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    created_at = models.DateTimeField(_("交办时间"))
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Done by its deadline; NULL while open, or when waived or withdrawn.
    on_time = models.BooleanField(_("按期完成"), null=True, blank=True)
    note = models.TextField(_("协办情况"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    waive_reason = models.TextField(_("豁免理由"), blank=True)

    class Meta:
        verbose_name = _("协办任务")
        verbose_name_plural = _("协办任务")
        ordering = ["problem", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "org"], name="unique_part_per_unit")
        ]
        indexes = [
            models.Index(fields=["campaign", "org_path", "state"], name="part_scope"),
            models.Index(
                fields=["org", "state"],
                condition=Q(state__in=["waiting", "working"]),
                name="part_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} 协办 {self.org_id} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_PART_STATES


class Measure(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="measures")
    # A co-operating unit's measure (its part); none: the lead unit's.
    part = models.ForeignKey(
        Part, null=True, blank=True, on_delete=models.PROTECT, related_name="measures"
    )
    order = models.PositiveSmallIntegerField(default=1)
    content = models.TextField(_("整改措施"))
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["problem", "order", "pk"]

    def __str__(self) -> str:
        return self.content[:40]


class ProgressReport(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="reports")
    part = models.ForeignKey(
        Part, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reported_on = models.DateField(_("进展日期"))
    percent = models.PositiveSmallIntegerField(_("进度(%)"))
    text = models.TextField(_("进展情况"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["problem", "-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.reported_on} {self.percent}%"


class Evidence(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="evidence")
    part = models.ForeignKey(
        Part, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    stored_name = models.CharField(max_length=100, unique=True)
    original_name = models.CharField(_("文件名"), max_length=200)
    file_type = models.CharField(_("文件类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["problem", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class ExtensionRequest(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="extensions")
    requested_deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["problem", "-requested_at"]
        # The requests still to decide, for 我的待办 (the decided ones are most of them).
        indexes = [
            models.Index(
                fields=["requested_at"],
                condition=Q(status="requested"),
                name="extension_requested",
            )
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.requested_deadline}"


class HopState(models.TextChoices):
    WAITING = "waiting", _("待签收")
    SIGNED = "signed", _("已签收")
    FORWARDED = "forwarded", _("已转派")
    DECLINING = "declining", _("退单待审")
    DECLINED = "declined", _("退单通过")
    # Voided, merged or taken back before anyone signed.
    ENDED = "ended", _("已终止")


OPEN_HOP_STATES = (HopState.WAITING, HopState.DECLINING)


class ContactWay(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门")
    SMS = "sms", _("短信")
    # The citizen asked for confidentiality: the hotline centre passed the unit's word on.
    RELAY = "relay", _("经热线转达")
    OTHER = "other", _("其他")


class DeclineReason(models.TextChoices):
    FUNCTION = "function", _("职能不符")
    TERRITORY = "territory", _("属地不符")
    OWNERSHIP = "ownership", _("权属不清")
    OTHER = "other", _("其他")


class Dispatch(models.Model):
    """One hop of a problem's dispatch (派单): to which unit, from whom, the day it must be
    signed by (签收时限), and how it ended: signed, sent on to a unit below (转派), or declined
    (退单) and reviewed by the dispatcher, or in 会商 after repeated declines."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="dispatches")
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位")
    )
    org_path = models.CharField(max_length=400)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("派单人"),
    )
    assigned_at = models.DateTimeField(_("派单时间"))
    sign_by = models.DateField(_("签收时限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=HopState.choices)
    ended_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    # Signed (or sent on) by its 签收时限; NULL while waiting or when it was declined.
    on_time = models.BooleanField(_("按时签收"), null=True, blank=True)
    decline_reason = models.CharField(
        _("退单原因"), max_length=10, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.TextField(_("退单说明"), blank=True)
    decline_evidence = models.ForeignKey(
        Evidence,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("退单依据"),
    )
    # The problem's repeated decline: decided in 会商 by the campaign office, not the dispatcher.
    consult = models.BooleanField(_("会商"), default=False)
    # Settled by 会商: this unit handles it and cannot decline it again.
    binding = models.BooleanField(_("会商确定"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The dispatcher's decision on the decline: accepted (True), rejected (False), or none yet.
    accepted = models.BooleanField(_("退单审核结果"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    # 联系群众: the unit that signed a citizen's problem gets in touch with them by this day
    # (NULL: the campaign does not count contact in 响应, or the hop predates the rule).
    contact_by = models.DateField(_("联系时限"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("联系群众时间"), null=True, blank=True)
    contact_on_time = models.BooleanField(_("按时联系"), null=True, blank=True)
    contact_way = models.CharField(
        _("联系方式"), max_length=8, choices=ContactWay.choices, blank=True
    )
    contact_note = models.TextField(_("联系情况"), blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("派单记录")
        verbose_name_plural = _("派单记录")
        ordering = ["problem", "assigned_at", "pk"]
        indexes = [
            models.Index(fields=["campaign", "org_path", "state"], name="dispatch_scope"),
            # The hops still open are few: the rules and 我的待办 read them alone.
            models.Index(
                fields=["campaign", "sign_by"],
                condition=Q(state__in=["waiting", "declining"]),
                name="dispatch_open",
            ),
            # The declines to review, for 我的待办 (SQLite uses a partial index only when the
            # query names its very condition).
            models.Index(
                fields=["campaign", "assigned_at"],
                condition=Q(state="declining"),
                name="dispatch_declining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.org_id} {self.state}"


class EventAction(models.TextChoices):
    CREATE = "create", _("登记")
    ASSIGN = "assign", _("交办")
    SIGN = "sign", _("签收")
    DECLINE = "decline", _("退单")
    FORWARD = "forward", _("转派")
    DECLINE_ACCEPT = "decline_accept", _("退单通过")
    DECLINE_REJECT = "decline_reject", _("退单驳回")
    CONTACT = "contact", _("联系群众")
    UPDATE = "update", _("修改")
    MEASURE = "measure", _("添加措施")
    PROGRESS = "progress", _("报告进展")
    EVIDENCE = "evidence", _("上传佐证")
    APPLY = "apply", _("申请销号")
    APPROVE = "approve", _("审核通过")
    RETURN = "return", _("审核退回")
    REOPEN = "reopen", _("重新整改")
    VOID = "void", _("作废")
    MERGE = "merge", _("合并")
    EXTEND_REQUEST = "extend_request", _("申请延期")
    EXTEND_APPROVE = "extend_approve", _("批准延期")
    EXTEND_REJECT = "extend_reject", _("驳回延期")
    CARRY_OVER = "carry_over", _("转入新一轮")
    RECOMPUTE = "recompute", _("重算时限")
    CONFIRM_IMPORT = "confirm_import", _("确认导入销号")
    COOPERATE = "cooperate", _("设置协办单位")
    PART_SIGN = "part_sign", _("协办签收")
    PART_DONE = "part_done", _("协办完成")
    PART_WAIVE = "part_waive", _("豁免协办")


# What a bulk insert of history rows fills in (the demo, imports): `core.bulk.insert_rows`.
EVENT_COLUMNS = (
    "problem_id",
    "at",
    "actor_id",
    "action",
    "from_status",
    "to_status",
    "reason",
    "data",
    # Filled in by `ledger.chain.sealed_rows`.
    "seq",
    "state",
    "digest",
)


class ProblemEvent(models.Model):
    """Append-only history: who, when, from which status to which, and why."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("时间"))
    # Never searched by; an index would only serve deleting a user, at the cost of every write.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        verbose_name=_("操作人"),
        db_index=False,
    )
    action = models.CharField(_("操作"), max_length=16, choices=EventAction.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    reason = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The hash chain (ledger.chain): the row's place in its campaign's chain, the problem's
    # state it recorded (null: an earlier row of a bulk write) and the digest linking it.
    seq = models.BigIntegerField(null=True, editable=False)
    state = models.JSONField(null=True, blank=True, editable=False)
    digest = models.CharField(max_length=64, blank=True, editable=False, db_default="")

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["problem", "at", "pk"]
        # Rare steps (reopen) are counted for the figures without reading the whole history.
        indexes = [models.Index(fields=["action", "problem"], name="event_action_problem")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("ProblemEvent rows are append-only")
        if self.seq is None:
            raise ValueError("ProblemEvent rows are sealed first (ledger.chain.seal)")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("ProblemEvent rows are append-only")


class ChainHead(models.Model):
    """The last row of a campaign's history chain (ledger.chain): its number and digest."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, primary_key=True)
    seq = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=8, default="sha256")

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.seq} {self.algorithm}:{self.digest[:12]}"


class ProblemTally(models.Model):
    """How many problems of a campaign sit in an org subtree with one combination of attributes.

    Maintained by the ledger services on every change (ledger.tallies), so that figures for a
    city of 270 000 problems read a few hundred rows instead of scanning the ledger. Rebuilt and
    checked against a fresh count with `taizhang tallies`.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    # The subtree: the path of the org (an ancestor of, or equal to, each problem's lead unit).
    org_path = models.CharField(max_length=400)
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    source = models.CharField(max_length=16)
    status = models.CharField(max_length=16)
    # closed_on_time as a number, so that the key has no NULL: -1 not closed, 0 late, 1 on time.
    on_time = models.SmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        # The table kept the name it had when the tallies lived in `reports`.
        db_table = "reports_problemtally"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "campaign",
                    "org_path",
                    "focus_area",
                    "kind",
                    "source",
                    "status",
                    "on_time",
                ],
                name="unique_tally_key",
            )
        ]
        indexes = [
            # The figures of every child unit are read from this index alone (n included).
            models.Index(
                fields=["campaign", "org_path", "status", "on_time", "n"], name="tally_by_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_path} {self.status} {self.n}"


class ImportedClosure(models.Model):
    """The problems one imported file reported as done (已完成, 已销号 …): they come in open and
    count as rectified only once the campaign office confirms them, in this one recorded act,
    with the file kept as its evidence (docs/adr/0004)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件"), max_length=255)
    # The uploaded file, kept with the evidence files (ledger.evidence_files).
    stored_name = models.CharField(max_length=100, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("导入销号")
        verbose_name_plural = _("导入销号")

    def __str__(self) -> str:
        return f"{self.file_name} {self.count}"
