from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.intake.models import Suggestion
from taizhang.ledger.models import Problem
from taizhang.orgs.models import Org

# The kinds the article names, with the rhythm a campaign usually expects of each branch.
DEFAULT_KINDS = [
    ("party_meeting", "三会一课", 1.0),
    ("theme_day", "主题党日", 1.0),
    ("study", "学习会", 0.5),
    ("report", "报告会", 0.0),
    ("discussion", "讨论会", 0.5),
    ("symposium", "座谈会", 0.0),
]


class MeetingKind(models.Model):
    """A kind of meeting a campaign counts, and how many a branch is expected to hold a month."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="meeting_kinds")
    code = models.SlugField(max_length=30)
    name = models.CharField(_("名称"), max_length=40)
    per_month = models.DecimalField(_("每月应开次数"), max_digits=4, decimal_places=2, default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "order", "pk"]
        verbose_name = _("会议类型")
        verbose_name_plural = _("会议类型")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="unique_meeting_kind")
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A member of a unit (a party branch's members, say). Names are personal data."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="members")
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("姓名"), max_length=60)
    role = models.CharField(_("职务"), max_length=40, blank=True)
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)
    left_on = models.DateField(_("离开日期"), null=True, blank=True)
    external_id = models.CharField(_("编号"), max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["org", "pk"]
        verbose_name = _("成员")
        verbose_name_plural = _("成员")

    def __str__(self) -> str:
        return self.name


class MeetingStatus(models.TextChoices):
    HELD = "held", _("已召开")
    VOID = "void", _("已作废")


class Meeting(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    org_path = models.CharField(max_length=255)
    kind = models.ForeignKey(
        MeetingKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("类型")
    )
    held_on = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=120, blank=True)
    topic = models.CharField(_("主题"), max_length=200)
    host = models.CharField(_("主持人"), max_length=60, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=MeetingStatus.choices, default=MeetingStatus.HELD
    )
    void_reason = models.TextField(_("作废原因"), blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
    problems = models.ManyToManyField(Problem, blank=True, related_name="meetings")
    suggestions = models.ManyToManyField(Suggestion, blank=True, related_name="meetings")

    class Meta:
        ordering = ["-held_on", "-starts_at", "-pk"]
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        indexes = [
            models.Index(fields=["campaign", "org_path", "held_on"]),
            models.Index(fields=["org", "held_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class Presence(models.TextChoices):
    PRESENT = "present", _("出席")
    ABSENT = "absent", _("缺席")
    EXCUSED = "excused", _("请假")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="attendance"
    )
    guest_name = models.CharField(_("列席人员"), max_length=60, blank=True)
    presence = models.CharField(_("出勤"), max_length=8, choices=Presence.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=models.Q(member__isnull=False),
                name="unique_attendance",
            )
        ]
        indexes = [models.Index(fields=["member", "meeting"])]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.member_id or self.guest_name}"


class MeetingMaterial(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="materials")
    stored_name = models.CharField(max_length=100, unique=True)
    original_name = models.CharField(max_length=200)
    file_type = models.CharField(max_length=10)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.original_name


class StudyTally(models.Model):
    """Meetings and attendance per unit and each unit above it, kind and month: the figures
    read these few rows instead of millions of attendance rows."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255)
    kind = models.ForeignKey(MeetingKind, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first of the month
    meetings = models.IntegerField(default=0)
    present = models.IntegerField(default=0)
    absent = models.IntegerField(default=0)
    excused = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "org_path", "kind", "month"], name="unique_study_tally"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_path} {self.month:%Y-%m} {self.meetings}"


class MemberTally(models.Model):
    """Current members (not left) of each unit and everything below it."""

    org_path = models.CharField(max_length=255, unique=True)
    members = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.org_path} {self.members}"


class ActiveUnit(models.Model):
    """A unit that has held meetings in a campaign, and how many: branches not here are silent."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255)
    is_branch = models.BooleanField(default=False)
    meetings = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "org"], name="unique_active_unit")
        ]
        indexes = [models.Index(fields=["campaign", "is_branch", "org_path"])]

    def __str__(self) -> str:
        return f"{self.org_path} {self.meetings}"
