"""Meetings and who took part: recorded by the unit, checked, counted once in the tallies."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.core.validation import bounded_text
from taizhang.intake.models import Channel
from taizhang.intake.permissions import can_record
from taizhang.intake.services import submit_suggestion
from taizhang.ledger import permissions as ledger_permissions
from taizhang.ledger.evidence_files import Upload, check_and_store, discard
from taizhang.ledger.models import Kind, Source
from taizhang.ledger.services import record_problem
from taizhang.ledger.tallies import ancestor_paths
from taizhang.meetings.models import (
    DEFAULT_KINDS,
    ActiveUnit,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingMaterial,
    MeetingStatus,
    Member,
    MemberTally,
    Presence,
    StudyTally,
)
from taizhang.orgs.models import Org, OrgKind, Role
from taizhang.orgs.scoping import scope_of

MATERIAL_MB = 20
MATERIAL_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx")


def kinds_of(campaign: Campaign) -> list[MeetingKind]:
    """The campaign's meeting kinds, created from the article's list the first time."""
    kinds = list(campaign.meeting_kinds.all())
    if not kinds:
        MeetingKind.objects.bulk_create(
            MeetingKind(campaign=campaign, code=code, name=name, per_month=per_month, order=i)
            for i, (code, name, per_month) in enumerate(DEFAULT_KINDS)
        )
        kinds = list(campaign.meeting_kinds.all())
    return kinds


def can_manage(user: object, org: Org) -> bool:
    """The unit's own handlers and admins (a branch's secretary), admins above, the office."""
    return ledger_permissions.can_record_for(user, org)


def can_see_names(user: object, org: Org) -> bool:
    """Members' names: the unit's admins (and those above), the office, and whoever keeps the
    unit's own records (a branch secretary ticks attendance by name)."""
    scope = scope_of(user)
    return scope.handles_exactly(org.pk) or scope.reaches(org.path, (Role.ADMIN, Role.OFFICE))


@transaction.atomic
def add_member(
    org: Org, *, by: Any, name: str, role: str = "", joined_on: dt.date | None = None
) -> Member:
    if not can_manage(by, org):
        raise PermissionDenied(_("您无权管理“%(o)s”的成员。") % {"o": org.name})
    if joined_on and joined_on > timezone.localdate():
        raise ValidationError(_("加入日期不能晚于今天。"))
    member = Member.objects.create(
        org=org,
        org_path=org.path,
        name=bounded_text(name, _("姓名"), 60, required=True),
        role=bounded_text(role, _("职务"), 40),
        joined_on=joined_on,
    )
    count_members({org.path: 1})
    return member


def count_members(added: dict[str, int]) -> None:
    """Add members (negative: remove) to the tallies of their units and every unit above."""
    totals: Counter[str] = Counter()
    for path, n in added.items():
        for prefix in ancestor_paths(path):
            totals[prefix] += n
    for path, n in totals.items():
        MemberTally.objects.get_or_create(org_path=path)
        MemberTally.objects.filter(org_path=path).update(members=F("members") + n)


def rebuild_member_tallies() -> int:
    MemberTally.objects.all().delete()
    totals: Counter[str] = Counter()
    for path, n in (
        Member.objects.filter(left_on__isnull=True).values_list("org_path").annotate(n=Count("pk"))
    ):
        for prefix in ancestor_paths(path):
            totals[prefix] += n
    MemberTally.objects.bulk_create(
        (MemberTally(org_path=p, members=n) for p, n in totals.items()), batch_size=5000
    )
    return len(totals)


def active_members(org: Org, on: dt.date | None = None) -> Any:
    on = on or timezone.localdate()
    return Member.objects.filter(org=org).exclude(left_on__lt=on).exclude(joined_on__gt=on)


@transaction.atomic
def record_meeting(
    campaign: Campaign,
    org: Org,
    *,
    by: Any,
    kind: MeetingKind,
    held_on: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    topic: str,
    place: str = "",
    host: str = "",
    minutes: str = "",
    presence: dict[int, str] | None = None,
    guests: Sequence[str] = (),
    materials: Sequence[tuple[Upload, str]] = (),
    raised_problems: Sequence[str] = (),
    raised_suggestions: Sequence[str] = (),
    focus_area: FocusArea | None = None,
) -> Meeting:
    """Record a meeting held by `org`, with each member's presence and any guests."""
    if not can_manage(by, org):
        raise PermissionDenied(_("您无权为“%(o)s”登记会议。") % {"o": org.name})
    if kind.campaign_id != campaign.pk:
        raise ValidationError(_("会议类型“%(k)s”不属于本活动。") % {"k": kind.name})
    if not org.path.startswith(campaign.org.path):
        raise ValidationError(_("“%(o)s”不在本活动的范围内。") % {"o": org.name})
    if held_on < campaign.starts_on or held_on > campaign.ends_on:
        raise ValidationError(
            _("会议日期 %(d)s 不在活动期间(%(s)s 至 %(e)s)。")
            % {"d": held_on, "s": campaign.starts_on, "e": campaign.ends_on}
        )
    if held_on > timezone.localdate():
        raise ValidationError(_("会议日期不能晚于今天:只登记已召开的会议。"))
    if ends_at <= starts_at:
        raise ValidationError(_("结束时间应晚于开始时间。"))
    topic = bounded_text(topic, _("会议主题"), 200, required=True)
    presence = {int(k): v for k, v in (presence or {}).items()}
    for value in presence.values():
        if value not in Presence.values:
            raise ValidationError(_("出勤情况只能是出席、缺席或请假。"))
    members = {m.pk: m for m in Member.objects.filter(pk__in=presence)}
    strangers = [pk for pk in presence if pk not in members or members[pk].org_id != org.pk]
    if strangers:
        raise ValidationError(
            _("参会人员必须是本单位成员,其他人请作为列席人员登记(编号 %(ids)s)。")
            % {"ids": "、".join(str(pk) for pk in strangers)}
        )
    present = [pk for pk, v in presence.items() if v == Presence.PRESENT]
    clash = (
        Attendance.objects.filter(
            member_id__in=present,
            presence=Presence.PRESENT,
            meeting__status=MeetingStatus.HELD,
            meeting__held_on=held_on,
            meeting__starts_at__lt=ends_at,
            meeting__ends_at__gt=starts_at,
        )
        .select_related("member", "meeting")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("%(m)s 同一时间已出席“%(t)s”(%(d)s %(s)s–%(e)s),不能同时参加两个会议。")
            % {
                "m": clash.member.name if clash.member else "",
                "t": clash.meeting.topic,
                "d": clash.meeting.held_on,
                "s": clash.meeting.starts_at.strftime("%H:%M"),
                "e": clash.meeting.ends_at.strftime("%H:%M"),
            }
        )
    guest_names = [bounded_text(g, _("列席人员"), 60) for g in guests if g.strip()]
    for _upload, name in materials:
        if not name.lower().endswith(MATERIAL_TYPES):
            raise ValidationError(
                _("“%(n)s”不是会议材料可用的文件类型(pdf、图片、Word、Excel)。") % {"n": name}
            )
    meeting = Meeting.objects.create(
        campaign=campaign,
        org=org,
        org_path=org.path,
        kind=kind,
        held_on=held_on,
        starts_at=starts_at,
        ends_at=ends_at,
        place=bounded_text(place, _("地点"), 120),
        topic=topic,
        host=bounded_text(host, _("主持人"), 60),
        minutes=bounded_text(minutes, _("会议记录"), 20000),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member_id=pk, presence=v) for pk, v in presence.items()]
        + [
            Attendance(meeting=meeting, guest_name=g, presence=Presence.PRESENT)
            for g in guest_names
        ]
    )
    _count(meeting, Counter(presence.values()), +1)
    stored = []
    try:
        for upload, name in materials:
            checked = check_and_store(upload, name, MATERIAL_MB)
            stored.append(checked.stored_name)
            MeetingMaterial.objects.create(
                meeting=meeting,
                stored_name=checked.stored_name,
                original_name=name[:200],
                file_type=checked.file_type,
                size=checked.size,
            )
        _raise_items(meeting, by, raised_problems, raised_suggestions, focus_area)
    except Exception:
        for name in stored:
            discard(name)
        raise
    return meeting


def _raise_items(
    meeting: Meeting,
    by: Any,
    problems: Iterable[str],
    suggestions: Iterable[str],
    focus_area: FocusArea | None,
) -> None:
    """What the meeting brought up: problems into the unit's ledger (source 会议查摆),
    suggestions into the triage queue (collected at the meeting)."""

    problems = [p.strip() for p in problems if p.strip()]
    suggestions = [s.strip() for s in suggestions if s.strip()]
    if problems and focus_area is None:
        raise ValidationError(_("登记会议查摆的问题时请选择聚焦领域。"))
    for title in problems:
        problem = record_problem(
            campaign=meeting.campaign,
            by=by,
            title=title[:200],
            description=_("来自会议“%(t)s”(%(d)s)") % {"t": meeting.topic, "d": meeting.held_on},
            focus_area=focus_area,  # type: ignore[arg-type]
            org=meeting.org,
            kind=Kind.DEADLINE,
            source=Source.MEETING,
        )
        meeting.problems.add(problem)
    for text in suggestions:
        s = submit_suggestion(
            meeting.campaign,
            channel=Channel.SYMPOSIUM,
            title=text[:30],
            text=text,
            by=by if _can_record_suggestions(by, meeting.campaign) else None,
            collected_on=meeting.held_on,
            collected_at_place=f"{meeting.org.name} {meeting.topic}"[:200],
            rate_limited=False,
        )
        meeting.suggestions.add(s)


def _can_record_suggestions(user: Any, campaign: Campaign) -> bool:

    return can_record(user, campaign)


def _count(meeting: Meeting, presence: Counter[str], sign: int) -> None:
    unit, _created = ActiveUnit.objects.get_or_create(
        campaign_id=meeting.campaign_id,
        org_id=meeting.org_id,
        defaults={"org_path": meeting.org_path, "is_branch": meeting.org.kind == OrgKind.BRANCH},
    )
    ActiveUnit.objects.filter(pk=unit.pk).update(meetings=F("meetings") + sign)
    month = meeting.held_on.replace(day=1)
    for path in ancestor_paths(meeting.org_path):
        tally, _created = StudyTally.objects.get_or_create(
            campaign_id=meeting.campaign_id, org_path=path, kind_id=meeting.kind_id, month=month
        )
        StudyTally.objects.filter(pk=tally.pk).update(
            meetings=F("meetings") + sign,
            present=F("present") + sign * presence.get(Presence.PRESENT, 0),
            absent=F("absent") + sign * presence.get(Presence.ABSENT, 0),
            excused=F("excused") + sign * presence.get(Presence.EXCUSED, 0),
        )


@transaction.atomic
def void_meeting(meeting: Meeting, *, by: Any, reason: str) -> Meeting:
    """A recorded meeting is never deleted: it is voided with a reason and stays in the record."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    if not can_manage(by, meeting.org):
        raise PermissionDenied(_("您无权作废这次会议的记录。"))
    if meeting.status == MeetingStatus.VOID:
        raise ValidationError(_("这次会议的记录已经作废。"))
    reason = bounded_text(reason, _("作废原因"), 2000, required=True)
    presence = Counter(
        meeting.attendance.filter(member__isnull=False).values_list("presence", flat=True)
    )
    meeting.status = MeetingStatus.VOID
    meeting.void_reason = reason
    meeting.voided_by = by
    meeting.voided_at = timezone.now()
    meeting.save()
    _count(meeting, presence, -1)
    return meeting


def rebuild_tallies(campaign: Campaign) -> int:
    """Recount every tally from the meetings (after a bulk load, or to check)."""
    StudyTally.objects.filter(campaign=campaign).delete()
    ActiveUnit.objects.filter(campaign=campaign).delete()
    held_by_unit = (
        Meeting.objects.filter(campaign=campaign, status=MeetingStatus.HELD)
        .values_list("org_id", "org_path", "org__kind")
        .annotate(n=Count("pk"))
    )
    ActiveUnit.objects.bulk_create(
        (
            ActiveUnit(
                campaign=campaign,
                org_id=org_id,
                org_path=path,
                is_branch=kind == OrgKind.BRANCH,
                meetings=n,
            )
            for org_id, path, kind, n in held_by_unit
        ),
        batch_size=5000,
    )
    counts: dict[tuple[str, int, dt.date], list[int]] = {}
    held = Meeting.objects.filter(campaign=campaign, status=MeetingStatus.HELD)
    per_meeting: dict[int, Counter[str]] = {}
    for meeting_id, value in (
        Attendance.objects.filter(meeting__in=held, member__isnull=False)
        .values_list("meeting_id", "presence")
        .iterator(chunk_size=10_000)
    ):
        per_meeting.setdefault(meeting_id, Counter())[value] += 1
    for pk, path, kind_id, held_on in held.values_list("pk", "org_path", "kind_id", "held_on"):
        seen = per_meeting.get(pk, Counter())
        for prefix in ancestor_paths(path):
            row = counts.setdefault((prefix, kind_id, held_on.replace(day=1)), [0, 0, 0, 0])
            row[0] += 1
            row[1] += seen[Presence.PRESENT]
            row[2] += seen[Presence.ABSENT]
            row[3] += seen[Presence.EXCUSED]
    StudyTally.objects.bulk_create(
        (
            StudyTally(
                campaign=campaign,
                org_path=path,
                kind_id=kind,
                month=month,
                meetings=n,
                present=p,
                absent=a,
                excused=e,
            )
            for (path, kind, month), (n, p, a, e) in counts.items()
        ),
        batch_size=5000,
    )
    return len(counts)
