"""导入销号: problems an office's own ledger reported as done before they came in."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger import chain, tallies
from taizhang.ledger.models import (
    OPEN_STATUSES,
    EventAction,
    ImportedClosure,
    Problem,
    ProblemEvent,
    Status,
)
from taizhang.ledger.services.base import User, require
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import scope_of


def can_confirm(user: object, closure: ImportedClosure) -> bool:
    """Only the campaign office confirms closures no one in taizhang approved."""
    return scope_of(user).reaches(closure.campaign.org.path, (Role.OFFICE,))


@transaction.atomic
def confirm_imported_closure(closure: ImportedClosure, *, by: User) -> int:
    """One recorded act closes every problem the file reported done and that is still open:
    they count as rectified from now, each with a history row naming the file and the
    confirmer. Returns how many were closed."""
    require(can_confirm(by, closure), _("导入销号须由活动办公室确认。"))
    locked = ImportedClosure.objects.select_for_update().get(pk=closure.pk)
    require(locked.confirmed_at is None, _("这批导入销号已经确认过了。"))
    now = timezone.now()
    problems = list(
        Problem.objects.select_for_update()
        .filter(imported_closure=locked, status__in=OPEN_STATUSES)
        .order_by("pk")
    )
    moves, events = [], []
    reason = _("导入销号确认:%(f)s") % {"f": locked.file_name}
    for problem in problems:
        before, from_status = tallies.leaf_key(problem), problem.status
        problem.status, problem.closed_at, problem.progress = Status.CLOSED, now, 100
        # When the office fixed it is not known: neither on time nor late.
        problem.closed_on_time = None
        problem.version += 1
        moves.append((before, tallies.leaf_key(problem)))
        events.append(
            ProblemEvent(
                problem=problem, at=now, actor=by, action=EventAction.CONFIRM_IMPORT,
                from_status=from_status, to_status=Status.CLOSED, reason=reason,
                data={"imported_closure": locked.pk},
            )
        )  # fmt: skip
    Problem.objects.bulk_update(
        problems, ["status", "closed_at", "closed_on_time", "progress", "version"], batch_size=900
    )
    chain.seal(events)
    ProblemEvent.objects.bulk_create(events, batch_size=2000)
    tallies.track_changes(moves)
    locked.confirmed_by, locked.confirmed_at = by, now
    locked.save(update_fields=["confirmed_by", "confirmed_at"])
    closure.confirmed_by, closure.confirmed_at = by, now
    return len(problems)
