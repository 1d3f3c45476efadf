"""Co-operating units (协办): who they are, and each one's part — signed, worked on with its
own measures, progress and evidence, finished, or waived by the level above."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger import permissions
from taizhang.ledger.models import (
    OPEN_PART_STATES,
    OPEN_STATUSES,
    EventAction,
    Part,
    PartState,
    Problem,
    ProgressReport,
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
from taizhang.ledger.services.telling import org_staff, tell
from taizhang.orgs.models import Org

# While the problem is in these, its co-operating units work on their parts.
WORKING_STATUSES = (Status.ASSIGNED, Status.RECTIFYING)


def open_parts(problem: Problem, orgs: Sequence[Org], by: User | None) -> list[Part]:
    """A part for each unit (a unit taken off before and put back gets its part again)."""
    now = timezone.now()
    made = []
    for org in orgs:
        part, _created = Part.objects.update_or_create(
            problem=problem,
            org=org,
            defaults={
                "campaign_id": problem.campaign_id,
                "org_path": org.path,
                "state": PartState.WAITING,
                "deadline": problem.deadline,
                "created_at": now,
                "signed_at": None,
                "done_at": None,
                "on_time": None,
            },
        )
        made.append(part)
        tell(org_staff(org), problem, _("协办任务,请签收"), by=by)
    return made


@transaction.atomic
def set_cooperating(
    problem: Problem, *, by: User, version: int, orgs: Sequence[Org], reason: str = ""
) -> Problem:
    """The co-operating units, as a whole list: those added get a part to sign, those taken
    off lose theirs (unless it is done: what they did stays)."""
    require(permissions.can_edit(by, problem), _("您无权修改这个问题的协办单位。"))
    require_current(problem, version)
    require_status(problem, OPEN_STATUSES, _("设置协办单位"))
    wanted = {o.pk: o for o in orgs if o.pk != problem.org_id}
    for org in wanted.values():
        if not org.path.startswith(problem.campaign.org.path):
            raise ValidationError(_("“%(org)s”不在本活动的范围内。") % {"org": org.name})
    before = list(problem.cooperating_orgs.order_by("pk"))
    if {o.pk for o in before} == set(wanted):
        raise ValidationError(_("协办单位没有变化。"))
    write(problem, version)
    problem.cooperating_orgs.set(list(wanted.values()))
    Part.objects.filter(problem=problem, state__in=OPEN_PART_STATES).exclude(
        org_id__in=list(wanted)
    ).update(state=PartState.WITHDRAWN, done_at=timezone.now())
    kept = set(
        Part.objects.filter(problem=problem, org_id__in=list(wanted))
        .exclude(state=PartState.WITHDRAWN)
        .values_list("org_id", flat=True)
    )
    open_parts(problem, [o for pk, o in wanted.items() if pk not in kept], by)
    log(
        problem,
        by,
        EventAction.COOPERATE,
        reason=reason.strip(),
        data={
            "before": [o.name for o in before],
            "after": [o.name for o in wanted.values()],
        },
    )
    return problem


def _part_step(part: Part, by: User, states: Sequence[str], doing: str) -> Problem:
    problem = part.problem
    require(permissions.can_work_part(by, part), _("只有协办单位可以%(d)s。") % {"d": doing})
    require_status(problem, WORKING_STATUSES, doing)
    if part.state not in states:
        raise ValidationError(
            _("协办任务当前状态为“%(s)s”,不能%(d)s。") % {"s": part.get_state_display(), "d": doing}
        )
    return problem


@transaction.atomic
def sign_part(part: Part, *, by: User) -> Part:
    problem = _part_step(part, by, (PartState.WAITING,), _("签收协办任务"))
    Part.objects.filter(pk=part.pk).update(state=PartState.WORKING, signed_at=timezone.now())
    part.refresh_from_db()
    log(problem, by, EventAction.PART_SIGN, data={"part": part.org.code})
    return part


@transaction.atomic
def report_part(
    part: Part, *, by: User, percent: int, text: str, reported_on: dt.date | None = None
) -> ProgressReport:
    problem = _part_step(part, by, (PartState.WORKING,), _("报告协办进展"))
    if not 0 <= int(percent) <= 100:
        raise ValidationError(_("进度应在 0 到 100 之间。"))
    text = require_reason(text, _("进展情况"))
    report = ProgressReport.objects.create(
        problem=problem,
        part=part,
        reported_on=reported_on or timezone.localdate(),
        percent=percent,
        text=text,
        author=by,
    )
    Part.objects.filter(pk=part.pk).update(progress=percent)
    part.progress = percent
    log(
        problem,
        by,
        EventAction.PROGRESS,
        reason=text,
        data={"percent": percent, "part": part.org.code},
    )
    return report


@transaction.atomic
def finish_part(part: Part, *, by: User, note: str) -> Part:
    """协办完成: the unit says what it did; on time when by its deadline."""
    problem = _part_step(part, by, (PartState.WORKING,), _("完成协办任务"))
    note = require_reason(note, _("协办情况"))
    now = timezone.now()
    on_time = part.deadline is None or timezone.localdate(now) <= part.deadline
    Part.objects.filter(pk=part.pk).update(
        state=PartState.DONE, done_at=now, on_time=on_time, note=note, progress=100
    )
    part.refresh_from_db()
    log(problem, by, EventAction.PART_DONE, reason=note, data={"part": part.org.code})
    tell(org_staff(problem.org), problem, _("协办单位已完成协办任务"), note, by=by)
    return part


@transaction.atomic
def waive_part(part: Part, *, by: User, reason: str) -> Part:
    """The level above lets the lead unit close without this part, saying why."""
    problem = part.problem
    require(permissions.can_decide(by, problem), _("豁免协办须由上级单位的领导或活动办公室决定。"))
    require_status(problem, OPEN_STATUSES, _("豁免协办"))
    if not part.is_open:
        raise ValidationError(_("协办任务已结束,无需豁免。"))
    reason = require_reason(reason, _("豁免理由"))
    Part.objects.filter(pk=part.pk).update(
        state=PartState.WAIVED, decided_by=by, waive_reason=reason, done_at=timezone.now()
    )
    part.refresh_from_db()
    log(problem, by, EventAction.PART_WAIVE, reason=reason, data={"part": part.org.code})
    return part


@transaction.atomic
def set_part_deadline(part: Part, *, by: User, deadline: dt.date) -> Part:
    """A part's own deadline (by default the problem's), never later than the problem's."""
    problem = part.problem
    require(permissions.can_edit(by, problem), _("只有主办单位可以调整协办时限。"))
    check_deadline(problem.campaign, deadline, timezone.localdate())
    if problem.deadline and deadline > problem.deadline:
        raise ValidationError(
            _("协办时限 %(d)s 晚于问题的整改时限 %(p)s。") % {"d": deadline, "p": problem.deadline}
        )
    Part.objects.filter(pk=part.pk).update(deadline=deadline)
    part.deadline = deadline
    log(
        problem,
        by,
        EventAction.UPDATE,
        reason=_("调整协办时限"),
        data={"part": part.org.code, "deadline": deadline.isoformat()},
    )
    return part


def open_parts_of(problem: Problem) -> list[Any]:
    """The parts that stop the lead unit applying to close."""
    return list(problem.parts.filter(state__in=OPEN_PART_STATES).select_related("org"))
