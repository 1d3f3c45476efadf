"""Closing a problem (销号) and the ways out of the count: return, reopen, void, merge."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger import permissions, stages
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
    write,
)
from taizhang.ledger.services.dispatching import end_open_hops
from taizhang.ledger.services.parts import open_parts_of
from taizhang.ledger.services.telling import stage_holders, tell, unit_staff
from taizhang.ledger.signals import problem_closed
from taizhang.workdays.calendar import add_workdays


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
    unfinished = open_parts_of(problem)
    if unfinished:
        raise TransitionError(
            _("协办单位%(u)s的协办任务尚未完成:须完成,或由上级单位豁免后,才能申请销号。")
            % {"u": "、".join(f"“{p.org.name}”" for p in unfinished)}
        )
    first = stages.stages_for(problem)[0]
    applied = transition(
        problem,
        by,
        version,
        EventAction.APPLY,
        Status.PENDING,
        note,
        closure_note=note,
        applied_by=by,
        applied_at=timezone.now(),
        closure_stage=first.key,
        stage_due=_due(first),
    )
    tell(stage_holders(applied, first), applied, _("销号申请待审核(%(s)s)") % {"s": first.name},
         note, by=by)  # fmt: skip
    return applied


def _require_stage_holder(problem: Problem, by: User) -> stages.Stage:
    """The step the problem waits at (its first, before it is applied for), and that `by` is
    who the campaign names for it."""
    stage = stages.current_stage(problem)
    require(
        stages.holds_stage(by, problem, stage),
        _("“%(s)s”须由%(w)s审核。") % {"s": stage.name, "w": stage.who_label}
        if len(stages.stages_for(problem)) > 1
        else _("销号须由上级单位的领导或活动办公室审核。"),
    )
    return stage


def _due(stage: stages.Stage) -> dt.date:
    return add_workdays(timezone.localdate(), stage.days).date


@transaction.atomic
def approve_closure(problem: Problem, *, by: User, version: int, note: str = "") -> Problem:
    """One step of 销号审核 (or the only one): who the campaign names for the step the problem
    waits at, never the person who applied. After the last step the problem is closed."""
    stage = _require_stage_holder(problem, by)
    require_current(problem, version)
    require_status(problem, (Status.PENDING,), _("审核销号"))
    require(problem.applied_by_id != by.pk, _("申请人不能审核自己提交的销号申请。"))
    following = stages.next_stage(problem, stage)
    if following is not None:
        write(problem, version, closure_stage=following.key, stage_due=_due(following))
        log(
            problem,
            by,
            EventAction.APPROVE,
            from_status=Status.PENDING,
            to_status=Status.PENDING,
            reason=note,
            data={"stage": stage.key, "next": following.key},
        )
        tell(stage_holders(problem, following), problem,
             _("销号申请待审核(%(s)s)") % {"s": following.name}, note, by=by)  # fmt: skip
        return problem
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
        closure_stage="",
        stage_due=None,
    )
    transaction.on_commit(lambda: problem_closed.send(sender=Problem, problem=closed))
    tell([closed.applied_by], closed, _("销号审核通过"), note, by=by)
    return closed


@transaction.atomic
def return_closure(problem: Problem, *, by: User, version: int, reason: str) -> Problem:
    """Any step sends the application back to the unit, saying why."""
    _require_stage_holder(problem, by)
    require_current(problem, version)
    require_status(problem, (Status.PENDING,), _("退回销号申请"))
    require(problem.applied_by_id != by.pk, _("申请人不能审核自己提交的销号申请。"))
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
        closure_stage="",
        stage_due=None,
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
    voided = transition(problem, by, version, EventAction.VOID, Status.VOID, reason)
    end_open_hops(voided)
    return voided


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
    end_open_hops(problem)
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
