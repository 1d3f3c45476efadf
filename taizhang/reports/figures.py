"""The campaign's figures, defined once (DESIGN §4). Screens, exports, the API and `stats` use this.

- problems_total: problems that count, i.e. all but void (作废) and merged (已合并)
- problems_rectified: closed (已销号) by an approved fix
- rectification_rate 整改率 = rectified / total
- on_time_rate 按期整改率 = closed on or before the deadline / closed
- overdue 逾期: open problems past their deadline, counted on `today`
"""

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr
from django.utils.translation import gettext_lazy as _

from taizhang.ledger.models import OPEN_STATUSES, UNCOUNTED_STATUSES, Problem, Status

# Each figure is a filter over the ledger; the list behind a figure uses the same filter.
FIGURE_FILTERS: dict[str, Any] = {
    "problems_total": lambda today: ~Q(status__in=UNCOUNTED_STATUSES),
    "problems_rectified": lambda today: Q(status=Status.CLOSED),
    "problems_rectified_on_time": lambda today: Q(status=Status.CLOSED, closed_on_time=True),
    "problems_open": lambda today: Q(status__in=OPEN_STATUSES),
    "overdue": lambda today: Q(status__in=OPEN_STATUSES, deadline__lt=today),
    "problems_pending": lambda today: Q(status=Status.PENDING),
    "problems_void": lambda today: Q(status=Status.VOID),
    "problems_merged": lambda today: Q(status=Status.MERGED),
}


FIGURE_LABELS = {
    "problems_total": _("问题总数"),
    "problems_rectified": _("已销号"),
    "problems_rectified_on_time": _("按期销号"),
    "problems_open": _("未销号"),
    "overdue": _("逾期"),
    "problems_pending": _("待审核"),
    "problems_void": _("已作废"),
    "problems_merged": _("已合并"),
}


def figure_filter(name: str, today: dt.date) -> Q:
    return FIGURE_FILTERS[name](today)


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Figures:
    problems_total: int = 0
    problems_rectified: int = 0
    problems_rectified_on_time: int = 0
    problems_open: int = 0
    overdue: int = 0
    problems_pending: int = 0
    problems_void: int = 0
    problems_merged: int = 0

    @property
    def rectification_rate(self) -> float | None:
        return percent(self.problems_rectified, self.problems_total)

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.problems_rectified_on_time, self.problems_rectified)

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "rectification_rate": self.rectification_rate,
            "on_time_rate": self.on_time_rate,
        }

    def add(self, other: "Figures") -> None:
        for name in FIGURE_FILTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _aggregates(today: dt.date) -> dict[str, Count]:
    return {name: Count("pk", filter=make(today)) for name, make in FIGURE_FILTERS.items()}


def figures_of(problems: QuerySet[Problem], today: dt.date) -> Figures:
    return Figures(**problems.aggregate(**_aggregates(today)))


def figures_by(problems: QuerySet[Problem], field: str, today: dt.date) -> dict[Any, Figures]:
    """One grouped query; keys are the raw values of `field` (ids for foreign keys)."""
    rows = problems.order_by().values(field).annotate(**_aggregates(today))
    return {row.pop(field): Figures(**row) for row in rows}


def figures_by_child(
    problems: QuerySet[Problem], parent_path: str, today: dt.date
) -> dict[str, Figures]:
    """Figures per child subtree of `parent_path`, keyed by the child's path, in one query.

    Problems of the parent org itself are keyed by `parent_path`.
    """
    start = len(parent_path) + 1
    rest = Substr("org_path", start)
    child = Substr("org_path", 1, StrIndex(rest, Value("/")) + Value(len(parent_path)))
    rows = (
        problems.filter(org_path__under=parent_path)
        .order_by()
        .annotate(child_path=child)
        .values("child_path")
        .annotate(**_aggregates(today))
    )
    return {row.pop("child_path"): Figures(**row) for row in rows}
