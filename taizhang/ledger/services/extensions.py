"""Deadlines move only through an approved extension (延期申请), or a newly loaded calendar."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger import permissions
from taizhang.ledger.deadlines import default_deadline
from taizhang.ledger.errors import TransitionError
from taizhang.ledger.models import (
    OPEN_STATUSES,
    EventAction,
    ExtensionRequest,
    ExtensionStatus,
    Problem,
    Status,
)
from taizhang.ledger.services.base import (
    User,
    check_deadline,
    log,
    require,
    require_current,
    require_reason,
    require_status,
    write,
)
from taizhang.ledger.services.telling import tell


@transaction.atomic
def request_extension(
    problem: Problem, *, by: User, new_deadline: dt.date, reason: str
) -> ExtensionRequest:
    require(permissions.can_edit(by, problem), _("只有责任单位可以申请延期。"))
    require_status(problem, (Status.ASSIGNED, Status.RECTIFYING), _("申请延期"))
    reason = require_reason(reason, _("延期理由"))
    if problem.deadline is None:
        raise ValidationError(_("这个问题没有整改时限,无需延期。"))
    if new_deadline <= problem.deadline:
        raise ValidationError(_("申请的时限应晚于当前时限 %(d)s。") % {"d": problem.deadline})
    check_deadline(problem.campaign, new_deadline, problem.deadline)
    if problem.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
        raise TransitionError(_("已有一份延期申请在审批中。"))
    extension = ExtensionRequest.objects.create(
        problem=problem, requested_deadline=new_deadline, reason=reason, requested_by=by
    )
    log(
        problem,
        by,
        EventAction.EXTEND_REQUEST,
        reason=reason,
        data={"extension": extension.pk, "to": new_deadline.isoformat()},
    )
    return extension


@transaction.atomic
def decide_extension(
    extension: ExtensionRequest, *, by: User, version: int, approve: bool, note: str = ""
) -> ExtensionRequest:
    problem = extension.problem
    require(permissions.can_decide(by, problem), _("延期须由上级单位的领导或活动办公室审批。"))
    require(extension.requested_by_id != by.pk, _("申请人不能审批自己的延期申请。"))
    if extension.status != ExtensionStatus.REQUESTED:
        raise TransitionError(_("这份延期申请已经审批过了。"))
    require_current(problem, version)
    require_status(problem, (Status.ASSIGNED, Status.RECTIFYING), _("审批延期"))
    if not approve:
        note = require_reason(note, _("驳回理由"))
    old_deadline = problem.deadline
    fields: dict[str, Any] = {}
    if approve:
        fields = {
            "deadline": extension.requested_deadline,
            "deadline_provisional": False,
            "deadline_basis": None,
        }
    write(problem, version, **fields)
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = by, timezone.now(), note
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    log(
        problem,
        by,
        EventAction.EXTEND_APPROVE if approve else EventAction.EXTEND_REJECT,
        reason=note,
        data={"from": str(old_deadline), "to": str(extension.requested_deadline)},
    )
    decided = _("延期申请已批准") if approve else _("延期申请未批准")
    tell([extension.requested_by], problem, decided, note, by=by)
    return extension


@transaction.atomic
def recompute_provisional_deadlines(by: User | None = None) -> int:
    """After a year's schedule is loaded, recount deadlines that were computed without it;
    each change is versioned and logged, under the name of whoever loaded the schedule."""
    changed = 0
    for problem in Problem.objects.filter(
        deadline_provisional=True, deadline_basis__isnull=False, status__in=OPEN_STATUSES
    ).select_related("campaign"):
        assert problem.deadline_basis is not None  # filtered above
        answer = default_deadline(
            problem.campaign, problem.kind, problem.deadline_basis, urgent=problem.urgent
        )
        if (answer.date, answer.provisional) == (problem.deadline, True):
            continue
        before = problem.deadline
        write(
            problem, problem.version, deadline=answer.date, deadline_provisional=answer.provisional
        )
        log(
            problem,
            by,
            EventAction.RECOMPUTE,
            reason=_("载入节假日安排后重新计算整改时限"),
            data={"from": str(before), "to": str(answer.date)},
        )
        changed += 1
    return changed
