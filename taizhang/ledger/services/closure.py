"""Closing a problem (销号) and the ways out of the count: return, reopen, void, merge."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger import permissions
from taizhang.ledger.errors import TransitionError
from taizhang.ledger.models import (
    OPEN_STATUSES,
    EventAction,
    Problem,
    Status,
)
from taizhang.ledger.services.base import (
    User,
    log,
    require,
    require_current,
    require_reason,
    require_status,
    transition,
)
from taizhang.ledger.services.telling import tell, unit_staff
from taizhang.ledger.signals import problem_closed


@transaction.atomic
def apply_to_close(problem: Problem, *, by: User, version: int, note: str) -> Problem:
    """申请销号: the unit says it is fixed and shows the evidence."""
    require(permissions.can_edit(by, problem), _("只有责任单位可以申请销号。"))
    require_current(problem, version)
    require_status(problem, (Status.RECTIFYING,), _("申请销号"))
    note = require_reason(note, _("整改结果"))
    if (
        problem.campaign.rule("evidence_required").get(problem.kind)
        and not problem.evidence.exists()
    ):
        raise TransitionError(_("申请销号前请先上传佐证材料。"))
    return transition(
        problem,
        by,
        version,
        EventAction.APPLY,
        Status.PENDING,
        note,
        closure_note=note,
        applied_by=by,
        applied_at=timezone.now(),
    )


@transaction.atomic
def approve_closure(problem: Problem, *, by: User, version: int, note: str = "") -> Problem:
    """销号: only the level above approves, and never the person who applied."""
    require(permissions.can_decide(by, problem), _("销号须由上级单位的领导或活动办公室审核。"))
    require_current(problem, version)
    require_status(problem, (Status.PENDING,), _("审核销号"))
    require(problem.applied_by_id != by.pk, _("申请人不能审核自己提交的销号申请。"))
    now = timezone.now()
    on_time = problem.deadline is None or timezone.localdate(now) <= problem.deadline
    closed = transition(
        problem,
        by,
        version,
        EventAction.APPROVE,
        Status.CLOSED,
        note,
        closed_at=now,
        closed_on_time=on_time,
        progress=100,
    )
    transaction.on_commit(lambda: problem_closed.send(sender=Problem, problem=closed))
    tell([closed.applied_by], closed, _("销号审核通过"), note, by=by)
    return closed


@transaction.atomic
def return_closure(problem: Problem, *, by: User, version: int, reason: str) -> Problem:
    require(permissions.can_decide(by, problem), _("销号须由上级单位的领导或活动办公室审核。"))
    require_current(problem, version)
    require_status(problem, (Status.PENDING,), _("退回销号申请"))
    reason = require_reason(reason, _("退回理由"))
    applicant = problem.applied_by
    returned = transition(
        problem,
        by,
        version,
        EventAction.RETURN,
        Status.RECTIFYING,
        reason,
        applied_by=None,
        applied_at=None,
    )
    tell([applicant, *unit_staff(returned)], returned, _("销号申请被退回"), reason, by=by)
    return returned


@transaction.atomic
def reopen_problem(problem: Problem, *, by: User, version: int, reason: str) -> Problem:
    """A failed spot check or an unsatisfied rating sends a closed problem back to rectifying."""
    require(permissions.can_reopen(by, problem), _("您无权重新打开这个问题。"))
    require_current(problem, version)
    require_status(problem, (Status.CLOSED,), _("重新整改"))
    reason = require_reason(reason, _("重新整改的原因"))
    reopened = transition(
        problem,
        by,
        version,
        EventAction.REOPEN,
        Status.RECTIFYING,
        reason,
        closed_at=None,
        closed_on_time=None,
        applied_by=None,
        applied_at=None,
    )
    tell(unit_staff(reopened), reopened, _("重新整改"), reason, by=by)
    return reopened


@transaction.atomic
def void_problem(problem: Problem, *, by: User, version: int, reason: str) -> Problem:
    require(
        permissions.can_assign_to(by, problem.org), _("作废须由活动办公室或上级单位管理员办理。")
    )
    require_current(problem, version)
    require_status(problem, OPEN_STATUSES, _("作废"))
    reason = require_reason(reason, _("作废理由"))
    return transition(problem, by, version, EventAction.VOID, Status.VOID, reason)


@transaction.atomic
def merge_problem(
    problem: Problem, *, into: Problem, by: User, version: int, reason: str = ""
) -> Problem:
    require(
        permissions.can_assign_to(by, problem.org), _("合并须由活动办公室或上级单位管理员办理。")
    )
    require(permissions.can_view(by, into), _("您看不到要合并到的问题。"))
    require_current(problem, version)
    require_status(problem, OPEN_STATUSES, _("合并"))
    if into.pk == problem.pk or into.campaign_id != problem.campaign_id:
        raise ValidationError(_("只能合并到同一活动中的另一个问题。"))
    if into.status in (Status.VOID, Status.MERGED):
        raise ValidationError(_("不能合并到已作废或已合并的问题。"))
    reason = reason.strip() or _("与 %(n)s 重复") % {"n": into.number}
    transition(problem, by, version, EventAction.MERGE, Status.MERGED, reason, merged_into=into)
    log(
        into,
        by,
        EventAction.MERGE,
        reason=_("合并了 %(n)s") % {"n": problem.number},
        data={"merged": problem.pk},
    )
    return problem


@transaction.atomic
def reopen_after_rating(problem: Problem, *, reason: str) -> Problem:
    """The citizen's unsatisfied rating reopens a closed problem; no official takes this step."""
    require_status(problem, (Status.CLOSED,), _("重新整改"))
    return transition(
        problem,
        None,  # type: ignore[arg-type]
        problem.version,
        EventAction.REOPEN,
        Status.RECTIFYING,
        reason,
        closed_at=None,
        closed_on_time=None,
        applied_by=None,
        applied_at=None,
    )
