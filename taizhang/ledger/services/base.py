"""The steps every service shares: permission, state and version checks, the write, the log."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign
from taizhang.ledger import chain, tallies
from taizhang.ledger.errors import ConflictError, NotAllowed, TransitionError
from taizhang.ledger.models import NumberSequence, Problem, ProblemEvent

MAX_DEADLINE_YEARS_AFTER_CAMPAIGN = 3


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def require_current(problem: Problem, version: int) -> None:
    """A step decided on an old copy of the problem is a conflict, whatever else is wrong."""
    if problem.version != version:
        raise ConflictError(problem.version)


def require_status(problem: Problem, statuses: Iterable[str], doing: str) -> None:
    if problem.is_carried_over:
        raise TransitionError(_("该问题已转入新一轮活动,请在新活动中办理。"))
    if problem.status not in statuses:
        raise TransitionError(
            _("问题当前状态为“%(status)s”,不能%(doing)s。")
            % {"status": problem.get_status_display(), "doing": doing}
        )


def log(
    problem: Problem,
    by: User | None,
    action: str,
    *,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ProblemEvent:
    event = ProblemEvent(
        problem=problem,
        at=timezone.now(),
        actor=by,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )
    chain.seal([event])
    event.save()
    return event


def write(problem: Problem, expected_version: int, **fields: Any) -> None:
    """Save `fields` only if nobody changed the problem since `expected_version` was read."""
    updated = Problem.objects.filter(pk=problem.pk, version=expected_version).update(
        version=F("version") + 1, **fields
    )
    if not updated:
        current = Problem.objects.filter(pk=problem.pk).values_list("version", flat=True).first()
        raise ConflictError(current)
    before = tallies.leaf_key(problem)
    for name, value in fields.items():
        setattr(problem, name, value)
    problem.version = expected_version + 1
    tallies.track_change(before, tallies.leaf_key(problem))


def transition(
    problem: Problem,
    by: User,
    version: int,
    action: str,
    to_status: str,
    reason: str = "",
    **fields: Any,
) -> Problem:
    from_status = problem.status
    write(problem, version, status=to_status, **fields)
    log(problem, by, action, from_status=from_status, to_status=to_status, reason=reason)
    return problem


def require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写%(what)s。") % {"what": what})
    return reason


def check_deadline(campaign: Campaign, deadline: dt.date, start: dt.date) -> None:
    latest = campaign.ends_on + dt.timedelta(days=366 * MAX_DEADLINE_YEARS_AFTER_CAMPAIGN)
    if deadline < start:
        raise ValidationError(_("整改时限 %(d)s 早于 %(s)s。") % {"d": deadline, "s": start})
    if deadline > latest:
        raise ValidationError(
            _("整改时限 %(d)s 超出活动期限太远(最晚 %(l)s),请检查年份。")
            % {"d": deadline, "l": latest}
        )


def next_number(campaign: Campaign) -> str:
    """The campaign's next 编号, counted and read in one statement: two problems recorded at
    once get two numbers, and the counter's row stays locked until the transaction ends."""
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (campaign_id, last) VALUES (%s, 1) ON CONFLICT (campaign_id) "
            f"DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [campaign.pk],
        )
        (last,) = cursor.fetchone()
    return f"{campaign.slug.upper()}-{last:06d}"
