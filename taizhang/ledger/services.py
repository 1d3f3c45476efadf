"""Every change to a problem goes through one function here: checked, atomic, versioned, logged."""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.ledger import permissions
from taizhang.ledger.deadlines import default_deadline
from taizhang.ledger.errors import ConflictError, NotAllowed, TransitionError
from taizhang.ledger.evidence_files import check_and_store, discard
from taizhang.ledger.models import (
    OPEN_STATUSES,
    EventAction,
    Evidence,
    ExtensionRequest,
    ExtensionStatus,
    Kind,
    Measure,
    Problem,
    ProblemEvent,
    ProgressReport,
    Source,
    Status,
)
from taizhang.orgs.models import Org
from taizhang.reports import tallies

User = AbstractBaseUser
MAX_DEADLINE_YEARS_AFTER_CAMPAIGN = 3


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _require_current(problem: Problem, version: int) -> None:
    """A step decided on an old copy of the problem is a conflict, whatever else is wrong."""
    if problem.version != version:
        raise ConflictError(problem.version)


def _require_status(problem: Problem, statuses: Iterable[str], doing: str) -> None:
    if problem.is_carried_over:
        raise TransitionError(_("该问题已转入新一轮活动,请在新活动中办理。"))
    if problem.status not in statuses:
        raise TransitionError(
            _("问题当前状态为“%(status)s”,不能%(doing)s。")
            % {"status": problem.get_status_display(), "doing": doing}
        )


def _log(
    problem: Problem,
    by: User | None,
    action: str,
    *,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        at=timezone.now(),
        actor=by,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )


def _write(problem: Problem, expected_version: int, **fields: Any) -> None:
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


def _transition(
    problem: Problem,
    by: User,
    version: int,
    action: str,
    to_status: str,
    reason: str = "",
    **fields: Any,
) -> Problem:
    from_status = problem.status
    _write(problem, version, status=to_status, **fields)
    _log(problem, by, action, from_status=from_status, to_status=to_status, reason=reason)
    return problem


def _require_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写%(what)s。") % {"what": what})
    return reason


def _check_deadline(campaign: Campaign, deadline: dt.date, start: dt.date) -> None:
    latest = campaign.ends_on.replace(
        year=campaign.ends_on.year + MAX_DEADLINE_YEARS_AFTER_CAMPAIGN
    )
    if deadline < start:
        raise ValidationError(_("整改时限 %(d)s 早于 %(s)s。") % {"d": deadline, "s": start})
    if deadline > latest:
        raise ValidationError(
            _("整改时限 %(d)s 超出活动期限太远(最晚 %(l)s),请检查年份。")
            % {"d": deadline, "l": latest}
        )


def _next_number(campaign: Campaign) -> str:
    prefix = f"{campaign.slug.upper()[:12]}-"
    last = Problem.objects.filter(campaign=campaign, number__startswith=prefix).aggregate(
        m=Max("number")
    )["m"]
    serial = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{serial:06d}"


@transaction.atomic
def record_problem(
    *,
    campaign: Campaign,
    by: User,
    title: str,
    focus_area: FocusArea,
    org: Org,
    kind: str,
    source: str = Source.SELF_FOUND,
    description: str = "",
    deadline: dt.date | None = None,
    cooperating_orgs: Sequence[Org] = (),
    responsible_leader: str = "",
    responsible_person: str = "",
    measures: Sequence[str] = (),
    number: str = "",
) -> Problem:
    """Record a problem: for one's own unit it is signed at once; for a unit below, assigned."""
    _require(
        permissions.can_record_for(by, org) or permissions.can_assign_to(by, org),
        _("您无权为“%(org)s”登记问题。") % {"org": org.name},
    )
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写问题。"))
    if focus_area.campaign_id != campaign.pk:
        raise ValidationError(_("聚焦领域“%(a)s”不属于本活动。") % {"a": focus_area.name})
    if not org.path.startswith(campaign.org.path):
        raise ValidationError(_("“%(org)s”不在本活动的范围内。") % {"org": org.name})
    Kind(kind)
    Source(source)
    today = timezone.localdate()
    basis, provisional = None, False
    if deadline is None:
        answer = default_deadline(campaign, kind, today)
        deadline, provisional, basis = answer.date, answer.provisional, today
    if deadline is not None:
        _check_deadline(campaign, deadline, today)
    own_unit = permissions.can_record_for(by, org) and not permissions.can_assign_to(by, org)
    status = Status.RECTIFYING if own_unit else Status.ASSIGNED
    if number and Problem.objects.filter(campaign=campaign, number=number).exists():
        raise ValidationError(_("编号 %(n)s 已存在。") % {"n": number})
    problem = Problem.objects.create(
        campaign=campaign,
        number=number or _next_number(campaign),
        title=title,
        description=description.strip(),
        source=source,
        focus_area=focus_area,
        org=org,
        org_path=org.path,
        kind=kind,
        status=status,
        deadline=deadline,
        deadline_provisional=provisional,
        deadline_basis=basis,
        responsible_leader=responsible_leader.strip(),
        responsible_person=responsible_person.strip(),
        created_by=by,
        created_at=timezone.now(),
    )
    if cooperating_orgs:
        problem.cooperating_orgs.set([o for o in cooperating_orgs if o.pk != org.pk])
    _log(problem, by, EventAction.CREATE, to_status=status)
    tallies.track_new([problem])
    for order, content in enumerate(m.strip() for m in measures if m.strip()):
        Measure.objects.create(problem=problem, order=order + 1, content=content)
    return problem


@transaction.atomic
def update_problem(problem: Problem, *, by: User, version: int, **changes: Any) -> Problem:
    """Change the descriptive fields of an open problem (status and deadline have own steps)."""
    editable = {"title", "description", "focus_area", "responsible_leader", "responsible_person"}
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError(_("这些字段不能在此修改:%(f)s") % {"f": ", ".join(sorted(unknown))})
    _require(permissions.can_edit(by, problem), _("您无权修改这个问题。"))
    _require_current(problem, version)
    _require_status(problem, OPEN_STATUSES, _("修改"))
    if "title" in changes and not str(changes["title"]).strip():
        raise ValidationError(_("请填写问题。"))
    if "focus_area" in changes and changes["focus_area"].campaign_id != problem.campaign_id:
        raise ValidationError(_("聚焦领域不属于本活动。"))
    before = {k: str(getattr(problem, k)) for k in changes}
    _write(problem, version, **changes)
    _log(
        problem,
        by,
        EventAction.UPDATE,
        data={
            "before": before,
            "after": {k: str(v) for k, v in changes.items()},
        },
    )
    return problem


@transaction.atomic
def assign_problem(
    problem: Problem,
    *,
    by: User,
    version: int,
    org: Org,
    deadline: dt.date | None = None,
    reason: str = "",
) -> Problem:
    """交办: the office (or an admin above) hands a draft or declined problem to a unit."""
    _require(permissions.can_assign_to(by, org), _("您无权向“%(o)s”交办问题。") % {"o": org.name})
    _require_current(problem, version)
    _require_status(problem, (Status.DRAFT,), _("交办"))
    fields: dict[str, Any] = {"org": org, "org_path": org.path}
    if deadline is not None:
        _check_deadline(problem.campaign, deadline, timezone.localdate())
        fields.update(deadline=deadline, deadline_provisional=False, deadline_basis=None)
    return _transition(problem, by, version, EventAction.ASSIGN, Status.ASSIGNED, reason, **fields)


@transaction.atomic
def sign_problem(problem: Problem, *, by: User, version: int) -> Problem:
    """签收: the lead unit accepts the problem."""
    _require(permissions.can_edit(by, problem), _("只有责任单位可以签收。"))
    _require_current(problem, version)
    _require_status(problem, (Status.ASSIGNED,), _("签收"))
    return _transition(problem, by, version, EventAction.SIGN, Status.RECTIFYING)


@transaction.atomic
def decline_problem(problem: Problem, *, by: User, version: int, reason: str) -> Problem:
    """退回: the lead unit says it is not theirs; the office arbitrates and re-assigns."""
    _require(permissions.can_edit(by, problem), _("只有责任单位可以退回交办。"))
    _require_current(problem, version)
    _require_status(problem, (Status.ASSIGNED,), _("退回"))
    reason = _require_reason(reason, _("退回理由"))
    return _transition(problem, by, version, EventAction.DECLINE, Status.DRAFT, reason)


@transaction.atomic
def add_measure(
    problem: Problem, *, by: User, content: str, deadline: dt.date | None = None
) -> Measure:
    _require(permissions.can_edit(by, problem), _("您无权为这个问题添加措施。"))
    _require_status(problem, (Status.ASSIGNED, Status.RECTIFYING), _("添加措施"))
    content = (content or "").strip()
    if not content:
        raise ValidationError(_("请填写整改措施。"))
    if deadline is not None:
        _check_deadline(problem.campaign, deadline, problem.created_at.date())
        if problem.deadline and deadline > problem.deadline:
            raise ValidationError(
                _("措施时限 %(d)s 晚于问题的整改时限 %(p)s;如需延后,请先申请延期。")
                % {"d": deadline, "p": problem.deadline}
            )
    order = (problem.measures.aggregate(m=Max("order"))["m"] or 0) + 1
    measure = Measure.objects.create(
        problem=problem, order=order, content=content, deadline=deadline
    )
    _log(problem, by, EventAction.MEASURE, reason=content, data={"measure": measure.pk})
    return measure


@transaction.atomic
def report_progress(
    problem: Problem,
    *,
    by: User,
    percent: int,
    text: str,
    reported_on: dt.date | None = None,
    measure: Measure | None = None,
) -> ProgressReport:
    _require(permissions.can_edit(by, problem), _("您无权报告这个问题的进展。"))
    _require_status(problem, (Status.RECTIFYING,), _("报告进展"))
    today = timezone.localdate()
    reported_on = reported_on or today
    if not 0 <= int(percent) <= 100:
        raise ValidationError(_("进度应在 0 到 100 之间。"))
    if reported_on > today or reported_on < problem.campaign.starts_on:
        raise ValidationError(
            _("进展日期 %(d)s 应在活动开始(%(s)s)与今天之间。")
            % {"d": reported_on, "s": problem.campaign.starts_on}
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("请填写进展情况。"))
    if measure is not None and measure.problem_id != problem.pk:
        raise ValidationError(_("该措施不属于这个问题。"))
    report = ProgressReport.objects.create(
        problem=problem,
        measure=measure,
        reported_on=reported_on,
        percent=percent,
        text=text,
        author=by,
    )
    if measure is not None:
        Measure.objects.filter(pk=measure.pk).update(
            progress=percent, done_on=reported_on if percent == 100 else None
        )
    else:
        Problem.objects.filter(pk=problem.pk).update(progress=percent)
        problem.progress = percent
    _log(problem, by, EventAction.PROGRESS, reason=text, data={"percent": percent})
    return report


def add_evidence(
    problem: Problem,
    *,
    by: User,
    upload: IO[bytes],
    original_name: str,
    note: str = "",
    measure: Measure | None = None,
) -> Evidence:
    _require(permissions.can_edit(by, problem), _("您无权为这个问题上传佐证材料。"))
    _require_status(problem, (Status.RECTIFYING, Status.PENDING), _("上传佐证材料"))
    checked = check_and_store(upload, original_name, int(problem.campaign.rule("evidence_max_mb")))
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                problem=problem,
                measure=measure,
                stored_name=checked.stored_name,
                original_name=original_name[:200],
                file_type=checked.file_type,
                size=checked.size,
                sha256=checked.sha256,
                note=note.strip()[:300],
                uploaded_by=by,
            )
            _log(
                problem,
                by,
                EventAction.EVIDENCE,
                reason=original_name,
                data={"evidence": evidence.pk},
            )
    except Exception:
        discard(checked.stored_name)
        raise
    return evidence


@transaction.atomic
def apply_to_close(problem: Problem, *, by: User, version: int, note: str) -> Problem:
    """申请销号: the unit says it is fixed and shows the evidence."""
    _require(permissions.can_edit(by, problem), _("只有责任单位可以申请销号。"))
    _require_current(problem, version)
    _require_status(problem, (Status.RECTIFYING,), _("申请销号"))
    note = _require_reason(note, _("整改结果"))
    if (
        problem.campaign.rule("evidence_required").get(problem.kind)
        and not problem.evidence.exists()
    ):
        raise TransitionError(_("申请销号前请先上传佐证材料。"))
    return _transition(
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
    _require(permissions.can_decide(by, problem), _("销号须由上级单位的领导或活动办公室审核。"))
    _require_current(problem, version)
    _require_status(problem, (Status.PENDING,), _("审核销号"))
    _require(problem.applied_by_id != by.pk, _("申请人不能审核自己提交的销号申请。"))
    now = timezone.now()
    on_time = problem.deadline is None or timezone.localdate(now) <= problem.deadline
    return _transition(
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


@transaction.atomic
def return_closure(problem: Problem, *, by: User, version: int, reason: str) -> Problem:
    _require(permissions.can_decide(by, problem), _("销号须由上级单位的领导或活动办公室审核。"))
    _require_current(problem, version)
    _require_status(problem, (Status.PENDING,), _("退回销号申请"))
    reason = _require_reason(reason, _("退回理由"))
    return _transition(
        problem,
        by,
        version,
        EventAction.RETURN,
        Status.RECTIFYING,
        reason,
        applied_by=None,
        applied_at=None,
    )


@transaction.atomic
def reopen_problem(problem: Problem, *, by: User, version: int, reason: str) -> Problem:
    """A failed spot check or an unsatisfied rating sends a closed problem back to rectifying."""
    _require(permissions.can_reopen(by, problem), _("您无权重新打开这个问题。"))
    _require_current(problem, version)
    _require_status(problem, (Status.CLOSED,), _("重新整改"))
    reason = _require_reason(reason, _("重新整改的原因"))
    return _transition(
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


@transaction.atomic
def void_problem(problem: Problem, *, by: User, version: int, reason: str) -> Problem:
    _require(
        permissions.can_assign_to(by, problem.org), _("作废须由活动办公室或上级单位管理员办理。")
    )
    _require_current(problem, version)
    _require_status(problem, OPEN_STATUSES, _("作废"))
    reason = _require_reason(reason, _("作废理由"))
    return _transition(problem, by, version, EventAction.VOID, Status.VOID, reason)


@transaction.atomic
def merge_problem(
    problem: Problem, *, into: Problem, by: User, version: int, reason: str = ""
) -> Problem:
    _require(
        permissions.can_assign_to(by, problem.org), _("合并须由活动办公室或上级单位管理员办理。")
    )
    _require(permissions.can_view(by, into), _("您看不到要合并到的问题。"))
    _require_current(problem, version)
    _require_status(problem, OPEN_STATUSES, _("合并"))
    if into.pk == problem.pk or into.campaign_id != problem.campaign_id:
        raise ValidationError(_("只能合并到同一活动中的另一个问题。"))
    if into.status in (Status.VOID, Status.MERGED):
        raise ValidationError(_("不能合并到已作废或已合并的问题。"))
    reason = reason.strip() or _("与 %(n)s 重复") % {"n": into.number}
    _transition(problem, by, version, EventAction.MERGE, Status.MERGED, reason, merged_into=into)
    _log(
        into,
        by,
        EventAction.MERGE,
        reason=_("合并了 %(n)s") % {"n": problem.number},
        data={"merged": problem.pk},
    )
    return problem


@transaction.atomic
def request_extension(
    problem: Problem, *, by: User, new_deadline: dt.date, reason: str
) -> ExtensionRequest:
    _require(permissions.can_edit(by, problem), _("只有责任单位可以申请延期。"))
    _require_status(problem, (Status.ASSIGNED, Status.RECTIFYING), _("申请延期"))
    reason = _require_reason(reason, _("延期理由"))
    if problem.deadline is None:
        raise ValidationError(_("这个问题没有整改时限,无需延期。"))
    if new_deadline <= problem.deadline:
        raise ValidationError(_("申请的时限应晚于当前时限 %(d)s。") % {"d": problem.deadline})
    _check_deadline(problem.campaign, new_deadline, problem.deadline)
    if problem.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
        raise TransitionError(_("已有一份延期申请在审批中。"))
    extension = ExtensionRequest.objects.create(
        problem=problem, requested_deadline=new_deadline, reason=reason, requested_by=by
    )
    _log(
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
    _require(permissions.can_decide(by, problem), _("延期须由上级单位的领导或活动办公室审批。"))
    _require(extension.requested_by_id != by.pk, _("申请人不能审批自己的延期申请。"))
    if extension.status != ExtensionStatus.REQUESTED:
        raise TransitionError(_("这份延期申请已经审批过了。"))
    _require_current(problem, version)
    _require_status(problem, (Status.ASSIGNED, Status.RECTIFYING), _("审批延期"))
    if not approve:
        note = _require_reason(note, _("驳回理由"))
    old_deadline = problem.deadline
    fields: dict[str, Any] = {}
    if approve:
        fields = {
            "deadline": extension.requested_deadline,
            "deadline_provisional": False,
            "deadline_basis": None,
        }
    _write(problem, version, **fields)
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = by, timezone.now(), note
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _log(
        problem,
        by,
        EventAction.EXTEND_APPROVE if approve else EventAction.EXTEND_REJECT,
        reason=note,
        data={"from": str(old_deadline), "to": str(extension.requested_deadline)},
    )
    return extension


def recompute_provisional_deadlines() -> int:
    """After a year's schedule is loaded, recount deadlines that were computed without it."""
    changed = 0
    for problem in Problem.objects.filter(
        deadline_provisional=True, deadline_basis__isnull=False, status__in=OPEN_STATUSES
    ).select_related("campaign"):
        answer = default_deadline(problem.campaign, problem.kind, problem.deadline_basis)
        Problem.objects.filter(pk=problem.pk).update(
            deadline=answer.date, deadline_provisional=answer.provisional
        )
        changed += 1
    return changed
