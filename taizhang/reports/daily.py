"""The daily supervision cycle for every running campaign: notices by rule, the call-back queue,
and the day's frozen figures. Run by the worker each day, or by hand (`taizhang supervise run`)."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from taizhang.campaigns.models import Campaign
from taizhang.core.housekeeping import run_nightly
from taizhang.evaluation.services import refresh_queue
from taizhang.projects.services import remind_reports
from taizhang.reports.charts import trend
from taizhang.reports.snapshots import take_snapshots
from taizhang.supervision.services import RunResult, check_as_of, run_rules


@dataclass
class DayResult:
    campaign: str
    notices: RunResult
    calls_queued: int
    snapshots: int
    project_reminders: int = 0


def run_day(campaign: Campaign, as_of: dt.date, *, snapshots: bool = True) -> DayResult:
    check_as_of(campaign, as_of)
    with transaction.atomic():
        notices = run_rules(campaign, as_of)
    calls = refresh_queue(campaign)
    reminded = remind_reports(campaign, as_of)
    # Figures are frozen for today only: a past day's snapshot is never rewritten from today's
    # ledger (that is what makes it a snapshot).
    frozen = take_snapshots(campaign, as_of) if snapshots and as_of == timezone.localdate() else 0
    if frozen:
        trend(campaign, campaign.org, as_of)  # the overview's first visit of the day waits less
    return DayResult(campaign.slug, notices, calls, frozen, reminded)


def running_campaigns(day: dt.date) -> list[Campaign]:
    return list(Campaign.objects.select_related("org").filter(starts_on__lte=day, ends_on__gte=day))


@task()
def daily_task(day: str) -> None:
    as_of = dt.date.fromisoformat(day)
    for campaign in running_campaigns(as_of):
        run_day(campaign, as_of)
    run_nightly()


class DailyQueue:
    """Queues the daily run once a day (after 01:00), and once at start-up. The run is
    idempotent, so a restart or a second worker queuing it again does no harm."""

    def __init__(self) -> None:
        self.queued: dt.date | None = None

    def __call__(self) -> None:
        now = timezone.localtime()
        if self.queued != now.date() and now.hour >= 1:
            daily_task.enqueue(now.date().isoformat())
            self.queued = now.date()
