"""Participation figures of an org subtree: meetings held per kind against the expected
rhythm, members, branches, attendance rate, branches that held none. Read from the tallies."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.meetings.models import ActiveUnit, Meeting, MeetingStatus, MemberTally, StudyTally
from taizhang.meetings.services import kinds_of
from taizhang.orgs.models import Org, OrgKind


def months_between(start: dt.date, end: dt.date) -> Decimal:
    """Months elapsed from start to end, in fractions (for the expected rhythm)."""
    if end < start:
        return Decimal(0)
    return Decimal((end - start).days + 1) / Decimal("30.44")


def study_figures(
    campaign: Campaign, org: Org, today: dt.date | None = None, with_silent: bool = True
) -> dict[str, Any]:
    today = min(today or timezone.localdate(), campaign.ends_on)
    kinds = kinds_of(campaign)
    rows = (
        StudyTally.objects.filter(campaign=campaign, org_path=org.path)
        .values("kind_id")
        .annotate(
            meetings=Sum("meetings"),
            present=Sum("present"),
            absent=Sum("absent"),
            excused=Sum("excused"),
        )
    )
    by_kind = {r["kind_id"]: r for r in rows}
    branches = _branches(org)
    months = months_between(campaign.starts_on, today)
    present = sum(r["present"] for r in by_kind.values())
    expected_total = sum(r["present"] + r["absent"] + r["excused"] for r in by_kind.values())
    figures: dict[str, Any] = {
        "meetings_total": sum(r["meetings"] for r in by_kind.values()),
        "members_total": MemberTally.objects.filter(org_path=org.path)
        .values_list("members", flat=True)
        .first()
        or 0,
        "branches_total": branches,
        "attendance_rate": round(present / expected_total, 4) if expected_total else None,
        "attendance_present": present,
        "attendance_expected": expected_total,
        "by_kind": {
            k.name: {
                "meetings": by_kind.get(k.pk, {}).get("meetings", 0),
                "expected": int(k.per_month * months * branches),
            }
            for k in kinds
        },
    }
    if with_silent:
        active = ActiveUnit.objects.filter(
            campaign=campaign, is_branch=True, meetings__gt=0, org_path__under=org.path
        ).count()
        figures["branches_silent"] = branches - active
    return figures


def _branches(org: Org) -> int:
    if org.kind == OrgKind.BRANCH:
        return 1
    return Org.objects.filter(path__under=org.path, kind=OrgKind.BRANCH).count()


def silent_branches(campaign: Campaign, org: Org, today: dt.date, since: dt.date | None = None):  # type: ignore[no-untyped-def]
    """Branches under `org` that held no meeting from `since` (the campaign's start) to today."""
    held = Meeting.objects.filter(
        campaign=campaign,
        status=MeetingStatus.HELD,
        org_path__under=org.path,
        held_on__gte=since or campaign.starts_on,
        held_on__lte=today,
    ).values("org_id")
    return Org.objects.filter(path__under=org.path, kind=OrgKind.BRANCH).exclude(pk__in=held)
