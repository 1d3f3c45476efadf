"""Notices, inspection teams and spot checks in the browser."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.access import campaign_for
from taizhang.core import params
from taizhang.core.typing import AuthedRequest
from taizhang.ledger.permissions import visible_problems
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import scope_of
from taizhang.supervision import services, spotchecks, teams
from taizhang.supervision.models import (
    CheckResult,
    InspectionTeam,
    Notice,
    NoticeKind,
    NoticeStatus,
    SpotCheck,
    SpotCheckItem,
)


def _errors(request: HttpRequest, exc: Exception) -> None:
    for message in getattr(exc, "messages", [str(exc)]):
        messages.error(request, message)


@login_required
def notice_list(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    notices = services.visible_notices(request.user, campaign).select_related("problem", "org")
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    if kind in NoticeKind.values:
        notices = notices.filter(kind=kind)
    if status in NoticeStatus.values:
        notices = notices.filter(status=status)
    if request.GET.get("late"):
        notices = notices.filter(status=NoticeStatus.OPEN, reply_due__lt=timezone.localdate())
    counts = services.visible_notices(request.user, campaign).aggregate(
        open=Count("pk", filter=Q(status=NoticeStatus.OPEN)),
        late=Count("pk", filter=Q(status=NoticeStatus.OPEN, reply_due__lt=timezone.localdate())),
        replied_on_time=Count("pk", filter=Q(replied_on_time=True)),
        total=Count("pk"),
    )
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/notice_list.html",
        {
            "campaign": campaign,
            "page": page,
            "kinds": NoticeKind.choices,
            "statuses": NoticeStatus.choices,
            "kind": kind,
            "status": status,
            "counts": counts,
            "today": timezone.localdate(),
        },
    )


@login_required
def notice_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(
        Notice.objects.select_related("problem", "org", "campaign", "issued_by", "replied_by"),
        pk=pk,
    )
    if not scope_of(request.user).reaches(notice.org_path):
        raise Http404
    if request.method == "POST":
        try:
            services.reply_notice(notice, by=request.user, text=request.POST.get("reply", ""))
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已回复。"))
        return redirect("notice_detail", pk=pk)
    return render(
        request,
        "supervision/notice_detail.html",
        {
            "campaign": notice.campaign,
            "n": notice,
            "can_reply": notice.status == NoticeStatus.OPEN
            and services.can_reply(request.user, notice),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def issue(request: AuthedRequest, pk: int) -> HttpResponse:
    problem = get_object_or_404(visible_problems(request.user), pk=pk)
    try:
        notice = services.issue_notice(
            problem,
            by=request.user,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
        return redirect("problem_detail", pk=pk)
    messages.success(request, _("已发出%(k)s。") % {"k": notice.get_kind_display()})
    return redirect("notice_detail", pk=notice.pk)


def _office(request: HttpRequest, slug: str):  # type: ignore[no-untyped-def]
    campaign = campaign_for(request.user, slug)
    if not scope_of(request.user).reaches(campaign.org.path, (Role.OFFICE,)):
        raise PermissionDenied(_("只有活动办公室可以管理督导组。"))
    return campaign


@login_required
def team_list(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = _office(request, slug)
    editing = None
    if request.GET.get("edit"):
        editing = get_object_or_404(
            InspectionTeam, pk=params.row_id(request.GET["edit"]), campaign=campaign
        )
    if request.method == "POST":
        if request.POST.get("edit"):
            editing = get_object_or_404(
                InspectionTeam, pk=params.row_id(request.POST["edit"]), campaign=campaign
            )
        try:
            teams.save_team(
                campaign,
                by=request.user,
                name=request.POST.get("name", ""),
                usernames=_split(request.POST.get("members", "")),
                org_codes=_split(request.POST.get("orgs", "")),
                team=editing,
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("督导组已保存。"))
            return redirect("team_list", slug=slug)
    return render(
        request,
        "supervision/teams.html",
        {
            "campaign": campaign,
            "teams": InspectionTeam.objects.filter(campaign=campaign).prefetch_related(
                "members", "orgs"
            ),
            "editing": editing,
            "form": request.POST if request.method == "POST" else None,
        },
    )


def _split(value: str) -> list[str]:
    return [v for v in value.replace(",", " ").replace(",", " ").replace("、", " ").split()]


@login_required
def check_list(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    scope = scope_of(request.user)
    if not scope.has_role(*spotchecks.CHECK_ROLES):
        raise PermissionDenied(_("只有活动办公室和督导组成员可以抽查。"))
    if request.method == "POST":
        try:
            org = resolve_unit(request.POST.get("org", ""), campaign.org)
            area_id = _int(request.POST.get("focus_area"))
            area = campaign.focus_areas.filter(pk=area_id or 0).first()
            check = spotchecks.draw(
                campaign,
                org,
                by=request.user,
                percent=_int(request.POST.get("percent")),
                count=_int(request.POST.get("count")),
                focus_area=area,
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            return redirect("check_detail", pk=check.pk)
    checks = (
        SpotCheck.objects.filter(campaign=campaign)
        .select_related("org", "drawn_by", "focus_area")
        .annotate(
            size=Count("items"),
            done=Count("items", filter=~Q(items__result=CheckResult.PENDING)),
            failed=Count("items", filter=Q(items__result=CheckResult.FAILED)),
        )
    )
    visible = [c for c in checks if scope.reaches(c.org.path)]
    return render(
        request,
        "supervision/checks.html",
        {"campaign": campaign, "checks": visible, "areas": campaign.focus_areas.all()},
    )


def _int(value: str | None) -> int | None:
    return params.integer(value)


@login_required
def check_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(SpotCheck.objects.select_related("org", "campaign"), pk=pk)
    if not scope_of(request.user).reaches(check.org.path):
        raise Http404
    if request.method == "POST":
        item = get_object_or_404(
            SpotCheckItem, pk=params.row_id(request.POST.get("item")), spot_check=check
        )
        upload = request.FILES.get("evidence")
        result = request.POST.get("result", "")
        try:
            if result not in (CheckResult.PASSED, CheckResult.FAILED):
                raise ValidationError(_("请选择抽查结果:通过或不通过。"))
            spotchecks.record(
                item,
                by=request.user,
                passed=result == CheckResult.PASSED,
                reason=request.POST.get("reason", ""),
                evidence=(upload, upload.name or "") if upload else None,
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        return redirect("check_detail", pk=pk)
    return render(
        request,
        "supervision/check_detail.html",
        {
            "campaign": check.campaign,
            "check": check,
            "items": check.items.select_related("problem", "checked_by"),
            "can_check": spotchecks.can_check(request.user, check.org),
        },
    )
