"""When a project's monthly report is due, which projects owe one, and which are behind (滞后):
the rules the reminders, the figures and the project page share, as queries."""

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Value

from taizhang.campaigns.models import Campaign
from taizhang.projects.models import STAGES, ProjectStatus, Stage
from taizhang.workdays.calendar import is_workday


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def due_date(campaign: Campaign, month: dt.date) -> dt.date:
    """The day the report of `month` is due: the rule's day of the next month, moved back to
    the working day before it when it falls on a holiday."""
    following = next_month(month)
    last = next_month(following) - dt.timedelta(days=1)
    day = following.replace(day=min(int(campaign.rule("project_report_day")), last.day))
    while not is_workday(day)[0]:
        day -= dt.timedelta(days=1)
    return day


def owed_month(campaign: Campaign, today: dt.date) -> dt.date:
    """The month whose report is being collected now (due today or later)."""
    month = previous_month(first_of(today))
    return month if due_date(campaign, month) >= today else first_of(today)


def late_month(campaign: Campaign, today: dt.date) -> dt.date:
    """The latest month whose report was due before today."""
    return previous_month(owed_month(campaign, today))


def unreported_q(month: dt.date) -> Q:
    """Active projects without a report for `month` that existed before it ended."""
    return (
        Q(status=ProjectStatus.ACTIVE)
        & (Q(last_month__isnull=True) | Q(last_month__lt=month))
        & Q(created_at__date__lt=next_month(month))
    )


def late_q(campaign: Campaign, today: dt.date) -> Q:
    """未按时报送: the month last due has no report."""
    return unreported_q(late_month(campaign, today))


def elapsed_share(campaign: Campaign, year: int, today: dt.date) -> Decimal:
    """The share of `year` whose monthly reports were due by `today` (序时进度 of the annual
    plan): a month whose report is still being collected is not yet expected."""
    last = late_month(campaign, today)
    if last.year < year:
        return Decimal(0)
    if last.year > year:
        return Decimal(1)
    return Decimal(last.month) / Decimal(12)


def behind_q(campaign: Campaign, year: int, today: dt.date) -> Q:
    """滞后: annual investment completed below the time elapsed (less the tolerance), or a
    planned start or completion date passed without that stage confirmed."""
    tolerance = Decimal(str(campaign.rule("project_behind_tolerance")))
    factor = (elapsed_share(campaign, year, today) * (1 - tolerance)).quantize(Decimal("0.0001"))
    not_started = STAGES[: STAGES.index(Stage.STARTED)]
    late_dates = Q(start_planned__lt=today, stage__in=not_started) | (
        Q(finish_planned__lt=today) & ~Q(stage=Stage.COMPLETED)
    )
    query = late_dates
    if factor > 0:
        expected = ExpressionWrapper(
            F("investment_annual") * Value(factor),
            output_field=DecimalField(max_digits=20, decimal_places=4),
        )
        query |= Q(investment_annual__gt=0, done_year__lt=expected)
    return Q(status=ProjectStatus.ACTIVE) & query
