"""Deadline state is derived from the calendar on read, never stored by hand."""

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import OPEN_STATUSES, Kind, Problem
from taizhang.workdays.calendar import WorkdayAnswer, add_workdays


class DeadlineState:
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NO_DEADLINE = "none"
    FINISHED = "finished"

    labels = {
        ON_TRACK: _("正常"),
        DUE_SOON: _("临期"),
        OVERDUE: _("逾期"),
        NO_DEADLINE: _("无时限"),
        FINISHED: _("已办结"),
    }
    filterable = (ON_TRACK, DUE_SOON, OVERDUE)


def default_deadline(
    campaign: Campaign, kind: str, start: dt.date, *, urgent: bool = False
) -> WorkdayAnswer:
    limits = campaign.rule("urgent_time_limits" if urgent else "time_limits")
    return add_workdays(start, int(limits[Kind(kind).value]))


def due_soon_cutoff(campaign: Campaign, today: dt.date) -> dt.date:
    return add_workdays(today, int(campaign.rule("due_soon_days"))).date


def state_of(status: str, deadline: dt.date | None, today: dt.date, cutoff: dt.date) -> str:
    """The state of a problem with this status and deadline, on `today`."""
    if status not in OPEN_STATUSES:
        return DeadlineState.FINISHED
    if deadline is None:
        return DeadlineState.NO_DEADLINE
    if deadline < today:
        return DeadlineState.OVERDUE
    return DeadlineState.DUE_SOON if deadline <= cutoff else DeadlineState.ON_TRACK


def deadline_state(problem: Problem, today: dt.date, cutoff: dt.date | None = None) -> str:
    cutoff = cutoff or due_soon_cutoff(problem.campaign, today)
    return state_of(problem.status, problem.deadline, today, cutoff)


def deadline_state_q(state: str, campaign: Campaign, today: dt.date) -> Q:
    """The same rule as deadline_state, as a filter: lists and figures agree by construction."""
    is_open = Q(status__in=OPEN_STATUSES)
    if state == DeadlineState.OVERDUE:
        return is_open & Q(deadline__lt=today)
    cutoff = due_soon_cutoff(campaign, today)
    if state == DeadlineState.DUE_SOON:
        return is_open & Q(deadline__gte=today, deadline__lte=cutoff)
    if state == DeadlineState.ON_TRACK:
        return is_open & Q(deadline__gt=cutoff)
    if state == DeadlineState.NO_DEADLINE:
        return is_open & Q(deadline__isnull=True)
    return ~is_open
