from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.core.crypto import EncryptedTextField
from taizhang.intake.placeholders import check_placeholders
from taizhang.ledger.models import Problem


class Channel(models.TextChoices):
    WEB = "web", _("网络")
    FORM = "form", _("意见表")
    BOX = "box", _("意见箱")
    HOTLINE = "hotline", _("热线")
    SYMPOSIUM = "symposium", _("座谈会")
    LETTER = "letter", _("来信来访")
    ESSAY = "essay", _("征文")


class SuggestionStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    DUPLICATE = "duplicate", _("重复")
    INVALID = "invalid", _("无效")
    ANSWERED = "answered", _("已答复")
    CONVERTED = "converted", _("已转问题")


class Rating(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    UNSATISFIED = 2, _("不满意")
    VERY_UNSATISFIED = 1, _("非常不满意")


SATISFIED_RATINGS = (Rating.VERY_SATISFIED, Rating.SATISFIED, Rating.FAIRLY_SATISFIED)


class Suggestion(models.Model):
    """An opinion or suggestion (意见建议) from a citizen or a unit, through any channel."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("活动")
    )
    receipt_code = models.CharField(_("回执码"), max_length=12, unique=True)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"))
    # The area the submitter (or an Open311 client's service code) named; triage may change it.
    focus_area = models.ForeignKey(
        FocusArea,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("聚焦领域"),
    )
    address = models.CharField(_("地点"), max_length=200, blank=True)
    # Where and when an offline one was collected (paper form, box, symposium).
    collected_on = models.DateField(_("收集日期"), null=True, blank=True)
    collected_at_place = models.CharField(_("收集地点"), max_length=200, blank=True)
    # Personal data, encrypted at rest (core.crypto); found by phone_hash, shown through
    # intake.privacy only, erased after the campaign's retention period (intake.retention).
    name = EncryptedTextField(_("姓名"), max_length=60, blank=True)
    phone = EncryptedTextField(_("电话"), max_length=20, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    confidential = models.BooleanField(_("保密"), default=False)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("录入人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    # Agreement from others where the channel has it (附议, 点赞 on a message board).
    votes = models.PositiveIntegerField(_("附议数"), default=0)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.RECEIVED,
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=_("重复于"),
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    problems = models.ManyToManyField(
        Problem, blank=True, related_name="suggestions", verbose_name=_("转为问题")
    )
    rating = models.PositiveSmallIntegerField(
        _("评价"), choices=Rating.choices, null=True, blank=True
    )
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        indexes = [models.Index(fields=["campaign", "status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.receipt_code} {self.title}"


class SuggestionPhoto(models.Model):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="photos")
    stored_name = models.CharField(max_length=100, unique=True)
    file_type = models.CharField(max_length=10)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.stored_name


class SuggestionAction(models.TextChoices):
    SUBMIT = "submit", _("提交")
    DUPLICATE = "duplicate", _("标记重复")
    INVALID = "invalid", _("标记无效")
    ANSWER = "answer", _("答复")
    CONVERT = "convert", _("转为问题")
    RATE = "rate", _("评价")
    REOPEN = "reopen", _("重新受理")
    ROUTE = "route", _("分类")


class SuggestionEvent(models.Model):
    """Append-only history of a suggestion."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=16, choices=SuggestionAction.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["suggestion", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("SuggestionEvent rows are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class IdentityView(models.Model):
    """Every time a person's name or phone was shown unmasked, and to whom."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="+")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    purpose = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.suggestion_id}"


class AnswerTemplate(models.Model):
    """A reply the office sends often (答复模板), for one focus area or any, with placeholders
    filled in for each suggestion (intake.answers)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    focus_area = models.ForeignKey(
        FocusArea,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("聚焦领域"),
        help_text=_("留空则适用于所有领域"),
    )
    title = models.CharField(_("名称"), max_length=100)
    text = models.TextField(
        _("答复内容"),
        help_text=_("可用占位符:{回执码} {标题} {领域} {日期} {渠道}"),
    )

    class Meta:
        verbose_name = _("答复模板")
        verbose_name_plural = _("答复模板")
        ordering = ["campaign", "focus_area", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        check_placeholders(self.text)


class RequestKind(models.TextChoices):
    SEE = "see", _("查询本人信息")
    ERASE = "erase", _("删除本人信息")


class PersonalDataRequest(models.Model):
    """A citizen's request to see or erase what the campaign holds about them (《个人信息保护法》
    第四十五条、第四十七条), as the office handled it: found by number or receipt code."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=8, choices=RequestKind.choices)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    receipt_codes = models.TextField(_("涉及的回执码"), blank=True)
    count = models.PositiveIntegerField(_("涉及的意见建议"), default=0)
    note = models.TextField(_("请求与核实情况"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("办理人"),
    )  # fmt: skip
    handled_at = models.DateTimeField(_("办理时间"))

    class Meta:
        ordering = ["-handled_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.handled_at:%Y-%m-%d}"
