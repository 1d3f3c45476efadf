"""Recording a problem and working on it: assignment, measures, progress, evidence."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.ledger import permissions, rhythm, tallies
from taizhang.ledger.deadlines import default_deadline
from taizhang.ledger.evidence_files import Upload, check_and_store, discard
from taizhang.ledger.models import (
    OPEN_STATUSES,
    EventAction,
    Evidence,
    HopState,
    Kind,
    Measure,
    Part,
    PartState,
    Problem,
    ProgressReport,
    Source,
    Status,
)
from taizhang.ledger.services.base import (
    User,
    check_deadline,
    log,
    next_number,
    require,
    require_current,
    require_status,
    transition,
    write,
)
from taizhang.ledger.services.dispatching import close_hop, open_hop
from taizhang.ledger.services.parts import WORKING_STATUSES, open_parts
from taizhang.ledger.services.telling import tell, unit_staff
from taizhang.orgs.models import Org


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
    urgent: bool = False,
) -> Problem:
    """Record a problem: for one's own unit it is signed at once; for a unit below, assigned."""
    require(
        permissions.can_record_for(by, org)
        or permissions.can_assign_to(by, org)
        or (source == Source.INSPECTION and permissions.can_record_finding(by, org)),
        _("您无权为“%(org)s”登记问题。") % {"org": org.name},
    )
    # The sources that say someone else found or assigned it are not the unit's own to claim:
    # the figures by source tell self-found problems from those others had to point out.
    require(
        source != Source.INSPECTION or permissions.can_record_finding(by, org),
        _("只有督导组可以登记“督导发现”的问题。"),
    )
    require(
        source != Source.ASSIGNED or permissions.can_assign_to(by, org),
        _("只有上级单位或活动办公室可以登记“上级交办”的问题。"),
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
        answer = default_deadline(campaign, kind, today, urgent=urgent)
        deadline, provisional, basis = answer.date, answer.provisional, today
    if deadline is not None:
        check_deadline(campaign, deadline, today)
    own_unit = permissions.can_record_for(by, org) and not permissions.can_assign_to(by, org)
    status = Status.RECTIFYING if own_unit else Status.ASSIGNED
    if number and Problem.objects.filter(campaign=campaign, number=number).exists():
        raise ValidationError(_("编号 %(n)s 已存在。") % {"n": number})
    problem = Problem.objects.create(
        campaign=campaign,
        number=number or next_number(campaign),
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
        urgent=urgent,
        created_by=by,
        created_at=timezone.now(),
    )
    helpers = list({o.pk: o for o in cooperating_orgs if o.pk != org.pk}.values())
    if helpers:
        problem.cooperating_orgs.set(helpers)
    log(
        problem,
        by,
        EventAction.CREATE,
        to_status=status,
        data={"cooperating": [o.name for o in helpers]} if helpers else None,
    )
    open_parts(problem, helpers, by)
    tallies.track_new([problem])
    for order, content in enumerate(m.strip() for m in measures if m.strip()):
        Measure.objects.create(problem=problem, order=order + 1, content=content)
    if status == Status.ASSIGNED:  # recorded for a unit below: 交办 as much as assign_problem
        open_hop(problem, org, by)
        tell(unit_staff(problem), problem, _("交办,请签收"), by=by)
    return problem


@transaction.atomic
def update_problem(problem: Problem, *, by: User, version: int, **changes: Any) -> Problem:
    """Change the descriptive fields of an open problem (status and deadline have own steps)."""
    editable = {
        "title", "description", "focus_area", "responsible_leader", "responsible_person", "urgent",
        "report_rhythm",
    }  # fmt: skip
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError(_("这些字段不能在此修改:%(f)s") % {"f": ", ".join(sorted(unknown))})
    require(permissions.can_edit(by, problem), _("您无权修改这个问题。"))
    require_current(problem, version)
    require_status(problem, OPEN_STATUSES, _("修改"))
    if "title" in changes and not str(changes["title"]).strip():
        raise ValidationError(_("请填写问题。"))
    if changes.get("report_rhythm"):
        changes["report_rhythm"] = rhythm.parse(changes["report_rhythm"], _("报送周期")).spec
    if "focus_area" in changes and changes["focus_area"].campaign_id != problem.campaign_id:
        raise ValidationError(_("聚焦领域不属于本活动。"))
    before = {k: str(getattr(problem, k)) for k in changes}
    # Choosing the area on the page settles an area the import only proposed.
    settled = {"focus_area_proposed": False} if "focus_area" in changes else {}
    write(problem, version, **changes, **settled)
    log(
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
def confirm_focus_area(problem: Problem, *, by: User, version: int, area: Any) -> Problem:
    """Confirm (or correct) the focus area the triage model proposed for an imported problem."""
    require(permissions.can_edit(by, problem), _("您无权修改这个问题。"))
    require_current(problem, version)
    if not problem.focus_area_proposed:
        raise ValidationError(_("这个问题的聚焦领域不是系统建议的,无需确认。"))
    if area.campaign_id != problem.campaign_id:
        raise ValidationError(_("聚焦领域不属于本活动。"))
    before = str(problem.focus_area)
    write(problem, version, focus_area=area, focus_area_proposed=False)
    log(
        problem,
        by,
        EventAction.UPDATE,
        reason="确认聚焦领域" if before == str(area) else "更正聚焦领域",
        data={"before": {"focus_area": before}, "after": {"focus_area": str(area)}},
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
    require(permissions.can_assign_to(by, org), _("您无权向“%(o)s”交办问题。") % {"o": org.name})
    require_current(problem, version)
    require_status(problem, (Status.DRAFT,), _("交办"))
    fields: dict[str, Any] = {"org": org, "org_path": org.path}
    if deadline is not None:
        check_deadline(problem.campaign, deadline, timezone.localdate())
        fields.update(deadline=deadline, deadline_provisional=False, deadline_basis=None)
    assigned = transition(
        problem, by, version, EventAction.ASSIGN, Status.ASSIGNED, reason, **fields
    )
    open_hop(assigned, org, by)
    tell(unit_staff(assigned), assigned, _("交办,请签收"), reason, by=by)
    return assigned


@transaction.atomic
def sign_problem(problem: Problem, *, by: User, version: int) -> Problem:
    """签收: the lead unit accepts the problem."""
    require(permissions.can_edit(by, problem), _("只有责任单位可以签收。"))
    require_current(problem, version)
    require_status(problem, (Status.ASSIGNED,), _("签收"))
    require(not problem.declining, _("退单正在审核,请等待审核结果。"))
    signed = transition(problem, by, version, EventAction.SIGN, Status.RECTIFYING)
    close_hop(signed, HopState.SIGNED)
    return signed


@transaction.atomic
def add_measure(
    problem: Problem,
    *,
    by: User,
    content: str,
    deadline: dt.date | None = None,
    part: Part | None = None,
) -> Measure:
    """A measure of the lead unit, or of a co-operating unit's part (by the part's deadline)."""
    _require_worker(problem, by, part, _("您无权为这个问题添加措施。"))
    require_status(problem, WORKING_STATUSES, _("添加措施"))
    content = (content or "").strip()
    if not content:
        raise ValidationError(_("请填写整改措施。"))
    if deadline is not None:
        check_deadline(problem.campaign, deadline, problem.created_at.date())
        if problem.deadline and deadline > problem.deadline:
            raise ValidationError(
                _("措施时限 %(d)s 晚于问题的整改时限 %(p)s;如需延后,请先申请延期。")
                % {"d": deadline, "p": problem.deadline}
            )
        if part is not None and part.deadline and deadline > part.deadline:
            raise ValidationError(
                _("措施时限 %(d)s 晚于协办时限 %(p)s。") % {"d": deadline, "p": part.deadline}
            )
    order = (problem.measures.aggregate(m=Max("order"))["m"] or 0) + 1
    measure = Measure.objects.create(
        problem=problem, order=order, content=content, deadline=deadline, part=part
    )
    data: dict[str, Any] = {"measure": measure.pk}
    if part is not None:
        data["part"] = part.org.code
    log(problem, by, EventAction.MEASURE, reason=content, data=data)
    return measure


def _require_worker(problem: Problem, by: User, part: Part | None, message: str) -> None:
    """The lead unit works on the problem; a co-operating unit on its open part of it."""
    if part is None:
        require(permissions.can_edit(by, problem), message)
        return
    require(part.problem_id == problem.pk, _("该协办任务不属于这个问题。"))
    require(permissions.can_work_part(by, part), message)
    if part.state != PartState.WORKING:
        raise ValidationError(_("请先签收协办任务。") if part.state == PartState.WAITING
                              else _("协办任务已结束。"))  # fmt: skip


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
    part = measure.part if measure is not None and measure.part_id else None
    _require_worker(problem, by, part, _("您无权报告这个问题的进展。"))
    statuses = WORKING_STATUSES if part is not None else (Status.RECTIFYING,)
    require_status(problem, statuses, _("报告进展"))
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
        part=part,
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
    data: dict[str, Any] = {"percent": percent}
    if part is not None:
        data["part"] = part.org.code
    log(problem, by, EventAction.PROGRESS, reason=text, data=data)
    return report


def add_evidence(
    problem: Problem,
    *,
    by: User,
    upload: Upload,
    original_name: str,
    note: str = "",
    measure: Measure | None = None,
    part: Part | None = None,
) -> Evidence:
    _require_worker(problem, by, part, _("您无权为这个问题上传佐证材料。"))
    statuses = WORKING_STATUSES if part is not None else (Status.RECTIFYING, Status.PENDING)
    require_status(problem, statuses, _("上传佐证材料"))
    checked = check_and_store(upload, original_name, int(problem.campaign.rule("evidence_max_mb")))
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                problem=problem,
                part=part,
                measure=measure,
                stored_name=checked.stored_name,
                original_name=original_name[:200],
                file_type=checked.file_type,
                size=checked.size,
                sha256=checked.sha256,
                note=note.strip()[:300],
                uploaded_by=by,
            )
            log(
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
