"""Dispatch (派单): each hand-over to a unit is a hop with its own 签收时限; the unit signs
it, sends it on to a unit below (转派) or declines it (退单), and a decline is reviewed by
whoever dispatched it, or in 会商 by the campaign office once the problem was declined before.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger import permissions
from taizhang.ledger.evidence_files import Upload, check_and_store, discard
from taizhang.ledger.models import (
    OPEN_HOP_STATES,
    ContactWay,
    DeclineReason,
    Dispatch,
    EventAction,
    Evidence,
    HopState,
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
from taizhang.ledger.services.telling import org_staff, tell, unit_staff
from taizhang.orgs.models import Org, Role
from taizhang.orgs.scoping import holders
from taizhang.workdays.calendar import add_workdays


def sign_limit(problem: Problem, day: dt.date) -> dt.date:
    """签收时限 of a hop dispatched on `day`: the campaign's working days for its priority."""
    limits = problem.campaign.rule("sign_limits")
    days = int(limits["urgent" if problem.urgent else "default"])
    return add_workdays(day, days).date if days > 0 else day


def contact_limit(problem: Problem, day: dt.date) -> dt.date | None:
    """The day a unit must contact the citizen by (联系群众), for a hop dispatched on `day`;
    None where the campaign does not count contact in 响应."""
    limits = problem.campaign.rule("hotline_rates")["contact_days"]
    if not isinstance(limits, dict):
        return None
    key = "urgent" if problem.urgent and "urgent" in limits else "default"
    days = int(limits.get(key, 1))
    return add_workdays(day, days).date if days > 0 else day


def open_hop(problem: Problem, org: Org, by: User | None, *, binding: bool = False) -> Dispatch:
    """A new hop to `org`, waiting to be signed; the problem shows its 签收时限."""
    now = timezone.now()
    sign_by = sign_limit(problem, timezone.localdate(now))
    contact_by = contact_limit(problem, timezone.localdate(now))
    hop = Dispatch.objects.create(
        campaign_id=problem.campaign_id,
        problem=problem,
        org=org,
        org_path=org.path,
        assigned_by=by,
        assigned_at=now,
        sign_by=sign_by,
        contact_by=contact_by,
        state=HopState.WAITING,
        binding=binding,
    )
    Problem.objects.filter(pk=problem.pk).update(sign_by=sign_by)
    problem.sign_by = sign_by
    return hop


def waiting_hop(problem: Problem) -> Dispatch | None:
    return problem.dispatches.filter(state__in=OPEN_HOP_STATES).order_by("-pk").first()


def close_hop(problem: Problem, state: str) -> Dispatch | None:
    """End the open hop (if the problem has one: imported rows may not) as signed, sent on
    or ended; a hop counts as on time when it was taken up by its 签收时限."""
    hop = waiting_hop(problem)
    if hop is None:
        return None
    now = timezone.now()
    on_time = None
    if state in (HopState.SIGNED, HopState.FORWARDED):
        on_time = hop.sign_by is None or timezone.localdate(now) <= hop.sign_by
    Dispatch.objects.filter(pk=hop.pk).update(state=state, ended_at=now, on_time=on_time)
    Problem.objects.filter(pk=problem.pk).update(sign_by=None)
    problem.sign_by = None
    hop.state, hop.ended_at, hop.on_time = state, now, on_time
    return hop


def end_open_hops(problem: Problem) -> None:
    """Voided or merged before anyone signed: the hop ends, neither on time nor late."""
    problem.dispatches.filter(state__in=OPEN_HOP_STATES).update(
        state=HopState.ENDED, ended_at=timezone.now()
    )
    Problem.objects.filter(pk=problem.pk).update(sign_by=None, declining=False)
    problem.sign_by, problem.declining = None, False


def contact_hop(problem: Problem) -> Dispatch | None:
    """The hop by which the problem's unit signed it: its 联系群众 is recorded there."""
    return (
        problem.dispatches.filter(org=problem.org_id, state=HopState.SIGNED).order_by("-pk").first()
    )


@transaction.atomic
def contact_citizen(problem: Problem, *, by: User, way: str, note: str = "") -> Dispatch:
    """联系群众: the unit that signed a citizen's problem records that it got in touch with them
    (how, and what was said); on time when by the hop's 联系时限. Once per hop: later calls are
    progress reports."""
    require(permissions.can_contact(by, problem), _("只有承办单位可以登记联系群众。"))
    require_status(problem, (Status.RECTIFYING, Status.PENDING), _("登记联系群众"))
    if way not in ContactWay.values:
        raise ValidationError(_("请选择联系方式。"))
    hop = contact_hop(problem)
    if hop is None or not problem.suggestions.exists():  # type: ignore[attr-defined]
        raise ValidationError(_("这个问题不是群众反映的或没有签收记录,无需登记联系群众。"))
    hop = Dispatch.objects.select_for_update().get(pk=hop.pk)
    if hop.contacted_at is not None:
        raise ValidationError(_("已于 %(t)s 登记过联系群众。") % {"t": _local(hop.contacted_at)})
    now = timezone.now()
    hop.contacted_at, hop.contacted_by, hop.contact_way = now, by, way
    hop.contact_note = (note or "").strip()[:2000]
    hop.contact_on_time = hop.contact_by is None or timezone.localdate(now) <= hop.contact_by
    hop.save(
        update_fields=[
            "contacted_at", "contacted_by", "contact_way", "contact_note", "contact_on_time"
        ]
    )  # fmt: skip
    log(
        problem,
        by,
        EventAction.CONTACT,
        from_status=problem.status,
        to_status=problem.status,
        reason=hop.contact_note,
        data={"way": way, "on_time": hop.contact_on_time},
    )
    return hop


def _local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def forward_problem(
    problem: Problem, *, by: User, version: int, org: Org, reason: str = ""
) -> Problem:
    """转派: a county or township that received a problem sends it on to a unit below it; the
    new unit gets its own hop and 签收时限."""
    require(permissions.can_forward(by, problem), _("只有承办单位的管理员可以转派。"))
    require_current(problem, version)
    require_status(problem, (Status.ASSIGNED,), _("转派"))
    require(not problem.declining, _("退单正在审核,不能转派。"))
    if org.pk == problem.org_id or not org.path.startswith(problem.org_path):
        raise ValidationError(_("只能转派给“%(o)s”的下级单位。") % {"o": problem.org.name})
    require(permissions.can_assign_to(by, org), _("您无权向“%(o)s”交办问题。") % {"o": org.name})
    before = problem.org
    close_hop(problem, HopState.FORWARDED)
    write(problem, version, org=org, org_path=org.path)
    log(
        problem,
        by,
        EventAction.FORWARD,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason=reason.strip(),
        data={"from": before.code, "to": org.code},
    )
    open_hop(problem, org, by)
    tell(unit_staff(problem), problem, _("转派,请签收"), reason, by=by)
    return problem


@transaction.atomic
def decline_problem(
    problem: Problem,
    *,
    by: User,
    version: int,
    reason: str,
    category: str = DeclineReason.OTHER,
    upload: Upload | None = None,
    file_name: str = "",
) -> Problem:
    """退单: the unit says the problem is not theirs, why (from the list) and with what proof.
    The dispatcher reviews it; meanwhile the hop's clock keeps running."""
    require(permissions.can_edit(by, problem), _("只有责任单位可以退单。"))
    require_current(problem, version)
    require_status(problem, (Status.ASSIGNED,), _("退单"))
    require(not problem.declining, _("退单正在审核,请等待审核结果。"))
    try:
        category = DeclineReason(category)
    except ValueError:
        raise ValidationError(_("请从列表中选择退单原因。")) from None
    reason = require_reason(reason, _("退回理由"))
    hop = waiting_hop(problem) or open_hop(problem, problem.org, None)
    require(not hop.binding, _("该问题经会商确定由本单位办理,不能再退单。"))
    declines = problem.events.filter(action=EventAction.DECLINE).count() + 1
    consult = declines >= int(problem.campaign.rule("declines_before_consult"))
    evidence = None
    stored = ""
    if upload is not None:
        checked = check_and_store(upload, file_name, int(problem.campaign.rule("evidence_max_mb")))
        stored = checked.stored_name
        evidence = Evidence(
            problem=problem,
            stored_name=checked.stored_name,
            original_name=file_name[:200],
            file_type=checked.file_type,
            size=checked.size,
            sha256=checked.sha256,
            note=_("退单依据"),
            uploaded_by=by,
        )
    try:
        with transaction.atomic():
            if evidence is not None:
                evidence.save()
            Dispatch.objects.filter(pk=hop.pk).update(
                state=HopState.DECLINING,
                decline_reason=category,
                decline_note=reason,
                decline_evidence=evidence,
                consult=consult,
                accepted=None,
                reviewed_by=None,
                reviewed_at=None,
                review_note="",
            )
            write(problem, version, declining=True)
            log(
                problem,
                by,
                EventAction.DECLINE,
                from_status=Status.ASSIGNED,
                to_status=Status.ASSIGNED,
                reason=reason,
                data={"category": category.value, "hop": hop.pk, "consult": consult},
            )
    except Exception:
        if stored:
            discard(stored)
        raise
    what = f"{category.label}:{reason}"
    if consult:
        tell(campaign_office(problem), problem, _("再次退单,请会商确定责任单位"), what, by=by)
    else:
        tell([hop.assigned_by], problem, _("退单待审核"), what, by=by)
    return problem


def campaign_office(problem: Problem) -> list[Any]:
    code = problem.campaign.org.code
    return holders([code], (Role.OFFICE,)).get((code, Role.OFFICE), [])


@transaction.atomic
def review_decline(
    problem: Problem,
    *,
    by: User,
    version: int,
    accept: bool,
    note: str = "",
    org: Org | None = None,
    deadline: dt.date | None = None,
) -> Problem:
    """退单审核 (or 会商): accepted, the problem goes to the unit named (改派) or back to be
    assigned; rejected, the unit keeps it and its 签收时限 stands. What 会商 settles is final:
    the unit it names cannot decline again."""
    require_current(problem, version)
    require_status(problem, (Status.ASSIGNED,), _("审核退单"))
    hop = waiting_hop(problem)
    if hop is None or hop.state != HopState.DECLINING:
        raise ValidationError(_("这个问题没有待审核的退单。"))
    require(
        permissions.can_review_decline(by, problem, consult=hop.consult),
        _("会商由活动办公室组织,确定责任单位。")
        if hop.consult
        else _("退单由派单单位(活动办公室或上级单位管理员)审核。"),
    )
    note = note.strip()
    if not accept or hop.consult:
        note = require_reason(note, _("会商意见") if hop.consult else _("驳回理由"))
    if accept and hop.consult and org is None:
        raise ValidationError(_("会商须确定责任单位。"))
    if org is not None:
        require(
            permissions.can_assign_to(by, org), _("您无权向“%(o)s”交办问题。") % {"o": org.name}
        )
    now = timezone.now()
    declined_by = hop.org
    Dispatch.objects.filter(pk=hop.pk).update(
        state=HopState.DECLINED if accept else HopState.WAITING,
        ended_at=now if accept else None,
        accepted=accept,
        reviewed_by=by,
        reviewed_at=now,
        review_note=note,
        binding=hop.binding or (hop.consult and not accept),
    )
    if not accept:
        write(problem, version, declining=False)
        log(problem, by, EventAction.DECLINE_REJECT, reason=note, data={"hop": hop.pk})
        tell(unit_staff(problem), problem, _("退单未通过,请签收办理"), note, by=by)
        return problem
    fields: dict[str, Any] = {"declining": False, "sign_by": None}
    if org is not None and deadline is not None:
        check_deadline(problem.campaign, deadline, timezone.localdate())
        fields.update(deadline=deadline, deadline_provisional=False, deadline_basis=None)
    if org is None:
        write(problem, version, status=Status.DRAFT, **fields)
        log(
            problem,
            by,
            EventAction.DECLINE_ACCEPT,
            from_status=Status.ASSIGNED,
            to_status=Status.DRAFT,
            reason=note,
            data={"hop": hop.pk, "from": declined_by.code},
        )
    else:
        fields.update(org=org, org_path=org.path)
        write(problem, version, **fields)
        log(
            problem,
            by,
            EventAction.DECLINE_ACCEPT,
            from_status=Status.ASSIGNED,
            to_status=Status.ASSIGNED,
            reason=note,
            data={"hop": hop.pk, "from": declined_by.code, "to": org.code},
        )
        open_hop(problem, org, by, binding=hop.consult)
        tell(unit_staff(problem), problem, _("改派,请签收"), note, by=by)
    tell(org_staff(declined_by), problem, _("退单已通过"), note, by=by)
    return problem
