"""Participation figures of an org subtree: meetings held per kind against the expected
rhythm, members, branches, attendance rate, branches that held none. Read from the tallies."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from taizhang.campaigns.models import Campaign
from taizhang.meetings.models import (
    ActiveUnit,
    Attendance,
    Meeting,
    MeetingStatus,
    Member,
    MemberTally,
    Presence,
    StudyTally,
)
from taizhang.meetings.services import kinds_of
from taizhang.orgs.models import Org, OrgKind
from taizhang.reports.figures import child_path_expression, percent


def months_between(start: dt.date, end: dt.date) -> Decimal:
    """Months elapsed from start to end, in fractions (for the expected rhythm)."""
    if end < start:
        return Decimal(0)
    return Decimal((end - start).days + 1) / Decimal("30.44")


def study_figures(
    campaign: Campaign, org: Org, today: dt.date | None = None, with_silent: bool = True
) -> dict[str, Any]:
    rows = (
        StudyTally.objects.filter(campaign=campaign, org_path=org.path)
        .values("kind_id")
        .annotate(**_SUMS)
    )
    members = MemberTally.objects.filter(org_path=org.path).values_list("members", flat=True)
    branches = _branches(org)
    silent = None
    if with_silent:
        active = ActiveUnit.objects.filter(
            campaign=campaign, is_branch=True, meetings__gt=0, org_path__under=org.path
        ).count()
        silent = branches - active
    return _figures(
        campaign, kinds_of(campaign), today, {r["kind_id"]: r for r in rows},
        members.first() or 0, branches, silent,
    )  # fmt: skip


def children_figures(
    campaign: Campaign, org: Org, today: dt.date | None = None
) -> list[tuple[Org, dict[str, Any]]]:
    """study_figures of each unit directly under `org`, in a fixed number of queries."""
    children = list(Org.objects.filter(parent=org).order_by("code"))
    paths = [c.path for c in children]
    by_kind: dict[str, dict[int, Mapping[str, Any]]] = {path: {} for path in paths}
    tallies = (
        StudyTally.objects.filter(campaign=campaign, org_path__in=paths)
        .values("org_path", "kind_id")
        .annotate(**_SUMS)
    )
    for row in tallies:
        by_kind[row["org_path"]][row["kind_id"]] = row
    members = dict(
        MemberTally.objects.filter(org_path__in=paths).values_list("org_path", "members")
    )
    child = child_path_expression(org.path, field="path")
    branches = dict(
        Org.objects.filter(path__under=org.path, kind=OrgKind.BRANCH)
        .annotate(child=child)
        .values_list("child")
        .annotate(n=Count("pk"))
        .order_by()
    )
    active = dict(
        ActiveUnit.objects.filter(
            campaign=campaign, is_branch=True, meetings__gt=0, org_path__under=org.path
        )
        .annotate(child=child_path_expression(org.path))
        .values_list("child")
        .annotate(n=Count("pk"))
        .order_by()
    )
    kinds = kinds_of(campaign)
    out = []
    for c in children:
        branch_count = branches.get(c.path, 0)
        silent = branch_count - active.get(c.path, 0)
        figures = _figures(
            campaign, kinds, today, by_kind[c.path], members.get(c.path, 0), branch_count, silent
        )
        out.append((c, figures))
    return out


_SUMS = {
    "meetings": Sum("meetings"),
    "present": Sum("present"),
    "absent": Sum("absent"),
    "excused": Sum("excused"),
}


def _figures(
    campaign: Campaign,
    kinds: Any,
    today: dt.date | None,
    by_kind: Mapping[int, Mapping[str, Any]],
    members: int,
    branches: int,
    silent: int | None,
) -> dict[str, Any]:
    months = months_between(
        campaign.starts_on, min(today or timezone.localdate(), campaign.ends_on)
    )
    present = sum(r["present"] for r in by_kind.values())
    expected_total = sum(r["present"] + r["absent"] + r["excused"] for r in by_kind.values())
    figures: dict[str, Any] = {
        "meetings_total": sum(r["meetings"] for r in by_kind.values()),
        "members_total": members,
        "branches_total": branches,
        "attendance_rate": percent(present, expected_total),
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
    if silent is not None:
        figures["branches_silent"] = silent
    return figures


def _branches(org: Org) -> int:
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


STUDY_FIGURE_LABELS = {
    "meetings_total": gettext_lazy("已召开的会议"),
    "members_total": gettext_lazy("成员(未离开)"),
    "branches_total": gettext_lazy("党支部"),
    "branches_silent": gettext_lazy("未开会的支部"),
    "attendance_present": gettext_lazy("出席人次"),
    "attendance_expected": gettext_lazy("应出席人次"),
}


def study_rows(campaign: Campaign, org: Org, figure: str) -> QuerySet[Any]:
    """The meetings, members, branches or attendance rows behind one study figure of `org`'s
    subtree: the same rows the tallies count."""
    held = Meeting.objects.filter(
        campaign=campaign, status=MeetingStatus.HELD, org_path__under=org.path
    )
    if figure == "meetings_total":
        return held
    if figure == "members_total":
        return Member.objects.filter(org_path__under=org.path, left_on__isnull=True)
    if figure in ("attendance_present", "attendance_expected"):
        rows = Attendance.objects.filter(meeting__in=held, member__isnull=False)
        return rows.filter(presence=Presence.PRESENT) if figure == "attendance_present" else rows
    branches = Org.objects.filter(path__under=org.path, kind=OrgKind.BRANCH)
    if figure == "branches_total":
        return branches
    if figure == "branches_silent":
        active = ActiveUnit.objects.filter(campaign=campaign, is_branch=True, meetings__gt=0)
        return branches.exclude(pk__in=active.values("org_id"))
    raise KeyError(figure)
