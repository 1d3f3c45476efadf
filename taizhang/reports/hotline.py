"""The three hotline rates (三率: 响应率, 解决率, 满意率) per unit subtree, on the campaign's own
definitions (rule `hotline_rates`), each count defined once here as a filter so that the rows
behind a figure are the figure, and each rate's definition written out from the rule to print
beside it.

响应率 counts the hops (工单) of citizens' problems that reached a unit and stayed with it;
解决率 and 满意率 count the citizens' 诉求 (suggestions) behind the subtree's problems, every
suggestion of the campaign at its top."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import CallBack, CallStatus
from taizhang.intake.limits import CLOSE, late
from taizhang.intake.models import Channel, Rating, Suggestion, SuggestionStatus
from taizhang.ledger.models import OPEN_HOP_STATES, OPEN_STATUSES, Dispatch, HopState, Problem
from taizhang.ledger.models import Status as ProblemStatus
from taizhang.orgs.models import Org
from taizhang.reports.figures import percent

CITIZEN, UNIT = "citizen", "unit"
SET_ASIDE = (SuggestionStatus.DUPLICATE, SuggestionStatus.INVALID)


@dataclass(frozen=True)
class Definition:
    """A campaign's `hotline_rates` rule, read once."""

    channels: tuple[str, ...]
    contact_days: dict[str, int] | None
    solved_from: str
    fairly_satisfied: bool

    @classmethod
    def of(cls, campaign: Campaign) -> "Definition":
        rule = campaign.rule("hotline_rates")
        contact = rule.get("contact_days")
        return cls(
            channels=tuple(c for c in rule.get("channels") or () if c in Channel.values),
            contact_days={k: int(v) for k, v in contact.items()}
            if isinstance(contact, dict)
            else None,
            solved_from=UNIT if rule.get("solved_from") == UNIT else CITIZEN,
            fairly_satisfied=bool(rule.get("fairly_satisfied", True)),
        )

    @property
    def satisfied(self) -> tuple[int, ...]:
        chosen = (Rating.VERY_SATISFIED, Rating.SATISFIED)
        return (*chosen, Rating.FAIRLY_SATISFIED) if self.fairly_satisfied else chosen


def counted_suggestions(campaign: Campaign, d: Definition) -> QuerySet[Suggestion]:
    """The citizens' 诉求 the rates are about: of the chosen channels, duplicates and invalid
    ones left out."""
    found = Suggestion.objects.filter(campaign=campaign).exclude(status__in=SET_ASIDE)
    return found.filter(channel__in=d.channels) if d.channels else found


def _suggestions_of(campaign: Campaign, org: Org, d: Definition) -> QuerySet[Suggestion]:
    found = counted_suggestions(campaign, d)
    if org.pk == campaign.org_id:
        return found
    return found.filter(
        Exists(Problem.objects.filter(suggestions=OuterRef("pk"), org_path__under=org.path))
    )


def _citizens_of_hop(d: Definition, **more: Any) -> Exists:
    """The hop's problem was raised by (counted) citizens."""
    found = Suggestion.objects.filter(problems=OuterRef("problem_id"), **more).exclude(
        status__in=SET_ASIDE
    )
    return Exists(found.filter(channel__in=d.channels) if d.channels else found)


def _responded(d: Definition) -> Q:
    """Signed within its 签收时限 and, where the campaign counts contact and the citizen left a
    number, contacted within its 联系时限 (set when the hop was dispatched)."""
    signed = Q(state=HopState.SIGNED, on_time=True)
    if d.contact_days is None:
        return signed
    return signed & (Q(contact_by__isnull=True) | Q(contact_on_time=True) | Q(has_phone=False))


def _response_late(today: dt.date, d: Definition) -> Q:
    """Can no longer be responded to on time: signed late, still waiting after its 签收时限,
    or (where contact counts) contacted late or not by its 联系时限."""
    late = Q(on_time=False) | Q(state__in=OPEN_HOP_STATES, sign_by__lt=today)
    if d.contact_days is not None:
        late |= Q(contact_on_time=False, has_phone=True) | Q(
            state=HopState.SIGNED, contacted_at__isnull=True, contact_by__lt=today, has_phone=True
        )
    return ~_responded(d) & late


RESPONSE_FIGURES: dict[str, Any] = {
    "hotline_response_due": lambda today, d: _responded(d) | _response_late(today, d),
    "hotline_responded": lambda today, d: _responded(d),
    "hotline_response_late": _response_late,
}
SUGGESTION_FIGURES = (
    "hotline_total",
    "hotline_solve_asked",
    "hotline_solved",
    "hotline_ratings",
    "hotline_satisfied",
)
HOTLINE_FIGURE_LABELS = {
    "hotline_response_due": gettext_lazy("应响应"),
    "hotline_responded": gettext_lazy("按时响应"),
    "hotline_response_late": gettext_lazy("未按时响应"),
    "hotline_total": gettext_lazy("群众诉求"),
    "hotline_solve_asked": gettext_lazy("解决率参评"),
    "hotline_solved": gettext_lazy("已解决"),
    "hotline_ratings": gettext_lazy("满意率参评"),
    "hotline_satisfied": gettext_lazy("满意"),
}


def _hops(campaign: Campaign, path: str, d: Definition) -> QuerySet[Dispatch]:
    """The hops that stayed with the unit they reached (not sent on, declined away or ended),
    of problems citizens raised."""
    return (
        Dispatch.objects.filter(
            campaign=campaign,
            org_path__under=path,
            state__in=(HopState.SIGNED, *OPEN_HOP_STATES),
        )
        .filter(_citizens_of_hop(d))
        .annotate(has_phone=_citizens_of_hop(d, phone_hash__gt=""))
    )


def _latest_answer() -> Subquery:
    """The citizen's latest answer at call-back to 问题是否解决."""
    return Subquery(
        CallBack.objects.filter(
            suggestion=OuterRef("pk"), status=CallStatus.DONE, solved__isnull=False
        )
        .order_by("-called_at", "-pk")
        .values("solved")[:1]
    )


def _settled_by_unit() -> Q:
    """办结 by the unit's own account: answered, or every problem made from it closed."""
    open_problem = Problem.objects.filter(suggestions=OuterRef("pk"), status__in=OPEN_STATUSES)
    closed = Problem.objects.filter(suggestions=OuterRef("pk"), status=ProblemStatus.CLOSED)
    return Q(status=SuggestionStatus.ANSWERED) | (
        Q(status=SuggestionStatus.CONVERTED) & ~Exists(open_problem) & Exists(closed)
    )


def _suggestion_filters(campaign: Campaign, d: Definition, today: dt.date) -> dict[str, Q]:
    if d.solved_from == CITIZEN:
        asked, solved = Q(answer_solved__isnull=False), Q(answer_solved=True)
    else:
        asked, solved = _settled_by_unit() | late(campaign, CLOSE, today), _settled_by_unit()
    return {
        "hotline_total": Q(),
        "hotline_solve_asked": asked,
        "hotline_solved": solved,
        "hotline_ratings": Q(rating__isnull=False),
        "hotline_satisfied": Q(rating__in=d.satisfied),
    }


def _with_answers(found: QuerySet[Suggestion], d: Definition) -> QuerySet[Suggestion]:
    return found.annotate(answer_solved=_latest_answer()) if d.solved_from == CITIZEN else found


def hotline_rows(campaign: Campaign, org: Org, figure: str, today: dt.date) -> QuerySet[Any]:
    """The hops or the suggestions behind one figure of one unit's subtree."""
    d = Definition.of(campaign)
    if figure in RESPONSE_FIGURES:
        return _hops(campaign, org.path, d).filter(RESPONSE_FIGURES[figure](today, d))
    found = _with_answers(_suggestions_of(campaign, org, d), d)
    return found.filter(_suggestion_filters(campaign, d, today)[figure])


def hotline_figures(campaign: Campaign, org: Org, today: dt.date) -> dict[str, Any]:
    """The subtree's counts and its three rates."""
    d = Definition.of(campaign)
    counts = _hops(campaign, org.path, d).aggregate(
        **{name: Count("pk", filter=f(today, d)) for name, f in RESPONSE_FIGURES.items()}
    )
    found = _with_answers(_suggestions_of(campaign, org, d), d)
    counts |= found.aggregate(
        **{
            name: Count("pk", filter=q)
            for name, q in _suggestion_filters(campaign, d, today).items()
        }
    )
    return {
        **counts,
        "hotline_response_rate": percent(
            counts["hotline_responded"], counts["hotline_response_due"]
        ),
        "hotline_solve_rate": percent(counts["hotline_solved"], counts["hotline_solve_asked"]),
        "hotline_satisfaction_rate": percent(
            counts["hotline_satisfied"], counts["hotline_ratings"]
        ),
    }


def definitions(campaign: Campaign) -> dict[str, str]:
    """Each rate's definition in words, from the campaign's rule: printed beside the figure."""
    d = Definition.of(campaign)
    channels = "、".join(str(Channel(c).label) for c in d.channels) if d.channels else _("各渠道")
    limits = campaign.rule("sign_limits")
    sign = _("在签收时限内签收(一般 %(d)s 个工作日,重大紧急 %(u)s 个工作日,0 为当日)") % {
        "d": limits.get("default", 1),
        "u": limits.get("urgent", 0),
    }
    if d.contact_days is None:
        contact = ""
    else:
        contact = _(",并在派单后 %(d)s 个工作日内(重大紧急 %(u)s 个)联系留有电话的群众") % {
            "d": d.contact_days.get("default", 1),
            "u": d.contact_days.get("urgent", 0),
        }
    response = _(
        "响应率 = 按时响应的派单 ÷ 应响应的派单。派单指%(c)s群众诉求转成的问题派给承办单位、"
        "由其办理(未转派、未退走)的一次派单;按时响应指%(s)s%(t)s;"
        "应响应指已按时响应,或已不能按时响应的派单。"
    ) % {"c": channels, "s": sign, "t": contact}
    if d.solved_from == CITIZEN:
        solve = _(
            "解决率 = 回访时群众表示问题已解决的诉求 ÷ "
            "回访时回答了是否解决的诉求(以最近一次回访为准)。"
        )
    else:
        solve = _(
            "解决率 = 承办单位办结的诉求(已答复,或由其转成的问题均已销号)÷ "
            "已办结或超过办结时限仍未办结的诉求。"
        )
    satisfied = (
        _("非常满意、满意和基本满意") if d.fairly_satisfied else _("非常满意和满意(基本满意不计)")
    )
    satisfaction = _("满意率 = 评价为%(s)s的诉求 ÷ 有评价的诉求(群众自评或回访评价)。") % {
        "s": satisfied
    }
    scope = _(
        "诉求按其转成问题的承办单位计入各单位,活动全局计入全部%(c)s诉求;重复和无效的不计。"
    ) % {"c": channels}
    return {
        "hotline_response_rate": response,
        "hotline_solve_rate": solve + scope,
        "hotline_satisfaction_rate": satisfaction + scope,
    }
