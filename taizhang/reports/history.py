"""Any past moment's ledger figures, recomputed from the append-only history (历史重算).

Every history row records the state its problem was left in (ledger.chain: status, unit, focus
area, kind, source, deadline, closed on time), so a problem stood at a moment as its last row
before that moment says (rows are written in the order things happen); a problem with no row
yet did not exist. Counting those states by the figures' own definitions (reports.figures)
gives the figures as they stood, whether or not that day was frozen; where it was, both agree
(tested on the demo and on a history written through the services). Units are placed in the
tree as it is now.

Rows written before every row recorded a state (bulk rows of earlier versions, which changed
only the status) are read as the status they left and the problem's other fields as they are.
"""

import bisect
import datetime as dt
import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.access import reader_org
from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import Snapshot
from taizhang.ledger.models import (
    OPEN_STATUSES,
    UNCOUNTED_STATUSES,
    EventAction,
    Problem,
    ProblemEvent,
    Status,
)  # fmt: skip
from taizhang.ledger.permissions import visible_problems
from taizhang.orgs.models import Org
from taizhang.orgs.scoping import scope_of
from taizhang.reports.figures import Breakdown, Figures, percent
from taizhang.reports.stats import ledger_stats

OPEN = frozenset(str(s) for s in OPEN_STATUSES)
UNCOUNTED = frozenset(str(s) for s in UNCOUNTED_STATUSES)
# What `stats_at` recomputes: the keys of `campaign_stats` that count the ledger.
LEDGER_KEYS = (
    "problems_total", "problems_rectified", "problems_rectified_on_time", "problems_open",
    "overdue", "problems_pending", "problems_signed", "problems_applied", "problems_void",
    "problems_merged", "rectification_rate", "on_time_rate", "by_focus_area", "by_org",
    "by_kind", "by_source",
)  # fmt: skip


@dataclass(frozen=True)
class Moment:
    """A moment asked for: figures count the history written before `before`; what is overdue
    is judged on `day` (the moment's own date)."""

    before: dt.datetime
    day: dt.date
    text: str


def moment(text: str) -> Moment:
    """`YYYY-MM-DD` (the end of that day) or `YYYY-MM-DDTHH:MM` (the end of that minute), in the
    campaign's time zone; ValueError with the reason in Chinese otherwise."""
    text = text.strip()
    tz = timezone.get_current_timezone()
    try:
        if "T" in text or " " in text:
            at = dt.datetime.fromisoformat(text.replace(" ", "T"))
            if at.second or at.microsecond:
                raise ValueError
            at = at.replace(tzinfo=tz) if at.tzinfo is None else at
            return Moment(at + dt.timedelta(minutes=1), at.astimezone(tz).date(), text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("时间“%(t)s”格式不正确:应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM。") % {"t": text}
        ) from None
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return Moment(end, day, text)


def asked(campaign: Campaign, text: str) -> Moment:
    """The moment a person asked about, or ValueError saying why there is nothing to count."""
    at = moment(text)
    if at.day < campaign.starts_on:
        raise ValueError(_("活动“%(c)s”自 %(s)s 开始,%(t)s 时还没有台账。") % {
            "c": campaign.name, "s": campaign.starts_on, "t": at.text})  # fmt: skip
    if at.day > timezone.localdate():
        raise ValueError(_("%(t)s 还没有到,无法统计。") % {"t": at.text})
    return at


def against_snapshot(campaign: Campaign, org: Org, at: Moment) -> dict[str, Any] | None:
    """For a day that was frozen: whether the history, recomputed to the moment the snapshot
    was taken, gives the frozen figures (it does unless rows were changed behind the
    application's back; `taizhang verify` names those)."""
    if "T" in at.text:
        return None
    frozen = Snapshot.objects.filter(campaign=campaign, org=org, day=at.day).first()
    if frozen is None:
        return None
    then = Moment(frozen.taken_at, at.day, frozen.taken_at.isoformat())
    figures = stats_at(campaign, then, org=org)
    differs = [key for key in LEDGER_KEYS if frozen.figures.get(key) != figures.get(key)]
    return {"day": at.day.isoformat(), "taken_at": then.text, "agrees": not differs,
            "differs": differs}  # fmt: skip


# The steps that can move a problem to another unit: a subtree's figures read the history of
# the problems under it now and of those that ever took one of these steps.
MOVING = (EventAction.ASSIGN, EventAction.FORWARD, EventAction.DECLINE_ACCEPT, EventAction.UPDATE)
FALLBACK = ("org_id", "focus_area_id", "kind", "source", "status", "deadline", "closed_on_time")


def _last_rows_sql(problems: str) -> str:
    """Each problem's last history row written before the moment (rows are written in the
    order things happen): its recorded state, or for an older row without one, its status."""
    event = ProblemEvent._meta.db_table
    return f"""
        SELECT e.problem_id, e.state, e.to_status FROM {event} e
        JOIN (
            SELECT MAX(ev.id) AS id FROM {event} ev
            WHERE ev.at < %s AND {problems}
            GROUP BY ev.problem_id
        ) last ON last.id = e.id
    """


def _where(campaign: Campaign, root: Org, visible: Any) -> tuple[str, list[Any]]:
    """Which problems' history is read: the campaign's, or for a part of it, the problems under
    `root` now and those ever moved (and only the `visible` ones)."""
    problems = Problem.objects.filter(campaign=campaign).order_by()
    part = root.pk != campaign.org_id or visible is not None
    if root.pk != campaign.org_id:
        moved = ProblemEvent.objects.filter(action__in=MOVING).order_by().values("problem_id")
        problems = problems.filter(Q(org_path__under=root.path) | Q(pk__in=moved))
    if visible is not None:
        problems = problems.filter(pk__in=visible.order_by().values("pk"))
    if part and connection.vendor == "postgresql":
        # A part of the ledger, named by its problems: PostgreSQL then reads their rows by index.
        return "ev.problem_id = ANY(%s)", [list(problems.values_list("pk", flat=True))]
    sql, problem_params = problems.values("pk").query.sql_with_params()
    return f"ev.problem_id IN ({sql})", list(problem_params)


def _states(campaign: Campaign, root: Org, at: Moment, visible: Any) -> list[dict[str, Any]]:
    where, params = _where(campaign, root, visible)
    with connection.cursor() as cursor:
        cursor.execute(_last_rows_sql(where), [at.before, *params])
        rows = cursor.fetchall()
    states, unrecorded = [], {}
    for problem_id, state, to_status in rows:
        if isinstance(state, str):  # SQLite hands JSON over as text, PostgreSQL as a dict
            state = json.loads(state)
        if state:
            states.append(state)
        else:
            unrecorded[problem_id] = to_status
    for start in range(0, len(ids := list(unrecorded)), 900):
        for problem_id, *values in Problem.objects.filter(
            pk__in=ids[start : start + 900]
        ).values_list("pk", *FALLBACK):
            state = dict(zip(FALLBACK, values, strict=True))
            state["status"] = unrecorded[problem_id] or state["status"]
            if isinstance(state["deadline"], dt.date):
                state["deadline"] = state["deadline"].isoformat()
            states.append(state)
    return states


def _on_time_code(value: Any) -> int:
    return -1 if value is None else 1 if value else 0


Groups = Counter[tuple[str, Any, str, str, str, int, bool]]


def _groups_in_python(campaign: Campaign, root: Org, at: Moment, visible: Any) -> Groups:
    """The states read whole and counted here (SQLite's JSON functions are the slow part)."""
    paths = dict(Org.objects.filter(path__under=root.path).values_list("pk", "path"))
    depth = root.path.count("/")  # "/141000/" has 2: a child's path keeps 3 parts
    day = at.day.isoformat()
    groups: Groups = Counter()
    children: dict[int, str | None] = {}
    for state in _states(campaign, root, at, visible):
        org_id = state["org_id"]
        if org_id not in children:
            path = paths.get(org_id)  # None: outside the subtree then (or a unit since deleted)
            children[org_id] = (
                None if path is None
                else path if path == root.path
                else "/".join(path.split("/")[: depth + 1]) + "/"
            )  # fmt: skip
        child = children[org_id]
        if child is None:
            continue
        deadline = state["deadline"]
        groups[child, state["focus_area_id"], state["kind"], state["source"], state["status"],
               _on_time_code(state["closed_on_time"]),
               deadline is not None and deadline < day] += 1  # fmt: skip
    return groups


def _groups_in_postgresql(campaign: Campaign, root: Org, at: Moment, visible: Any) -> Groups:
    """The same counts grouped by PostgreSQL, which reads JSON fast: for the whole campaign,
    1.5 s instead of 2.2 s at scale 1."""
    where, params = _where(campaign, root, visible)
    recorded = "e.state ? 'status'"

    def field(name: str, older: str) -> str:
        return f"CASE WHEN {recorded} THEN e.state ->> '{name}' ELSE {older} END"

    event, problem, org = (m._meta.db_table for m in (ProblemEvent, Problem, Org))
    start = len(root.path)
    sql = f"""
        SELECT CASE WHEN o.path = %s THEN o.path
                    ELSE substr(o.path, 1, strpos(substr(o.path, {start + 1}), '/') + {start})
               END AS child,
               t.area, t.kind, t.source, t.status, t.on_time, t.late, COUNT(*)
        FROM (
            SELECT CAST({field("org_id", "CAST(p.org_id AS TEXT)")} AS INTEGER) AS org_id,
                   CAST({field("focus_area_id", "CAST(p.focus_area_id AS TEXT)")} AS INTEGER)
                       AS area,
                   {field("kind", "p.kind")} AS kind, {field("source", "p.source")} AS source,
                   {field("status", "COALESCE(NULLIF(e.to_status, ''), p.status)")} AS status,
                   CAST({field("closed_on_time", "CAST(p.closed_on_time AS TEXT)")} AS BOOLEAN)
                       AS on_time,
                   COALESCE({field("deadline", "CAST(p.deadline AS TEXT)")} < %s, FALSE) AS late
            FROM {event} e
            JOIN (
                SELECT MAX(ev.id) AS id FROM {event} ev WHERE ev.at < %s AND {where}
                GROUP BY ev.problem_id
            ) last ON last.id = e.id
            JOIN {problem} p ON p.id = e.problem_id
        ) t
        JOIN {org} o ON o.id = t.org_id
        WHERE o.path LIKE %s
        GROUP BY 1, 2, 3, 4, 5, 6, 7
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [root.path, at.day.isoformat(), at.before, *params, root.path + "%"])
        rows = cursor.fetchall()
    groups: Groups = Counter()
    for child, area, kind, source, status, on_time, late, n in rows:
        groups[child, area, kind, source, status, _on_time_code(on_time), bool(late)] += n
    return groups


def breakdown_at(
    campaign: Campaign, root: Org, at: Moment, visible: QuerySet[Problem] | None = None
) -> Breakdown:
    """The figures of `root`'s subtree as they stood at `at` (of the `visible` problems only,
    for a reader who sees part of it), cut as the present ones are."""
    # PostgreSQL groups the whole campaign faster itself; a part reads fewer rows, faster here.
    whole = root.pk == campaign.org_id and visible is None
    in_sql = whole and connection.vendor == "postgresql"
    grouping = _groups_in_postgresql if in_sql else _groups_in_python
    # Counted per child unit and cut first, so each distinct cell and state is added once.
    counts: Counter[tuple[str, Any, str, int, bool]] = Counter()
    for (child, area, kind, source, *flags), n in grouping(campaign, root, at, visible).items():
        for cut, key in (("overall", None), ("area", area), ("kind", kind), ("source", source),
                         ("child", child), ("child_area", (child, area))):  # fmt: skip
            counts[(cut, key, *flags)] += n  # type: ignore[index]
    breakdown = Breakdown()
    cuts: dict[str, dict[Any, Figures]] = {
        "area": breakdown.by_area, "kind": breakdown.by_kind, "source": breakdown.by_source,
        "child": breakdown.by_child, "child_area": breakdown.by_child_area,
    }  # fmt: skip
    for (cut, key, status, on_time, late), n in counts.items():
        cell = breakdown.overall if cut == "overall" else cuts[cut].setdefault(key, Figures())
        _count(cell, status, on_time, late, n)
    return breakdown


def _count(cell: Figures, status: str, on_time: int, late: bool, n: int) -> None:
    cell.add_tally(status, on_time, n)
    if late and status in OPEN:
        cell.overdue += n


def stats_at(
    campaign: Campaign, at: Moment, *, org: Org | None = None, user: object | None = None
) -> dict[str, Any]:
    """`campaign_stats`' ledger figures as they stood at `at`: the same keys, cut the same
    way, for the same reader. (What is kept per subtree beside the ledger — supervision, study,
    hotline — is not recomputed: the frozen day has it.)"""
    if user is None:
        root, whole = org or campaign.org, True
    else:
        root, whole = reader_org(user, campaign, org)
    reaches = user is None or scope_of(user).reaches(root.path)
    visible = None if reaches else visible_problems(user, campaign)
    breakdown = breakdown_at(campaign, root, at, visible)
    return {**ledger_stats(campaign, root, whole, breakdown, at.text), "source": "history"}


def trend_points(
    campaign: Campaign, org: Org, days: list[dt.date]
) -> dict[dt.date, dict[str, Any]]:
    """Problems counted and closed at the end of each of `days` in `org`'s subtree, as the
    history says they stood (the trend's points where no day was frozen). One pass over the
    campaign's history, in order: each row's state holds from its moment until the problem's
    next row, and counts towards every day that ends in between. (The city's at scale 1 takes
    seconds: the daily run computes it ahead, see reports.daily.)"""
    tz = timezone.get_current_timezone()
    ends = [
        dt.datetime.combine(d + dt.timedelta(days=1), dt.time(), tzinfo=tz).timestamp()
        for d in days
    ]
    # The campaign's own unit holds every unit its problems were ever at: nothing to check.
    whole = org.pk == campaign.org_id
    under = (
        set()
        if whole
        else set(Org.objects.filter(path__under=org.path).values_list("pk", flat=True))
    )
    counted, closed = [0] * (len(days) + 1), [0] * (len(days) + 1)
    events = ProblemEvent.objects.filter(problem__campaign=campaign)
    if not whole:  # as breakdown_at: under it now, or ever moved
        moved = ProblemEvent.objects.filter(action__in=MOVING).values("problem_id")
        events = events.filter(Q(problem__org_path__under=org.path) | Q(problem_id__in=moved))
    rows = (
        events.order_by("problem_id", "pk")
        .annotate(
            s_status=KeyTextTransform("status", "state"), s_org=KeyTextTransform("org_id", "state")
        )
        .values_list("problem_id", "at", "to_status", "s_status", "s_org", "problem__org_id")
    )

    def hold(status: str, org_id: int, start: float, end: float) -> None:
        if status in UNCOUNTED or not (whole or org_id in under):
            return
        lo, hi = bisect.bisect_right(ends, start), bisect.bisect_right(ends, end)
        if lo >= hi:
            return
        counted[lo] += 1
        counted[hi] -= 1
        if status == Status.CLOSED:
            closed[lo] += 1
            closed[hi] -= 1

    held: tuple[int, str, int, float] | None = None  # problem, status, unit, since
    for problem_id, at, to_status, status, recorded_org, org_now in rows.iterator(chunk_size=20000):
        moment_ = at.timestamp()
        if held is not None:
            same = held[0] == problem_id
            hold(held[1], held[2], held[3], moment_ if same else math.inf)
            if not same:
                held = None
        status = status or to_status or (held[1] if held else "")
        unit = int(recorded_org) if recorded_org is not None else (held[2] if held else org_now)
        held = (problem_id, status, unit, moment_)
    if held is not None:
        hold(held[1], held[2], held[3], math.inf)
    points: dict[dt.date, dict[str, Any]] = {}
    total = done = 0
    for i, day in enumerate(days):
        total, done = total + counted[i], done + closed[i]
        points[day] = {"day": day.isoformat(), "total": total, "rectified": done,
                       "rate": percent(done, total), "source": "history"}  # fmt: skip
    return points
