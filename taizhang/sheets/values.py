"""Values as offices type them: dates in every common form, names with stray spaces."""

import datetime as dt
import re
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


class BadValue(ValueError):
    pass


def parse_date(value: Any) -> dt.date | None:
    """Excel serials, dates, 2022/1/5, 2022-01-05, 2022年1月5日, 2022.1.5, 20220105."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        if not 1 <= value < 2958466:
            raise BadValue(f"{value} 不是有效的日期")
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    match = _DATE.match(text) or _COMPACT.match(text)
    if not match:
        raise BadValue(f"“{text}”不是可识别的日期(例如 2022-01-05、2022年1月5日)")
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise BadValue(f"“{text}”这个日期不存在") from exc


def text(value: Any) -> str:
    """A cell as one line of text: runs of white space folded, ends trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())
