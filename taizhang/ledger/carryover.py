"""常态化: a follow-on campaign takes over the open problems of the one before it.

The old campaign keeps its rows and its published figures; each open problem gets a successor in
the new campaign that links back to it, so its whole history stays one click away.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.ledger import chain, tallies
from taizhang.ledger.models import OPEN_STATUSES, EventAction, Problem, ProblemEvent, Status
from taizhang.orgs.scoping import scope_of


@transaction.atomic
def carry_over(
    *,
    source: Campaign,
    target: Campaign,
    by: User,
    area_map: dict[str, str] | None = None,
) -> int:
    """Copy every open problem of `source` into `target`; returns how many were carried."""
    if not scope_of(by).reaches(source.org.path, ("office",)):
        raise ValidationError(_("只有活动办公室可以结转问题。"))
    if target.previous_id != source.pk:
        raise ValidationError(_("“%(t)s”不是“%(s)s”的下一轮活动。") % {"t": target, "s": source})
    areas = {a.name: a for a in FocusArea.objects.filter(campaign=target)}
    area_map = area_map or {}
    now = timezone.now()
    carried = 0
    open_problems = (
        Problem.objects.filter(campaign=source, status__in=OPEN_STATUSES, carried_to__isnull=True)
        .select_related("focus_area")
        .prefetch_related("cooperating_orgs", "measures")
    )
    for old in open_problems:
        area_name = area_map.get(old.focus_area.name, old.focus_area.name)
        if area_name not in areas:
            raise ValidationError(
                _("新活动中没有聚焦领域“%(a)s”,请指定对应关系。") % {"a": old.focus_area.name}
            )
        status = Status.RECTIFYING if old.status == Status.PENDING else old.status
        new = Problem.objects.create(
            campaign=target,
            number=old.number,
            title=old.title,
            description=old.description,
            source=old.source,
            focus_area=areas[area_name],
            org_id=old.org_id,
            org_path=old.org_path,
            kind=old.kind,
            status=status,
            deadline=old.deadline,
            deadline_provisional=old.deadline_provisional,
            deadline_basis=old.deadline_basis,
            progress=old.progress,
            responsible_leader=old.responsible_leader,
            responsible_person=old.responsible_person,
            created_by=old.created_by,
            created_at=old.created_at,
            carried_from=old,
        )
        new.cooperating_orgs.set(old.cooperating_orgs.all())
        for measure in old.measures.all():
            measure.pk = None
            measure.problem = new
            measure.save()
        reason = _("由“%(s)s”结转至“%(t)s”") % {"s": source.name, "t": target.name}
        events = [
            ProblemEvent(problem=problem, at=now, actor=by, action=EventAction.CARRY_OVER,
                         from_status=old.status, to_status=status, reason=reason)
            for problem in (old, new)
        ]  # fmt: skip
        chain.seal(events)
        ProblemEvent.objects.bulk_create(events)
        tallies.track_new([new])
        carried += 1
    return carried
