"""个人信息保存期限: citizens' names and numbers are kept as long as the work needs them and no
longer (《个人信息保护法》第十九条). Each night, a suggestion settled longer ago than its
campaign's `personal_data_days` — answered, or turned into problems that are all closed or
ended, with no call-back pending — loses its name and number. Its keyed phone hash stays, so
the figures that count distinct citizens do not change; so does everything else."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from taizhang.audit.models import AuditKind
from taizhang.audit.services import record
from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import CallBack, CallStatus
from taizhang.intake.models import Suggestion, SuggestionStatus
from taizhang.ledger.models import OPEN_STATUSES, Problem

BATCH = 2000


def expired(campaign: Campaign, today: dt.date) -> QuerySet[Suggestion]:
    """Suggestions of the campaign whose personal data is past its retention period."""
    days = campaign.rule("personal_data_days")
    if days is None:
        return Suggestion.objects.none()
    before = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=int(days)),
                                                     dt.time()))  # fmt: skip
    still_open = Problem.objects.filter(suggestions=OuterRef("pk"), status__in=OPEN_STATUSES)
    calling = CallBack.objects.filter(suggestion=OuterRef("pk"), status=CallStatus.PENDING)
    return (
        Suggestion.objects.filter(campaign=campaign, submitted_at__lt=before)
        .exclude(name="", phone="")
        .exclude(status=SuggestionStatus.RECEIVED)
        .exclude(Q(answered_at__gte=before) | Q(rated_at__gte=before))
        .exclude(Exists(still_open))
        .exclude(Exists(calling))
    )


def erase(suggestions: QuerySet[Suggestion]) -> int:
    """Erase names and numbers (never the hash), in batches; returns how many."""
    erased = 0
    ids = list(suggestions.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        erased += Suggestion.objects.filter(pk__in=ids[start : start + BATCH]).update(
            name="", phone=""
        )
    return erased


def erase_expired(*, now: dt.datetime, **_signal: Any) -> int:
    """The nightly run's part: each campaign's expired personal data, one audit entry each."""
    total = 0
    for campaign in Campaign.objects.all():
        with transaction.atomic():
            erased = erase(expired(campaign, timezone.localdate(now)))
            if erased:
                days = campaign.rule("personal_data_days")
                record(AuditKind.PERSONAL,
                       f"按保存期限({days} 天)删除 {erased} 条意见建议中的群众姓名和电话",
                       target=f"campaign:{campaign.slug}",
                       detail={"erased": erased, "days": days})  # fmt: skip
        total += erased
    return total
