"""Any past moment's ledger figures, recomputed from the append-only history (历史重算).

Every history row records the state its problem was left in (ledger.chain: status, unit, focus
area, kind, source, deadline, closed on time), so a problem stood at a moment as its last row
before that moment says; a problem with no row yet did not exist. Counting those states by
the figures' own definitions (reports.figures) gives the figures as they stood, whether or not
that day was frozen; where it was, both agree (tested on the demo and on a history written
through the services). Units are placed in the tree as it is now.

Rows written before every row recorded a state (bulk rows of earlier versions, which changed
only the status) are read as the status they left and the problem's other fields as they are.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.access import reader_org
from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.evaluation.models import Snapshot
from taizhang.ledger.models import OPEN_STATUSES, Kind, Problem, ProblemEvent, Source
from taizhang.ledger.permissions import visible_problems
from taizhang.orgs.models import Org
from taizhang.orgs.scoping import scope_of
from taizhang.reports.figures import Breakdown, Figures
from taizhang.reports.stats import child_rows

OPEN = frozenset(str(s) for s in OPEN_STATUSES)
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


def _field(name: str) -> str:
    if connection.vendor == "postgresql":
        return f"(e.state ->> '{name}')"
    return f"json_extract(e.state, '$.{name}')"


def _sql(scoped: str) -> str:
    recorded = f"{_field('status')} IS NOT NULL"
    on_time = (
        f"CAST({_field('closed_on_time')} AS BOOLEAN)"
        if connection.vendor == "postgresql"
        else _field("closed_on_time")
    )
    event, problem = ProblemEvent._meta.db_table, Problem._meta.db_table
    return f"""
        SELECT org_id, area_id, kind, source, status, on_time,
               CASE WHEN deadline IS NOT NULL AND deadline < %s THEN 1 ELSE 0 END AS late,
               COUNT(*)
        FROM (
            SELECT
                CASE WHEN {recorded} THEN CAST({_field("org_id")} AS INTEGER)
                     ELSE p.org_id END AS org_id,
                CASE WHEN {recorded} THEN CAST({_field("focus_area_id")} AS INTEGER)
                     ELSE p.focus_area_id END AS area_id,
                CASE WHEN {recorded} THEN {_field("kind")} ELSE p.kind END AS kind,
                CASE WHEN {recorded} THEN {_field("source")} ELSE p.source END AS source,
                CASE WHEN {recorded} THEN {_field("status")}
                     ELSE COALESCE(NULLIF(e.to_status, ''), p.status) END AS status,
                CASE WHEN {recorded} THEN {on_time} ELSE p.closed_on_time END AS on_time,
                CASE WHEN {recorded} THEN {_field("deadline")}
                     ELSE CAST(p.deadline AS TEXT) END AS deadline
            FROM (
                SELECT ev.problem_id, ev.to_status, ev.state,
                       ROW_NUMBER() OVER (
                           PARTITION BY ev.problem_id ORDER BY ev.at DESC, ev.id DESC
                       ) AS rn
                FROM {event} ev JOIN {problem} q ON q.id = ev.problem_id
                WHERE q.campaign_id = %s AND ev.at < %s {scoped}
            ) e JOIN {problem} p ON p.id = e.problem_id
            WHERE e.rn = 1
        ) t
        GROUP BY org_id, area_id, kind, source, status, on_time, late
    """


def _on_time_code(value: Any) -> int:
    if value is None:
        return -1
    if isinstance(value, str):
        return 1 if value.lower() in ("true", "1") else 0
    return 1 if value else 0


def breakdown_at(
    campaign: Campaign, root: Org, at: Moment, visible: QuerySet[Problem] | None = None
) -> Breakdown:
    """The figures of `root`'s subtree as they stood at `at` (of the `visible` problems only,
    for a reader who sees part of it), cut as the present ones are."""
    scoped, params = "", []
    if visible is not None:
        ids_sql, ids_params = visible.order_by().values("pk").query.sql_with_params()
        scoped, params = f"AND q.id IN ({ids_sql})", list(ids_params)
    with connection.cursor() as cursor:
        cursor.execute(_sql(scoped), [at.day.isoformat(), campaign.pk, at.before, *params])
        rows = cursor.fetchall()
    paths = dict(Org.objects.filter(path__under=root.path).values_list("pk", "path"))
    breakdown = Breakdown()
    depth = root.path.count("/")  # "/141000/" has 2: a child's path keeps 3 parts
    for org_id, area, kind, source, status, on_time, late, n in rows:
        path = paths.get(org_id)
        if path is None:
            continue  # a unit outside the subtree (or one since deleted)
        child = root.path if path == root.path else "/".join(path.split("/")[: depth + 1]) + "/"
        for cell in breakdown.cells(area, kind, source, child):
            _count(cell, status, _on_time_code(on_time), bool(late), n)
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
    areas = FocusArea.objects.filter(campaign=campaign)
    return {
        "campaign": campaign.slug,
        "campaign_name": campaign.name,
        "org": root.code,
        "org_name": root.name,
        "covers": "whole" if whole else "visible",
        "as_of": at.text,
        "source": "history",
        **breakdown.overall.as_dict(),
        "by_focus_area": {
            area.name: breakdown.by_area.get(area.pk, Figures()).as_dict() for area in areas
        },
        "by_org": {
            child.code: {"name": child.name, **figures.as_dict()}
            for child, figures in child_rows(root, breakdown)
        },
        "by_kind": {k.value: breakdown.by_kind.get(k.value, Figures()).as_dict() for k in Kind},
        "by_source": {
            s.value: breakdown.by_source.get(s.value, Figures()).as_dict() for s in Source
        },
    }
