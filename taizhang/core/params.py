"""Numbers and dates from a request, read so that what a person (or a fuzzer) types gives a
clear error, never a crash: no ValueError from int(), no OverflowError from the database."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

# Every count, version and id we store fits a signed 64-bit integer; a person never types more
# than this on purpose.
LARGEST = 10**15


def integer(value: str | None, *, label: str = "") -> int | None:
    """None for nothing typed; the number; or a ValidationError saying what was wrong."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError(_("%(f)s“%(v)s”不是整数。") % {"f": label, "v": value[:20]})
    if len(value) > 15 or int(value) > LARGEST:
        raise ValidationError(_("%(f)s“%(v)s”太大了。") % {"f": label, "v": value[:20]})
    return int(value)


def row_id(value: str | None) -> int:
    """An id from a query string: anything but a plausible id is simply not found."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 15:
        raise Http404
    return int(value)


def picked(value: str | None) -> int:
    """A picked row's id from a form: 0, found nowhere, when none (or nonsense) was sent."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 15 else 0


def date(value: str | None, *, label: str = "") -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(
            _("%(f)s“%(v)s”不是日期,请写成 2026-03-31。") % {"f": label, "v": value[:20]}
        ) from exc
