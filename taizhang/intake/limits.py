"""Time limits on suggestions (办理时限), on working days by the official calendar: from 受理
(arrival) to 答复 or 转办, and to 办结. Worked out from the campaign's rules when asked, so
a campaign that changes a limit sees every waiting suggestion against the new one."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from taizhang.campaigns.models import DEFAULT_RULES, Campaign
from taizhang.intake.models import Channel, Suggestion, SuggestionStatus
from taizhang.ledger.models import OPEN_STATUSES, Problem
from taizhang.workdays.calendar import add_workdays, latest_start, workdays_between

ANSWER, CLOSE = "answer", "close"
# The warning before a limit: this many working days left or fewer.
SOON = 1


def days_for(campaign: Campaign, stage: str, channel: str) -> int:
    defaults = DEFAULT_RULES["suggestion_limits"][stage]
    chosen = campaign.rule("suggestion_limits").get(stage) or {}
    merged = {**defaults, **(chosen if isinstance(chosen, dict) else {})}
    return max(1, int(merged.get(channel, merged["default"])))


def waiting(stage: str) -> Q:
    """Suggestions that have not yet passed the stage."""
    if stage == ANSWER:
        return Q(status=SuggestionStatus.RECEIVED)
    open_problem = Problem.objects.filter(suggestions=OuterRef("pk"), status__in=OPEN_STATUSES)
    return Q(status=SuggestionStatus.RECEIVED) | Q(
        Exists(open_problem), status=SuggestionStatus.CONVERTED
    )


def late(campaign: Campaign, stage: str, today: dt.date | None = None) -> Q:
    """Waiting past the stage's limit today (超时)."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    overdue = Q(pk__in=[])
    for channel in Channel.values:
        # Whatever arrived on this day or before was due by yesterday.
        last = latest_start(today - dt.timedelta(days=1), days_for(campaign, stage, channel))
        since = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        overdue |= Q(channel=channel, submitted_at__lt=since)
    return waiting(stage) & overdue


@dataclass(frozen=True)
class Clock:
    """Where one suggestion stands against its limit."""

    stage: str
    due: dt.date
    age: int  # working days since it arrived
    left: int  # working days until the limit; negative once past it

    @property
    def late(self) -> bool:
        return self.left < 0

    @property
    def over(self) -> int:
        """Working days past the limit."""
        return max(0, -self.left)

    @property
    def soon(self) -> bool:
        return 0 <= self.left <= SOON


def clock(s: Suggestion, today: dt.date | None = None) -> Clock | None:
    """The clock that runs for the suggestion now: 答复 while it is 已受理, 办结 while a
    problem made from it is open; None once it is settled (answered, closed or set aside)."""
    if s.status == SuggestionStatus.RECEIVED:
        return clock_of(s, ANSWER, today)
    if s.status == SuggestionStatus.CONVERTED and (
        s.problems.filter(status__in=OPEN_STATUSES).exists()
    ):
        return clock_of(s, CLOSE, today)
    return None


def clock_of(
    s: Suggestion, stage: str, today: dt.date | None = None, campaign: Campaign | None = None
) -> Clock:
    """The stage's clock for a suggestion known to be waiting for it (a queue's rows, with
    their campaign given: no query)."""
    today = today or timezone.localdate()
    arrived = timezone.localtime(s.submitted_at).date()
    due = add_workdays(arrived, days_for(campaign or s.campaign, stage, s.channel)).date
    left = workdays_between(today, due)
    if due < today:  # past its day even on a weekend, when no working day has passed yet
        left = min(left, -1)
    return Clock(stage, due, workdays_between(arrived, today), left)


def late_counts(campaign: Campaign, today: dt.date | None = None) -> dict[str, int]:
    found = Suggestion.objects.filter(campaign=campaign)
    return {
        "suggestions_waiting_answer": found.filter(waiting(ANSWER)).count(),
        "suggestions_late_answer": found.filter(late(campaign, ANSWER, today)).count(),
        "suggestions_late_close": found.filter(late(campaign, CLOSE, today)).count(),
    }
