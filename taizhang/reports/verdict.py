"""The figures of supervision and of the people's verdict, per org subtree (DESIGN §4):
notices issued and replied on time, spot-check pass rate, reopen rate and 满意率 (the hotline's
three rates are in reports.hotline).

Each count is defined once here, as the rows it counts (`verdict_rows`): the figure is the count
of those rows, and the list its link opens shows them."""

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.intake.models import Suggestion
from taizhang.ledger.models import EventAction, Problem, ProblemEvent, Status
from taizhang.orgs.models import Org
from taizhang.reports.figures import percent as rate
from taizhang.reports.hotline import Definition
from taizhang.supervision.models import CheckResult, Notice, NoticeStatus, SpotCheckItem

NOTICE_FIGURES: dict[str, Any] = {
    "notices_issued": lambda today: Q(),
    "notices_replied": lambda today: Q(status=NoticeStatus.REPLIED),
    "notices_replied_on_time": lambda today: Q(replied_on_time=True),
    # Of the notices whose reply is due (or given), the share answered in time.
    "notices_due": lambda today: Q(reply_due__lt=today) | Q(status=NoticeStatus.REPLIED),
    "notices_overdue_unreplied": lambda today: Q(status=NoticeStatus.OPEN, reply_due__lt=today),
}
CHECK_FIGURES = {
    "spot_checks_drawn": Q(),
    "spot_checks_done": ~Q(result=CheckResult.PENDING),
    "spot_checks_passed": Q(result=CheckResult.PASSED),
}
PROBLEM_FIGURES = ("problems_reopened", "problems_ever_closed")
RATING_FIGURES = ("ratings", "ratings_satisfied")
VERDICT_FIGURE_LABELS = {
    "notices_issued": _("督办通知"),
    "notices_replied": _("已回复"),
    "notices_replied_on_time": _("按期回复"),
    "notices_due": _("应回复"),
    "notices_overdue_unreplied": _("逾期未回复"),
    "spot_checks_drawn": _("抽查抽取"),
    "spot_checks_done": _("已检查"),
    "spot_checks_passed": _("检查通过"),
    "problems_reopened": _("被退回重办"),
    "problems_ever_closed": _("曾销号"),
    "ratings": _("有评价的诉求"),
    "ratings_satisfied": _("满意的诉求"),
}


def _notices(campaign: Campaign, org: Org) -> QuerySet[Notice]:
    return Notice.objects.filter(campaign=campaign, org_path__under=org.path)


def _items(campaign: Campaign, org: Org) -> QuerySet[SpotCheckItem]:
    return SpotCheckItem.objects.filter(spot_check__campaign=campaign, org_path__under=org.path)


def _reopened() -> Exists:
    return Exists(ProblemEvent.objects.filter(problem=OuterRef("pk"), action=EventAction.REOPEN))


def _problems(campaign: Campaign, org: Org, figure: str) -> QuerySet[Problem]:
    found = Problem.objects.filter(campaign=campaign, org_path__under=org.path)
    if figure == "problems_reopened":
        return found.filter(_reopened())
    # Ever approved = closed now, or reopened since (and not closed again).
    return found.filter(Q(status=Status.CLOSED) | _reopened())


def _rated(campaign: Campaign, org: Org) -> QuerySet[Suggestion]:
    """The subtree's suggestions (those behind its problems; all of the campaign at its top)."""
    found = Suggestion.objects.filter(campaign=campaign)
    if org.pk != campaign.org_id:
        found = found.filter(
            Exists(Problem.objects.filter(suggestions=OuterRef("pk"), org_path__under=org.path))
        )
    return found.filter(rating__isnull=False)


def verdict_rows(campaign: Campaign, org: Org, figure: str, today: dt.date) -> QuerySet[Any]:
    """The notices, spot-check items, problems or suggestions behind one figure of `org`'s
    subtree."""
    if figure in NOTICE_FIGURES:
        return _notices(campaign, org).filter(NOTICE_FIGURES[figure](today))
    if figure in CHECK_FIGURES:
        return _items(campaign, org).filter(CHECK_FIGURES[figure])
    if figure in PROBLEM_FIGURES:
        return _problems(campaign, org, figure)
    if figure == "ratings_satisfied":
        return _rated(campaign, org).filter(rating__in=Definition.of(campaign).satisfied)
    if figure == "ratings":
        return _rated(campaign, org)
    raise KeyError(figure)


def supervision_figures(
    campaign: Campaign, org: Org, today: dt.date, closed_now: int | None = None
) -> dict[str, Any]:
    """`closed_now`: the subtree's closed problems, when the caller has it from the tallies."""
    notices = _notices(campaign, org).aggregate(
        **{name: Count("pk", filter=f(today)) for name, f in NOTICE_FIGURES.items()}
    )
    by_kind = dict(_notices(campaign, org).values_list("kind").annotate(n=Count("pk")).order_by())
    checks = _items(campaign, org).aggregate(
        **{name: Count("pk", filter=q) for name, q in CHECK_FIGURES.items()}
    )
    # From the history's reopen events and, when the caller has it from the tallies, the
    # subtree's closed problems (cheaper than testing every problem for a reopen).
    reopened_ids = set(
        ProblemEvent.objects.filter(
            action=EventAction.REOPEN, problem__campaign=campaign, problem__org_path__under=org.path
        ).values_list("problem_id", flat=True)
    )
    if closed_now is None:
        closed_now = Problem.objects.filter(
            campaign=campaign, org_path__under=org.path, status=Status.CLOSED
        ).count()
    problems = {
        "problems_reopened": len(reopened_ids),
        "problems_ever_closed": closed_now
        + Problem.objects.filter(pk__in=reopened_ids).exclude(status=Status.CLOSED).count(),
    }
    ratings = _rated(campaign, org).aggregate(
        ratings=Count("pk"),
        ratings_satisfied=Count("pk", filter=Q(rating__in=Definition.of(campaign).satisfied)),
    )
    return {
        **{name: notices[name] for name in ("notices_issued",)},
        "notices_by_kind": by_kind,
        **{name: notices[name] for name in NOTICE_FIGURES if name != "notices_issued"},
        "notice_reply_rate": rate(notices["notices_replied_on_time"], notices["notices_due"]),
        **checks,
        "spot_check_pass_rate": rate(checks["spot_checks_passed"], checks["spot_checks_done"]),
        **problems,
        "reopen_rate": rate(problems["problems_reopened"], problems["problems_ever_closed"]),
        **ratings,
        "satisfaction_rate": rate(ratings["ratings_satisfied"], ratings["ratings"]),
    }
