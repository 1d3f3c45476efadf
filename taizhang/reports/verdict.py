"""The figures of supervision and of the people's verdict, per org subtree (DESIGN §4):
notices issued and replied on time, spot-check pass rate, reopen rate and 满意率 (the hotline's
three rates are in reports.hotline)."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from taizhang.campaigns.models import Campaign
from taizhang.intake.models import Suggestion
from taizhang.ledger.models import EventAction, Problem, ProblemEvent, Status
from taizhang.orgs.models import Org
from taizhang.reports.figures import percent as rate
from taizhang.reports.hotline import Definition
from taizhang.supervision.models import CheckResult, Notice, NoticeStatus, SpotCheckItem


def supervision_figures(
    campaign: Campaign, org: Org, today: dt.date, closed_now: int | None = None
) -> dict[str, Any]:
    """`closed_now`: the subtree's closed problems, when the caller has it from the tallies."""
    notices = Notice.objects.filter(campaign=campaign, org_path__under=org.path).aggregate(
        issued=Count("pk"),
        replied=Count("pk", filter=Q(status=NoticeStatus.REPLIED)),
        replied_on_time=Count("pk", filter=Q(replied_on_time=True)),
        due=Count("pk", filter=Q(reply_due__lt=today) | Q(status=NoticeStatus.REPLIED)),
        overdue_unreplied=Count("pk", filter=Q(status=NoticeStatus.OPEN, reply_due__lt=today)),
    )
    by_kind = dict(
        Notice.objects.filter(campaign=campaign, org_path__under=org.path)
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    checks = SpotCheckItem.objects.filter(
        spot_check__campaign=campaign, org_path__under=org.path
    ).aggregate(
        drawn=Count("pk"),
        checked=Count("pk", filter=~Q(result=CheckResult.PENDING)),
        passed=Count("pk", filter=Q(result=CheckResult.PASSED)),
    )
    reopened_ids = set(
        ProblemEvent.objects.filter(
            action=EventAction.REOPEN,
            problem__campaign=campaign,
            problem__org_path__under=org.path,
        ).values_list("problem_id", flat=True)
    )
    reopened = len(reopened_ids)
    if closed_now is None:
        closed_now = Problem.objects.filter(
            campaign=campaign, org_path__under=org.path, status=Status.CLOSED
        ).count()
    # Ever approved = closed now + reopened since and not closed again (cheaper than reading
    # every approval in the history).
    ever_closed = closed_now + (
        Problem.objects.filter(pk__in=reopened_ids).exclude(status=Status.CLOSED).count()
    )
    ratings = _ratings(
        campaign,
        Suggestion.objects.filter(campaign=campaign, problems__org_path__under=org.path)
        if org.pk != campaign.org_id
        else Suggestion.objects.filter(campaign=campaign),
    )
    return {
        "notices_issued": notices["issued"],
        "notices_by_kind": by_kind,
        "notices_replied": notices["replied"],
        "notices_replied_on_time": notices["replied_on_time"],
        "notices_overdue_unreplied": notices["overdue_unreplied"],
        # Of the notices whose reply is due (or given), the share answered in time.
        "notices_due": notices["due"],
        "notice_reply_rate": rate(notices["replied_on_time"], notices["due"]),
        "spot_checks_drawn": checks["drawn"],
        "spot_checks_done": checks["checked"],
        "spot_checks_passed": checks["passed"],
        "spot_check_pass_rate": rate(checks["passed"], checks["checked"]),
        "problems_reopened": reopened,
        "reopen_rate": rate(reopened, ever_closed),
        **ratings,
    }


def _ratings(campaign: Campaign, suggestions: Any) -> dict[str, Any]:
    """满意率 over all the subtree's rated suggestions, 基本满意 counted as the campaign says."""
    counts = suggestions.aggregate(
        rated=Count("pk", filter=Q(rating__isnull=False), distinct=True),
        satisfied=Count(
            "pk", filter=Q(rating__in=Definition.of(campaign).satisfied), distinct=True
        ),
    )
    return {
        "ratings": counts["rated"],
        "ratings_satisfied": counts["satisfied"],
        "satisfaction_rate": rate(counts["satisfied"], counts["rated"]),
    }
