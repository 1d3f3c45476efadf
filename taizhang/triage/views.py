"""The office's triage pages: hot topics and duplicate clusters, settings, and decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.access import campaign_for
from taizhang.campaigns.models import Campaign
from taizhang.core import params, receipts
from taizhang.intake import permissions
from taizhang.intake.models import Suggestion
from taizhang.ledger.errors import ConflictError
from taizhang.triage import jobs, services
from taizhang.triage.models import Cluster, Run, RunKind, RunStatus, Target, TriageModel


def _office_campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = campaign_for(request.user, slug)
    if not permissions.can_triage(request.user, campaign):
        raise PermissionDenied(_("只有活动办公室可以使用分诊。"))
    return campaign


def _latest(campaign: Campaign, kind: str) -> Run | None:
    return Run.objects.filter(campaign=campaign, kind=kind, status=RunStatus.DONE).first()


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _office_campaign(request, slug)
    kind = request.GET.get("kind", RunKind.TOPICS)
    if kind not in (RunKind.TOPICS, RunKind.DUPLICATES):
        kind = RunKind.TOPICS
    latest = _latest(campaign, kind)
    clusters = Paginator(latest.clusters.all() if latest else Cluster.objects.none(), 50)
    return render(
        request,
        "triage/overview.html",
        {
            "campaign": campaign,
            "kind": kind,
            "latest": latest,
            "page": clusters.get_page(request.GET.get("page")),
            "active": Run.objects.filter(
                campaign=campaign, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
            ),
            "recent": Run.objects.filter(campaign=campaign)[:8],
        },
    )


@login_required
def cluster(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _office_campaign(request, slug)
    c = get_object_or_404(Cluster.objects.select_related("run"), pk=pk, run__campaign=campaign)
    return render(
        request,
        "triage/cluster.html",
        {
            "campaign": campaign,
            "c": c,
            "suggestions": c.suggestions.order_by("submitted_at", "pk"),
        },
    )


@login_required
@require_POST
def merge_cluster(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The group's waiting suggestions marked duplicates of the one picked as the original."""
    campaign = _office_campaign(request, slug)
    c = get_object_or_404(Cluster, pk=pk, run__campaign=campaign)
    original = Suggestion.objects.filter(pk=params.picked(request.POST.get("original"))).first()
    try:
        if original is None:
            raise ValidationError(_("请选择原件。"))
        merged = services.merge_cluster(c, by=request.user, original=original)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("已将 %(n)s 条标记为 %(c)s 的重复;%(l)s 条已办理,未改动。")
            % {"n": merged.done, "c": receipts.display(original.receipt_code), "l": merged.left},
        )
        for code, why in merged.refused.items():
            messages.error(request, f"{receipts.display(code)}:{why}")
    return redirect("triage_cluster", slug=slug, pk=pk)


@login_required
@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _office_campaign(request, slug)
    kind = request.POST.get("kind", "")
    try:
        jobs.start_run(campaign, kind, by=request.user, target=request.POST.get("target", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("任务已提交,正在后台运行。"))
    back = "triage_settings" if kind == RunKind.TRAIN else "triage_overview"
    return redirect(back, slug=slug)


@login_required
@require_POST
def cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _office_campaign(request, slug)
    run = get_object_or_404(Run, pk=pk, campaign=campaign)
    jobs.cancel_run(run, by=request.user)
    messages.success(request, _("已请求取消。"))
    return redirect("triage_overview", slug=slug)


@login_required
def run_status(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    campaign = _office_campaign(request, slug)
    run = get_object_or_404(Run, pk=pk, campaign=campaign)
    return JsonResponse(
        {
            "status": run.status,
            "status_display": run.get_status_display(),
            "percent": run.percent,
            "active": run.active,
            "message": run.message,
        }
    )


@login_required
def settings_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _office_campaign(request, slug)
    areas = list(campaign.focus_areas.all())
    if request.method == "POST" and "precedents" in request.POST:
        allowed = request.POST["precedents"] == "earlier"
        services.allow_earlier_precedents(campaign, by=request.user, allowed=allowed)
        messages.success(request, _("先例设置已保存,下次训练模型时生效。"))
        return redirect("triage_settings", slug=slug)
    if request.method == "POST":
        services.set_keywords(
            campaign,
            by=request.user,
            keywords={
                a.pk: request.POST[f"keywords-{a.pk}"]
                for a in areas
                if f"keywords-{a.pk}" in request.POST
            },
        )
        messages.success(request, _("关键词已保存。"))
        return redirect("triage_settings", slug=slug)
    labelled = {t: len(services.training_rows(campaign, t)[1]) for t in Target.values}
    return render(
        request,
        "triage/settings.html",
        {
            "campaign": campaign,
            "areas": areas,
            "models": TriageModel.objects.filter(campaign=campaign)
            .defer("blob")
            .order_by("target", "-version")[:20],
            "labelled": labelled,
            "min_labels": services.MIN_LABELS,
            "targets": Target.choices,
            "active": Run.objects.filter(
                campaign=campaign,
                kind=RunKind.TRAIN,
                status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
            ),
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_object_or_404(Suggestion.objects.select_related("campaign__org"), pk=pk)
    if not permissions.can_record(request.user, s.campaign):
        raise PermissionDenied
    try:
        area_id = params.integer(request.POST.get("focus_area"), label=_("聚焦领域"))
        area = s.campaign.focus_areas.filter(pk=area_id or 0).first()
        version = params.integer(request.POST.get("version"), label=_("版本")) or 0
        services.decide(s, by=request.user, version=version, area=area)
    except (ValidationError, PermissionDenied, ConflictError) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("已分类为“%(a)s”。") % {"a": area.name if area else "—"})
    return redirect("suggestion_detail", pk=pk)


@login_required
def similar_problems(request: HttpRequest, slug: str) -> HttpResponse:
    """A fragment for the problem form: problems that read like the one being recorded."""
    campaign = campaign_for(request.user, slug)
    text = f"{request.GET.get('title', '')}。{request.GET.get('description', '')}"[:4000]
    found = services.similar_problems(request.user, campaign, text, request.GET.get("org", ""))
    return render(request, "triage/similar_problems.html", {"found": found})
