"""Values as offices type them: dates in every common form, names with stray spaces."""

import datetime as dt
import re
from dataclasses import dataclass
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


# Deadlines as offices write them in 整改时限. The words that name a handling kind instead of a
# date: the kind follows from them, the date from the campaign's rule for that kind.
KIND_IN_DEADLINE = {
    "立行立改": "immediate",
    "立即整改": "immediate",
    "即知即改": "immediate",
    "立知立改": "immediate",
    "马上就改": "immediate",
    "长期坚持": "long_term",
    "长期": "long_term",
    "持续整改": "long_term",
    "持续推进": "long_term",
    "常态化": "long_term",
    "限期整改": "deadline",
    "限时整改": "deadline",
}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR = r"(?:(?P<year>\d{4})\s*年)?"
_MONTH_END = re.compile(
    rf"^{_YEAR}\s*(?P<month>\d{{1,2}})\s*月\s*(?:份)?\s*(?P<rest>底前|底|末|前|以前|内|中旬前|上旬前|下旬前)?$"
)
_DAY = re.compile(
    rf"^{_YEAR}\s*(?P<month>\d{{1,2}})\s*月\s*(?P<day>\d{{1,2}})\s*[日号]\s*(?:前|以前|之前)?$"
)
_YEAR_END = re.compile(rf"^{_YEAR}\s*(?:年?底前|年?底|年?内|年?末|全年)$")
_QUARTER = re.compile(rf"^{_YEAR}\s*(?:第)?(?P<q>[一二三四1-4])\s*季度\s*(?:末|底)?\s*(?:前)?$")
_HALF = re.compile(rf"^{_YEAR}\s*(?P<half>上半年|下半年)\s*(?:前)?$")
_RANGE = re.compile(r"^(?P<first>\d{4})\s*年?\s*[-—–~至到]\s*(?P<last>\d{4})\s*年?\s*(?:底前|底)?$")
_ISO_IN_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass(frozen=True)
class Deadline:
    """What a 整改时限 cell says: a date, a handling kind, or both; `text` as it was written."""

    date: dt.date | None
    kind: str | None
    text: str


def _month_end(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12:
        raise ValueError(f"没有 {month} 月")
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _on_or_after(after: dt.date, year: int | None, make: Any) -> dt.date:
    """A date written without its year: the first one on or after `after`."""
    if year is not None:
        return make(year)  # type: ignore[no-any-return]
    for candidate_year in (after.year, after.year + 1):
        found = make(candidate_year)
        if found >= after:
            return found  # type: ignore[no-any-return]
    return make(after.year + 1)  # type: ignore[no-any-return]


def read_deadline(value: Any, *, after: dt.date) -> Deadline:
    """A 整改时限 cell: a real date; 2026年12月底前, 12月底, 2027年1月, …日前, 年底前, 二季度,
    上半年, 2023-2025年; or a handling kind (立行立改, 长期坚持, …), possibly beside a date.
    A date written without its year is the first such date on or after `after` (the campaign's
    start). Anything else is a BadValue that quotes the cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Deadline(None, None, "")
    if not isinstance(value, str):
        return Deadline(parse_date(value), None, "")
    raw = " ".join(value.split())
    compact = re.sub(r"[\s,\uff0c\u3002;\uff1b\u3001()\uff08\uff09\u3010\u3011\[\]]", "", raw)
    kind = next((k for word, k in KIND_IN_DEADLINE.items() if word in compact), None)
    rest = compact
    for word in sorted(KIND_IN_DEADLINE, key=len, reverse=True):
        rest = rest.replace(word, "")
    rest = rest.removeprefix("于").removeprefix("在").removeprefix("截至").removeprefix("截止")
    if not rest:
        if kind is None:
            raise BadValue(f"“{raw}”不是可识别的整改时限")
        return Deadline(None, kind, raw)
    return Deadline(_date_in(rest, raw, after), kind, raw)


def _date_in(rest: str, raw: str, after: dt.date) -> dt.date:
    try:
        return parse_date(rest)  # type: ignore[return-value]
    except BadValue:
        pass
    year = lambda m: int(m["year"]) if m["year"] else None  # noqa: E731
    if m := _DAY.match(rest):
        month, day = int(m["month"]), int(m["day"])
        try:
            return _on_or_after(after, year(m), lambda y: dt.date(y, month, day))
        except ValueError as exc:
            raise BadValue(f"“{raw}”这个日期不存在") from exc
    if m := _MONTH_END.match(rest):
        month = int(m["month"])
        try:
            if m["rest"] in ("前", "以前"):  # 6月前: before June begins
                if month == 1:
                    return _on_or_after(after, year(m), lambda y: dt.date(y - 1, 12, 31))
                return _on_or_after(after, year(m), lambda y: _month_end(y, month - 1))
            return _on_or_after(after, year(m), lambda y: _month_end(y, month))
        except ValueError as exc:
            raise BadValue(f"“{raw}”这个日期不存在") from exc
    if m := _YEAR_END.match(rest):
        return _on_or_after(after, year(m), lambda y: dt.date(y, 12, 31))
    if m := _QUARTER.match(rest):
        quarter = _CN_DIGITS[m["q"]]
        return _on_or_after(after, year(m), lambda y: _month_end(y, 3 * quarter))
    if m := _HALF.match(rest):
        month = 6 if m["half"] == "上半年" else 12
        return _on_or_after(after, year(m), lambda y: _month_end(y, month))
    if m := _RANGE.match(rest):
        return dt.date(int(m["last"]), 12, 31)
    if m := _ISO_IN_TEXT.search(rest):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            raise BadValue(f"“{raw}”这个日期不存在") from exc
    raise BadValue(
        f"“{raw}”不是可识别的整改时限(例如 2026-12-31、2026年12月底前、年底前、二季度、立行立改)"
    )
