"""The campaign's figures, defined once (DESIGN §4). Screens, exports, the API and `stats` use this.

- problems_total: problems that count, i.e. all but void (作废) and merged (已合并)
- problems_rectified: closed (已销号) by an approved fix
- rectification_rate 整改率 = rectified / total
- on_time_rate 按期整改率 = closed on or before the deadline / closed
- overdue 逾期: open problems past their deadline, counted on `today`

Each figure is a set of statuses (plus "closed on time" or "past its deadline"). From that one
definition come both the filter of the list behind the figure and the rule that sums tallies.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taizhang.ledger.models import OPEN_STATUSES, UNCOUNTED_STATUSES, Problem, Status


@dataclass(frozen=True)
class Figure:
    label: Any
    statuses: frozenset[str]
    on_time_only: bool = False
    past_deadline: bool = False  # depends on the day: counted live, never tallied

    def q(self, today: dt.date) -> Q:
        query = Q(status__in=sorted(self.statuses))
        if self.on_time_only:
            query &= Q(closed_on_time=True)
        if self.past_deadline:
            query &= Q(deadline__lt=today)
        return query

    def counts(self, status: str, on_time: int) -> bool:
        """Whether a tally row (status, on_time code 1/0/-1) belongs to this figure."""
        return status in self.statuses and (not self.on_time_only or on_time == 1)


COUNTED = frozenset(Status.values) - frozenset(UNCOUNTED_STATUSES)
FIGURES: dict[str, Figure] = {
    "problems_total": Figure(_("问题总数"), COUNTED),
    "problems_rectified": Figure(_("已销号"), frozenset({Status.CLOSED})),
    "problems_rectified_on_time": Figure(
        _("按期销号"), frozenset({Status.CLOSED}), on_time_only=True
    ),
    "problems_open": Figure(_("未销号"), frozenset(OPEN_STATUSES)),
    "overdue": Figure(_("逾期"), frozenset(OPEN_STATUSES), past_deadline=True),
    "problems_pending": Figure(_("待审核"), frozenset({Status.PENDING})),
    # The funnel's middle steps: signed for and being rectified or further; applied to close.
    "problems_signed": Figure(
        _("已签收整改"), frozenset({Status.RECTIFYING, Status.PENDING, Status.CLOSED})
    ),
    "problems_applied": Figure(_("已申请销号"), frozenset({Status.PENDING, Status.CLOSED})),
    "problems_void": Figure(_("已作废"), frozenset({Status.VOID})),
    "problems_merged": Figure(_("已合并"), frozenset({Status.MERGED})),
}
FIGURE_LABELS = {name: figure.label for name, figure in FIGURES.items()}
TALLIED = [name for name, figure in FIGURES.items() if not figure.past_deadline]
LIVE = [name for name, figure in FIGURES.items() if figure.past_deadline]


def figure_filter(name: str, today: dt.date) -> Q:
    return FIGURES[name].q(today)


def newest_ids(*models: Any) -> tuple[int, ...]:
    """The highest id of each table (0 when empty), in one statement of index lookups: what
    changes whenever a row is appended, for keying figures held between writes."""
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(n or 0 for n in cursor.fetchone())


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
    problems_signed: int = 0
    problems_applied: int = 0
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

    def add_tally(self, status: str, on_time: int, n: int) -> None:
        for name in TALLIED:
            if FIGURES[name].counts(status, on_time):
                setattr(self, name, getattr(self, name) + n)


@dataclass
class Breakdown:
    """Figures of one org subtree, in total and cut by area, kind, source and child unit."""

    overall: Figures = field(default_factory=Figures)
    by_area: dict[int, Figures] = field(default_factory=dict)
    by_kind: dict[str, Figures] = field(default_factory=dict)
    by_source: dict[str, Figures] = field(default_factory=dict)
    by_child: dict[str, Figures] = field(default_factory=dict)
    # Child unit × focus area (the overdue grid); filled by counts from the ledger only.
    by_child_area: dict[tuple[str, int], Figures] = field(default_factory=dict)

    def cells(self, area: int, kind: str, source: str, child: str | None) -> list[Figures]:
        cells = [
            self.overall,
            self.by_area.setdefault(area, Figures()),
            self.by_kind.setdefault(kind, Figures()),
            self.by_source.setdefault(source, Figures()),
        ]
        if child is not None:
            cells.append(self.by_child.setdefault(child, Figures()))
            cells.append(self.by_child_area.setdefault((child, area), Figures()))
        return cells


def child_path_expression(parent_path: str, field: str = "org_path") -> Any:
    """The path of the child of `parent_path` whose subtree holds the row (itself if none)."""
    rest = Substr(field, len(parent_path) + 1)
    return Substr(field, 1, StrIndex(rest, Value("/")) + Value(len(parent_path)))


def _aggregates(today: dt.date, names: list[str]) -> dict[str, Count]:
    # Counting a column of the covering index (not the key) lets PostgreSQL read the index alone.
    return {name: Count("status", filter=FIGURES[name].q(today)) for name in names}


def live_breakdown(
    problems: QuerySet[Problem],
    parent_path: str,
    today: dt.date,
    names: list[str] | None = None,
    *,
    all_under_parent: bool = False,
) -> Breakdown:
    """Count `names` (default: every figure) straight from the ledger, in one grouped query.

    `all_under_parent` says every row of `problems` is already in the subtree (a campaign's
    root): the path filter is then left out, so the database keeps to the status index.
    """
    names = names or list(FIGURES)
    breakdown = Breakdown()
    if not all_under_parent:
        problems = problems.filter(org_path__under=parent_path)
    rows: Iterable[Mapping[str, Any]] = (
        problems.order_by()
        .annotate(child_path=child_path_expression(parent_path))
        .values("focus_area", "kind", "source", "child_path")
        .annotate(**_aggregates(today, names))
    )
    for row in rows:
        for cell in breakdown.cells(
            row["focus_area"], row["kind"], row["source"], row["child_path"]
        ):
            for name in names:
                setattr(cell, name, getattr(cell, name) + row[name])
    return breakdown


def list_url(slug: str, **params: Any) -> str:
    """The ledger list with these filters: where every figure links to its rows."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse("problem_list", args=[slug]) + (f"?{query}" if query else "")
