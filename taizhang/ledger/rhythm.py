"""定期调度 and 序时进度: the rhythm by which a unit reports progress on a problem (weekly on a
weekday, or monthly by a day; per campaign, or set on the problem), the period a day falls in,
and the progress a problem should have reached by now (from its measures' deadlines, else from
the time elapsed)."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import Problem, ProgressReport, Status
from taizhang.workdays.calendar import is_workday

WEEKDAYS = "一二三四五六日"
# A problem's own setting, as the edit form offers it ("" follows the campaign).
CHOICES = [
    ("", gettext_lazy("按活动设置")),
    ("none", gettext_lazy("不定期报送")),
    ("week:1", gettext_lazy("每周一")),
    ("week:2", gettext_lazy("每周二")),
    ("week:3", gettext_lazy("每周三")),
    ("week:4", gettext_lazy("每周四")),
    ("week:5", gettext_lazy("每周五")),
    ("month:5", gettext_lazy("每月5日")),
    ("month:10", gettext_lazy("每月10日")),
    ("month:15", gettext_lazy("每月15日")),
    ("month:20", gettext_lazy("每月20日")),
    ("month:25", gettext_lazy("每月25日")),
    ("month:28", gettext_lazy("每月28日")),
]
# How far below the expected progress a problem may be before it counts as behind (points).
BEHIND_BY = 10


@dataclass(frozen=True)
class Rhythm:
    every: str  # "week", "month" or "none"
    n: int = 0  # the weekday (1 = Monday) or the day of the month

    @property
    def spec(self) -> str:
        return "none" if self.every == "none" else f"{self.every}:{self.n}"

    @property
    def label(self) -> str:
        if self.every == "week":
            return _("每周%(d)s") % {"d": WEEKDAYS[self.n - 1]}
        if self.every == "month":
            return _("每月%(d)s日") % {"d": self.n}
        return _("不定期报送")

    def period(self, day: dt.date) -> tuple[dt.date, dt.date]:
        """(first day, report day) of the period `day` falls in. A report day on a holiday
        moves back to the working day before it."""
        nominal = self._step(day - dt.timedelta(days=35), -1)
        previous = _working_or_before(nominal)
        while True:
            nominal = self._step(nominal + dt.timedelta(days=1), +1)
            due = _working_or_before(nominal)
            if due >= day:
                return previous + dt.timedelta(days=1), due
            previous = due

    def last_closed(self, day: dt.date) -> tuple[dt.date, dt.date]:
        """The latest whole period whose report day is before `day`."""
        start, _due = self.period(day)
        return self.period(start - dt.timedelta(days=1))

    def _step(self, day: dt.date, direction: int) -> dt.date:
        """The nominal report day on or after (+1) / on or before (-1) `day`."""
        while not self._nominal(day):
            day += dt.timedelta(days=direction)
        return day

    def _nominal(self, day: dt.date) -> bool:
        if self.every == "week":
            return day.isoweekday() == self.n
        last = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return day.day == min(self.n, last.day)


NONE = Rhythm("none")


def _working_or_before(day: dt.date) -> dt.date:
    while not is_workday(day)[0]:
        day -= dt.timedelta(days=1)
    return day


def parse(written: object, where: str = "report_rhythm") -> Rhythm:
    """A rhythm from a campaign rule ({"every": "week", "weekday": 5}, {"every": "month",
    "day": 25}) or a problem's setting ("week:5", "month:25", "none")."""
    if isinstance(written, str):
        every, _sep, number = written.partition(":")
        written = {"every": every, "weekday": number, "day": number}
    if not isinstance(written, dict):
        raise ValidationError(_("%(w)s 应为对象。") % {"w": where})
    every = str(written.get("every", "none"))
    if every == "none":
        return NONE
    key, top = ("weekday", 7) if every == "week" else ("day", 31)
    if every not in ("week", "month"):
        raise ValidationError(_("%(w)s:every 应为 week、month 或 none。") % {"w": where})
    try:
        n = int(str(written.get(key, "")))
    except ValueError:
        n = 0
    if not 1 <= n <= top:
        raise ValidationError(_("%(w)s:%(k)s 应为 1 到 %(t)s。") % {"w": where, "k": key, "t": top})
    return Rhythm(every, n)


def campaign_rhythm(campaign: Campaign) -> Rhythm:
    return parse(campaign.rule("report_rhythm"))


def of(problem: Problem) -> Rhythm:
    """The problem's own rhythm, else its campaign's."""
    if problem.report_rhythm:
        return parse(problem.report_rhythm, _("问题的报送周期"))
    return campaign_rhythm(problem.campaign)


def expected_progress(
    problem: Problem, today: dt.date, measures_due: int = 0, measures_dated: int = 0
) -> int | None:
    """序时进度: the share of its dated measures due by today, else of the time from its
    recording to its deadline that has passed; None without either."""
    if measures_dated:
        return round(100 * measures_due / measures_dated)
    if problem.deadline is None:
        return None
    start = problem.created_at.date()
    span = (problem.deadline - start).days
    if span <= 0:
        return 100
    return max(0, min(100, round(100 * (today - start).days / span)))


def is_behind(progress: int, expected: int | None) -> bool:
    return expected is not None and progress + BEHIND_BY < expected


@dataclass(frozen=True)
class Schedule:
    """What the problem's page says of its reports and its progress against time."""

    rhythm: Rhythm
    period: tuple[dt.date, dt.date] | None
    reported: bool
    expected: int | None
    behind: bool


def schedule_of(problem: Problem, today: dt.date) -> Schedule:
    found = of(problem)
    period = found.period(today) if found.every != "none" else None
    reported = (
        period is not None
        and problem.reports.filter(created_at__date__gte=period[0], part__isnull=True).exists()
    )
    dated = [m.deadline for m in problem.measures.all() if m.deadline and m.part_id is None]
    expected = expected_progress(problem, today, sum(d <= today for d in dated), len(dated))
    return Schedule(found, period, reported, expected, is_behind(problem.progress, expected))


def groups(campaign: Campaign) -> list[tuple[Q, Rhythm]]:
    """The campaign's rectifying problems by the rhythm they report on (theirs or the
    campaign's), leaving out those that report when they like."""
    base = campaign_rhythm(campaign)
    specs = (
        Problem.objects.filter(campaign=campaign, status=Status.RECTIFYING)
        .values_list("report_rhythm", flat=True)
        .distinct()
    )
    found = []
    for spec in sorted(set(specs)):
        rhythm = base if spec == "" else parse(spec)
        if rhythm.every != "none":
            found.append((Q(report_rhythm=spec), rhythm))
    return found


def reported_q(start: dt.date, end: dt.date) -> Q:
    """Problems with a progress report of their own (not a co-operating unit's) made in
    [start, end]."""
    made = ProgressReport.objects.filter(
        problem=OuterRef("pk"), part__isnull=True, created_at__date__range=(start, end)
    )
    return Q(Exists(made))


def owes_q(rhythm_q: Q, start: dt.date) -> Q:
    """Rectifying problems of a rhythm that were recorded before the period began (one
    recorded during it owes its first report in the next)."""
    return rhythm_q & Q(status=Status.RECTIFYING, created_at__date__lt=start)
