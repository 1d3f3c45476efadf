"""Loading a year's official schedule, from the short form the State Council notice reads as.

One line per entry: a date or a range, then a name; a make-up working day is marked 补班/上班.

    2027-01-01..2027-01-03 元旦
    2027-02-06 春节补班
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from taizhang.audit.tracking import quiet, record_setting
from taizhang.workdays import calendar
from taizhang.workdays.models import OfficialDay, ScheduleYear

_LINE = re.compile(
    r"^(?P<start>\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:\.\.|~|至)\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s*(?P<name>.*)$"
)
_WORK_WORDS = ("补班", "上班", "调休上班", "workday")


@dataclass(frozen=True)
class ScheduleEntry:
    date: dt.date
    is_workday: bool
    name: str


def parse_schedule(year: int, text: str) -> list[ScheduleEntry]:
    entries: dict[dt.date, ScheduleEntry] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise ValidationError(
                _("第 %(n)d 行无法识别:“%(line)s”。格式:2027-01-01..2027-01-03 元旦")
                % {"n": number, "line": line}
            )
        try:
            start = dt.date.fromisoformat(_pad(match["start"]))
            end = dt.date.fromisoformat(_pad(match["end"])) if match["end"] else start
        except ValueError as exc:
            raise ValidationError(
                _("第 %(n)d 行的日期不存在:“%(line)s”。") % {"n": number, "line": line}
            ) from exc
        if end < start or (end - start).days > 40:
            raise ValidationError(_("第 %(n)d 行的日期范围不合理。") % {"n": number})
        name = match["name"].strip()
        working = any(word in name for word in _WORK_WORDS)
        day = start
        while day <= end:
            if day.year != year:
                raise ValidationError(
                    _("第 %(n)d 行的日期 %(d)s 不在 %(y)d 年。")
                    % {"n": number, "d": day, "y": year}
                )
            entries[day] = ScheduleEntry(day, working, name)
            day += dt.timedelta(days=1)
    if not entries:
        raise ValidationError(_("没有读到任何节假日或调休日期。"))
    return sorted(entries.values(), key=lambda e: e.date)


def _pad(value: str) -> str:
    y, m, d = value.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


# Sent inside the loading transaction: the ledger recounts provisional deadlines with it, so
# the new calendar and the deadlines it moves are stored together or not at all.
schedule_loaded = Signal()


@transaction.atomic
def load_year(*, year: int, text: str, by: User | None, note: str = "") -> int:
    """Replace the schedule of `year`; deadlines computed provisionally are recomputed."""
    entries = parse_schedule(year, text)
    days = OfficialDay.objects.filter(date__year=year).order_by("date")
    before = [[str(d), w, n] for d, w, n in days.values_list("date", "is_workday", "name")]
    with quiet():  # one entry for the year, with the days before and after
        days.delete()
    OfficialDay.objects.bulk_create(
        OfficialDay(date=e.date, is_workday=e.is_workday, name=e.name) for e in entries
    )
    after = [[str(e.date), e.is_workday, e.name] for e in entries]
    record_setting("节假日安排", str(year), before or None, after)
    ScheduleYear.objects.update_or_create(year=year, defaults={"note": note, "loaded_by": by})
    transaction.on_commit(calendar.invalidate)
    calendar.invalidate()
    schedule_loaded.send(sender=ScheduleYear, year=year, by=by)
    return len(entries)
