"""Meetings in the browser: participation by unit, the list, the phone-sized form, members."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.audit.services import record_export
from taizhang.campaigns.access import campaign_for
from taizhang.campaigns.models import Campaign
from taizhang.core.typing import AuthedRequest
from taizhang.intake.privacy import mask_name
from taizhang.meetings import services
from taizhang.meetings.models import Meeting, MeetingStatus, Member, Presence
from taizhang.orgs.models import Org
from taizhang.orgs.scoping import scope_of
from taizhang.reports import study
from taizhang.sheets.meeting_export import export_meetings
from taizhang.sheets.workbook import download


def _own_org(user: Any) -> Org | None:
    grants = sorted(scope_of(user).grants, key=lambda g: -g.path.count("/"))
    return Org.objects.filter(pk=grants[0].org_id).first() if grants else None


def _org_in_scope(request: HttpRequest, campaign: Campaign, code: str | None) -> Org:
    org = Org.objects.filter(code=code).first() if code else None
    if org is None:
        own = _own_org(request.user)
        org = own if own and own.path.startswith(campaign.org.path) else campaign.org
    if not org.path.startswith(campaign.org.path) or not scope_of(request.user).reaches(org.path):
        raise Http404
    return org


@login_required
def study_overview(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    org = _org_in_scope(request, campaign, request.GET.get("org"))
    today = timezone.localdate()
    children = study.children_figures(campaign, org, today)
    return render(
        request,
        "meetings/overview.html",
        {
            "campaign": campaign,
            "org": org,
            "f": study.study_figures(campaign, org, today),
            "children": [c for c in children if c[1]["branches_total"] or c[1]["meetings_total"]],
            "can_record": services.can_manage(request.user, org),
        },
    )


@login_required
def meeting_list(request: AuthedRequest, slug: str) -> HttpResponse | FileResponse:
    campaign = campaign_for(request.user, slug)
    org = _org_in_scope(request, campaign, request.GET.get("org"))
    if request.GET.get("silent"):
        since = campaign.starts_on
        if request.GET.get("since"):
            try:
                since = max(campaign.starts_on, dt.date.fromisoformat(request.GET["since"]))
            except ValueError:
                raise Http404 from None
        today = timezone.localdate()
        silent = study.silent_branches(campaign, org, today, since=since).order_by("path")
        return render(
            request,
            "meetings/silent.html",
            {
                "campaign": campaign,
                "org": org,
                "since": since,
                "month_start": today.replace(day=1),
                "page": Paginator(silent, 100).get_page(request.GET.get("page")),
            },
        )
    meetings = Meeting.objects.filter(campaign=campaign, org_path__under=org.path).select_related(
        "org", "kind"
    )
    kind = request.GET.get("kind", "")
    if kind:
        meetings = meetings.filter(kind__code=kind)
    if request.GET.get("status") != "all":
        meetings = meetings.filter(status=MeetingStatus.HELD)
    if request.GET.get("format") == "xlsx":
        record_export(f"会议台账 {org.name}", rows=meetings.count(),
                      query=request.GET.urlencode(), fmt="xlsx")  # fmt: skip
        return download(
            f"会议台账-{org.name}.xlsx",
            lambda out: export_meetings(meetings, campaign=campaign, out=out),
            issued_to=request.user,
        )
    return render(
        request,
        "meetings/list.html",
        {
            "campaign": campaign,
            "org": org,
            "kind": kind,
            "kinds": services.kinds_of(campaign),
            "page": Paginator(meetings, 50).get_page(request.GET.get("page")),
        },
    )


@login_required
def meeting_new(request: AuthedRequest, slug: str) -> HttpResponse:
    """The form a branch secretary fills in on a phone: the meeting, then a tick per member."""
    campaign = campaign_for(request.user, slug)
    org = _org_in_scope(request, campaign, request.GET.get("org") or request.POST.get("org"))
    if not services.can_manage(request.user, org):
        raise PermissionDenied(_("您无权为“%(o)s”登记会议。") % {"o": org.name})
    kinds = services.kinds_of(campaign)
    members = list(services.active_members(org))
    errors: list[str] = []
    if request.method == "POST":
        p = request.POST
        for m in members:
            m.chosen = p.get(f"m{m.pk}", "")  # type: ignore[attr-defined]
        # Nobody is marked present for the secretary: an unmarked member is asked about,
        # not counted as attending (attendance rates are published).
        unmarked = [m.name for m in members if p.get(f"m{m.pk}") not in Presence.values]
        try:
            if unmarked:
                raise ValidationError(
                    _("请为每位成员选择出勤情况,尚未选择:%(n)s") % {"n": "、".join(unmarked)}
                )
            kind = next(k for k in kinds if str(k.pk) == p.get("kind"))
            meeting = services.record_meeting(
                campaign,
                org,
                by=request.user,
                kind=kind,
                held_on=_date(p.get("held_on", "")),
                starts_at=_time(p.get("starts_at", ""), _("开始时间")),
                ends_at=_time(p.get("ends_at", ""), _("结束时间")),
                topic=p.get("topic", ""),
                place=p.get("place", ""),
                host=p.get("host", ""),
                minutes=p.get("minutes", ""),
                presence={
                    m.pk: p.get(f"m{m.pk}", Presence.ABSENT)
                    for m in members
                    if p.get(f"m{m.pk}") in Presence.values
                },
                guests=p.get("guests", "").splitlines(),
                materials=[(f, f.name or "") for f in request.FILES.getlist("materials")],
                raised_problems=p.get("problems", "").splitlines(),
                raised_suggestions=p.get("suggestions", "").splitlines(),
                focus_area=campaign.focus_areas.filter(pk=p.get("focus_area") or 0).first(),
            )
        except StopIteration:
            errors.append(_("请选择会议类型。"))
        except (ValidationError, PermissionDenied) as exc:
            errors.extend(getattr(exc, "messages", [str(exc)]))
        else:
            messages.success(request, _("会议已登记。"))
            return redirect("meeting_detail", pk=meeting.pk)
    return render(
        request,
        "meetings/form.html",
        {
            "campaign": campaign,
            "org": org,
            "kinds": kinds,
            "members": members,
            "presences": Presence.choices,
            "areas": campaign.focus_areas.all(),
            "errors": errors,
            "data": request.POST,
            "today": timezone.localdate().isoformat(),
        },
        status=400 if errors else 200,
    )


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("请填写会议日期。")) from None


def _time(value: str, label: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("请填写%(f)s。") % {"f": label}) from None


@login_required
def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        Meeting.objects.select_related("org", "kind", "campaign", "recorded_by"), pk=pk
    )
    if not scope_of(request.user).reaches(meeting.org_path):
        raise Http404
    if request.method == "POST":
        try:
            services.void_meeting(meeting, by=request.user, reason=request.POST.get("reason", ""))
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        return redirect("meeting_detail", pk=pk)
    names = services.can_see_names(request.user, meeting.org)
    attendance = [
        ((a.member.name if names else mask_name(a.member.name)) if a.member else a.guest_name, a)
        for a in meeting.attendance.select_related("member").order_by("presence", "pk")
    ]
    return render(
        request,
        "meetings/detail.html",
        {
            "campaign": meeting.campaign,
            "m": meeting,
            "attendance": attendance,
            "can_void": meeting.status == MeetingStatus.HELD
            and services.can_manage(request.user, meeting.org),
        },
    )


@login_required
def members(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    org = _org_in_scope(request, campaign, request.GET.get("org") or request.POST.get("org"))
    if request.method == "POST":
        try:
            joined = request.POST.get("joined_on") or ""
            services.add_member(
                org,
                by=request.user,
                name=request.POST.get("name", ""),
                role=request.POST.get("role", ""),
                joined_on=dt.date.fromisoformat(joined) if joined else None,
            )
        except (ValidationError, PermissionDenied, ValueError) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        else:
            messages.success(request, _("成员已添加。"))
        return redirect(f"{request.path}?org={org.code}")
    names = services.can_see_names(request.user, org)
    rows = Member.objects.filter(org_path__under=org.path).select_related("org")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/members.html",
        {
            "campaign": campaign,
            "org": org,
            "page": page,
            "shown": [(m, m.name if names else mask_name(m.name)) for m in page],
            "can_manage": services.can_manage(request.user, org),
        },
    )
