"""Call-backs (回访): the citizens behind answered suggestions and closed problems are called,
and their verdict counts (人民是阅卷人)."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import CallBack, CallReason, CallStatus
from taizhang.intake import permissions as intake_permissions
from taizhang.intake import services as intake
from taizhang.intake.models import (
    SATISFIED_RATINGS,
    IdentityView,
    Rating,
    Suggestion,
    SuggestionStatus,
)
from taizhang.ledger.models import OPEN_STATUSES, Status
from taizhang.supervision.models import NoticeKind
from taizhang.supervision.services import raise_notice

log = logging.getLogger("taizhang.security")

MAX_ATTEMPTS = 3
BATCH = 2000


def refresh_queue(campaign: Campaign) -> int:
    """Queue every settled outcome with a phone to call, once per outcome; returns new calls.

    Real-name unsatisfied ratings are queued first (priority), so every one is called back.
    """
    now = timezone.now()
    with_phone = Suggestion.objects.filter(campaign=campaign).exclude(phone="")
    rows: list[CallBack] = []
    # In the order they were raised, so the queue is the same on every database.
    for pk, at in (
        with_phone.filter(status=SuggestionStatus.ANSWERED, answered_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "answered_at")
    ):
        rows.append(_call(campaign, pk, CallReason.ANSWERED, at, now))
    settled = (
        with_phone.filter(status=SuggestionStatus.CONVERTED)
        .annotate(
            open_n=Count("problems", filter=~Q(problems__status=Status.CLOSED)),
            closed_at=Max("problems__closed_at"),
        )
        .filter(open_n=0, closed_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "closed_at")
    )
    for pk, at in settled:
        rows.append(_call(campaign, pk, CallReason.CLOSED, at, now))
    unsatisfied = (
        with_phone.exclude(name="")
        .filter(rating__in=[r for r in Rating.values if r not in SATISFIED_RATINGS])
        .order_by("pk")
        .values_list("pk", "rated_at")
    )
    for pk, at in unsatisfied:
        rows.append(_call(campaign, pk, CallReason.UNSATISFIED, at, now, priority=True))
    keys = [c.key for c in rows]
    existing: set[str] = set()
    for start in range(0, len(keys), BATCH):
        existing.update(
            CallBack.objects.filter(key__in=keys[start : start + BATCH]).values_list(
                "key", flat=True
            )
        )
    fresh = [c for c in rows if c.key not in existing]
    CallBack.objects.bulk_create(fresh, batch_size=BATCH, ignore_conflicts=True)
    return len(fresh)


def _call(
    campaign: Campaign, pk: int, reason: str, at: Any, now: Any, priority: bool = False
) -> CallBack:
    return CallBack(
        campaign=campaign,
        suggestion_id=pk,
        reason=reason,
        key=f"{reason}:{pk}:{at.isoformat() if at else ''}"[:80],
        priority=priority,
        queued_at=now,
    )


def queue(user: Any, campaign: Campaign) -> QuerySet[CallBack]:
    if not intake_permissions.can_record(user, campaign):
        raise PermissionDenied(_("只有活动办公室和热线坐席可以回访。"))
    return CallBack.objects.filter(campaign=campaign).select_related("suggestion")


def reveal_for_call(call: CallBack, user: Any) -> tuple[bool, int]:
    """Whether the caller sees the citizen's name and number for this call, and, when a cap
    kept them from it, that cap. Shown only on a call still to be made, never for a citizen who
    asked for confidentiality (保密) unless the caller is the office, and to each operator for at
    most `callback_identities_per_day` citizens a day; every showing is logged."""
    s = call.suggestion
    if call.status != CallStatus.PENDING or not (s.name or s.phone):
        return False, 0
    if not intake_permissions.may_see_identity(user, s):
        return False, 0
    today = timezone.localdate()
    seen = IdentityView.objects.filter(viewer=user, purpose="callback", at__date=today)
    if not seen.filter(suggestion=s).exists():
        cap = int(call.campaign.rule("callback_identities_per_day"))
        if seen.values("suggestion").distinct().count() >= cap:
            log.warning("user %s reached the daily cap of %s call-back identities", user.pk, cap)
            return False, cap
    IdentityView.objects.create(suggestion=s, viewer=user, purpose="callback")
    return True, 0


def outstanding_unsatisfied(campaign: Campaign) -> int:
    return CallBack.objects.filter(
        campaign=campaign, reason=CallReason.UNSATISFIED, status=CallStatus.PENDING
    ).count()


@transaction.atomic
def record_call(
    call: CallBack,
    *,
    by: Any,
    reached: bool,
    solved: bool | None = None,
    rating: int | None = None,
    notes: str = "",
) -> CallBack:
    call = (
        CallBack.objects.select_for_update().select_related("suggestion__campaign").get(pk=call.pk)
    )
    if not intake_permissions.can_record(by, call.campaign):
        raise PermissionDenied(_("只有活动办公室和热线坐席可以回访。"))
    if call.status != CallStatus.PENDING:
        raise ValidationError(_("这次回访已经记录过了。"))
    if not reached and (rating is not None or solved is not None):
        raise ValidationError(_("未接通的回访不能记录是否解决或评价。"))
    if rating is not None:
        Rating(rating)
    call.attempts += 1
    call.called_by = by
    call.called_at = timezone.now()
    call.notes = ((call.notes + "\n") if call.notes else "") + (notes or "").strip()[:2000]
    if not reached:
        if call.attempts >= MAX_ATTEMPTS:
            call.status = CallStatus.UNREACHABLE
        call.save()
        return call
    call.reached, call.solved, call.rating = True, solved, rating
    call.status = CallStatus.DONE
    call.save()
    s = call.suggestion
    if rating is not None:
        _rate(s, rating, notes)
    return call


def _rate(s: Suggestion, rating: int, notes: str) -> None:
    """The call's rating becomes the suggestion's; unsatisfied reopens and raises a notice."""
    comment = (_("电话回访:%(n)s") % {"n": notes.strip() or "—"})[:500]
    if intake.can_rate(s):
        intake.rate_suggestion(s, rating=rating, comment=comment)
    if rating in SATISFIED_RATINGS:
        return
    # Reopened by the rating (when the campaign's rule says so), or still open: chase them.
    for problem in s.problems.filter(status__in=OPEN_STATUSES):
        raise_notice(
            problem,
            kind=NoticeKind.URGE,
            text=_("群众回访评价“%(r)s”:%(n)s。请重新整改并书面回复。")
            % {"r": Rating(rating).label, "n": notes.strip() or "—"},
        )
