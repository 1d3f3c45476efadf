from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.orgs.models import Org

# Rules differ from city to city: every one is a campaign setting, these are only the defaults.
DEFAULT_RULES: dict[str, Any] = {
    # Working days allowed per handling kind when no deadline is given.
    "time_limits": {"immediate": 10, "deadline": 60, "long_term": 180},
    # The same for problems flagged 重大紧急.
    "urgent_time_limits": {"immediate": 3, "deadline": 20, "long_term": 90},
    # An open problem is "due soon" this many working days before its deadline.
    "due_soon_days": 5,
    # 定期调度: how often units report progress on what they rectify — {"every": "week",
    # "weekday": 5} (Fridays), {"every": "month", "day": 25}, or {"every": "none"}; a report day
    # on a holiday moves back to the working day before it. A problem may set its own.
    "report_rhythm": {"every": "none"},
    # 签收时限: working days a unit has to sign (or send on, or decline) what is dispatched to
    # it, counted from the day of dispatch (0: the same day), for ordinary and 重大紧急 work.
    "sign_limits": {"default": 1, "urgent": 0},
    # The three hotline rates (三率), per the campaign's definitions:
    # - channels: the channels whose 诉求 count ([]: every channel);
    # - contact_days: working days from dispatch to contact the citizen (联系群众), for ordinary
    #   and 重大紧急 work; a unit has responded (响应) when it signed within its 签收时限 and, where
    #   the citizen left a number, contacted them within this; null: signing alone is 响应;
    # - solved_from: "citizen" (the citizen's answer at call-back, 回访) or "unit" (the unit's
    #   办结: answered, or every problem made from it closed);
    # - fairly_satisfied: whether 基本满意 counts as satisfied in 满意率.
    "hotline_rates": {
        "channels": [],
        "contact_days": {"default": 1, "urgent": 0},
        "solved_from": "citizen",
        "fairly_satisfied": True,
    },
    # The decline of a problem that sends it to 会商 (the campaign office decides the unit)
    # instead of the dispatcher's review: 2, its second decline.
    "declines_before_consult": 2,
    # 分级审核销号: the steps an application to close goes through, in order (ledger.stages).
    # Each: key, name, who approves it ("above": a leader or the office a level above;
    # "unit_leader": a leader of the unit or above it; "inspector": the inspection team;
    # "office": the campaign office), days (its working-day limit), and optionally the
    # sources and kinds it is for (empty: all).
    "closure_stages": [{"key": "close", "name": "销号审核", "who": "above", "days": 5}],
    # Evidence required before applying to close, per handling kind.
    "evidence_required": {"immediate": True, "deadline": True, "long_term": True},
    "evidence_max_mb": 20,
    # A rating of 不满意 or 非常不满意 reopens the problem (or the suggestion) it judges.
    "unsatisfied_reopens": True,
    # Public submissions allowed per address and per phone number within ten minutes.
    "intake_limit_per_10min": 5,
    # Wrong receipt codes or phone digits on the public track and rate pages before that code,
    # or that address, is refused for an hour.
    "public_lookup_failures_per_code": 5,
    "public_lookup_failures_per_address": 20,
    # 个人信息保存期限: days after a suggestion is settled (answered, or its problems closed, and
    # no call-back pending) after which the nightly run erases the citizen's name and number,
    # keeping the keyed hash that counts distinct citizens; null: kept until the office erases.
    "personal_data_days": 365,
    # The privacy notice (隐私告知) on the public form and the hotline script; "" for the
    # standard one built from the retention period above.
    "privacy_notice": "",
    # 双因素认证: the roles that must give a code from an authenticator app after their password
    # ([]: nobody); a person holding such a role in any campaign gives it.
    "second_factor_roles": ["office", "leader", "admin"],
    # Citizens whose name and number one operator may see on call-back pages in a day.
    "callback_identities_per_day": 100,
    # 分诊先例: whether the labelled suggestions of the campaigns before this one (previous, and
    # its previous …) are shown as precedents and train the proposals, areas matched by name.
    "precedents_from_earlier": False,
    # 项目库: the day of the next month by which a project's monthly report is due (a holiday
    # moves it back to the working day before), and how far (a fraction) a project's annual
    # investment completed may fall below the time elapsed before it counts as 滞后.
    "project_report_day": 5,
    "project_behind_tolerance": 0.1,
    # Supervision: an overdue problem gets 催办 at once and 督办 after this many working days.
    "supervise_after_days": 5,
    # Working days a unit has to reply to a notice in writing.
    "notice_reply_days": 3,
    # 比学赶超: the weight of each rate in a unit's score (a weighted mean of the rates, in
    # percent like them), and the share of 100 % below which a unit is named (0.6: under 60 %).
    "ranking_weights": {
        "rectification_rate": 0.3,
        "on_time_rate": 0.2,
        "satisfaction_rate": 0.15,
        "spot_check_pass_rate": 0.1,
        "notice_reply_rate": 0.05,
        "hotline_response_rate": 0.1,
        "hotline_solve_rate": 0.1,
    },
    "ranking_threshold": 0.6,
    # A supervision or hotline rate (满意率, 抽查通过率, 督办按期回复率, 响应率, 解决率) counts for
    # a unit once it rests on this many ratings, checks, notices, hops or answers due; below
    # that the unit is shown 数据不足 for it.
    "ranking_min_sample": 5,
    # Working days a suggestion may wait from 受理 (its arrival) to 答复 or 转办 ("answer") and
    # to 办结 ("close": answered, or every problem made from it closed), per channel; "default"
    # for channels not named. (信访: 15 days to say it is taken up, 60 to settle it.)
    "suggestion_limits": {
        "answer": {"default": 5, "hotline": 2, "letter": 15},
        "close": {"default": 30, "hotline": 15, "letter": 60},
    },
}


class PhaseKind(models.TextChoices):
    MOBILISE = "mobilise", _("动员部署")
    STUDY = "study", _("学习讨论")
    EXAMINE = "examine", _("查摆问题")
    RECTIFY = "rectify", _("整改落实")
    SUMMARISE = "summarise", _("总结提升")


class Campaign(models.Model):
    slug = models.SlugField(_("标识"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("主办单位")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        verbose_name=_("上一轮活动"),
    )
    rules = models.JSONField(_("规则"), default=dict, blank=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.name

    def rule(self, key: str) -> Any:
        value = self.rules.get(key, DEFAULT_RULES[key])
        default = DEFAULT_RULES[key]
        if isinstance(default, dict):
            return {**default, **(value if isinstance(value, dict) else {})}
        return value


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("阶段"), max_length=16, choices=PhaseKind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["campaign", "starts_on"]

    def __str__(self) -> str:
        return self.get_kind_display()


class FocusArea(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="focus_areas")
    name = models.CharField(_("名称"), max_length=60)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    # Words that point to this area, one per line or separated by commas: the triage proposal
    # starts from them until enough labelled suggestions exist to train a model.
    keywords = models.TextField(_("关键词"), blank=True)

    class Meta:
        verbose_name = _("聚焦领域")
        verbose_name_plural = _("聚焦领域")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="unique_focus_area_name")
        ]

    def __str__(self) -> str:
        return self.name
