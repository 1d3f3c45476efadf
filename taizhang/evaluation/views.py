"""The call-back queue for operators and the 比学赶超 ranking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from taizhang.campaigns.access import campaign_for
from taizhang.core import receipts
from taizhang.core.typing import AuthedRequest
from taizhang.evaluation import services
from taizhang.evaluation.models import CallBack, CallStatus
from taizhang.intake import permissions as intake_permissions
from taizhang.intake import privacy
from taizhang.intake.models import Rating


def _script(campaign: str, title: str) -> str:
    return _(
        "您好,这里是%(campaign)s回访。您之前反映的“%(title)s”,现在解决了吗?"
        "您对处理结果是非常满意、满意、基本满意、不满意,还是非常不满意?"
    ) % {"campaign": campaign, "title": title}


@login_required
def callback_queue(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    calls = services.queue(request.user, campaign)
    if request.method == "POST":
        added = services.refresh_queue(campaign)
        messages.success(request, _("回访队列新增 %(n)d 条。") % {"n": added})
        return redirect("callback_queue", slug=slug)
    status = request.GET.get("status", CallStatus.PENDING)
    typed = request.GET.get("code", "").strip()[:40]
    if typed:
        code = receipts.normalise(typed)
        if code is None:
            messages.error(request, _("“%(c)s”不是有效的回执码,请核对。") % {"c": typed})
        calls, status = calls.filter(suggestion__receipt_code=code or ""), ""
    elif status in CallStatus.values:
        calls = calls.filter(status=status)
    return render(
        request,
        "evaluation/queue.html",
        {
            "campaign": campaign,
            "page": Paginator(calls, 50).get_page(request.GET.get("page")),
            "status": status,
            "statuses": CallStatus.choices,
            "code": typed,
            "outstanding": services.outstanding_unsatisfied(campaign),
            "pending": CallBack.objects.filter(
                campaign=campaign, status=CallStatus.PENDING
            ).count(),
        },
    )


@login_required
def callback_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(CallBack.objects.select_related("suggestion", "campaign__org"), pk=pk)
    if not intake_permissions.can_record(request.user, call.campaign):
        raise Http404
    s = call.suggestion
    if request.method == "POST":
        reached = request.POST.get("reached") == "yes"
        solved = {"yes": True, "no": False}.get(request.POST.get("solved", ""))
        raw_rating = request.POST.get("rating", "")
        if raw_rating and raw_rating not in {str(v) for v in Rating.values}:
            messages.error(request, _("评价无效:请从列表中选择。"))
            return redirect("callback_detail", pk=pk)
        rating = int(raw_rating) if raw_rating else None
        try:
            services.record_call(
                call,
                by=request.user,
                reached=reached,
                solved=solved,
                rating=rating,
                notes=request.POST.get("notes", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
            return redirect("callback_detail", pk=pk)
        messages.success(request, _("回访已记录。"))
        return redirect("callback_queue", slug=call.campaign.slug)
    identity, capped = services.reveal_for_call(call, request.user)
    if capped:
        messages.warning(
            request,
            _("您今天查看群众电话已达上限(%(n)d 人),如需继续回访请联系活动办公室。")
            % {"n": capped},
        )
    return render(
        request,
        "evaluation/callback.html",
        {
            "campaign": call.campaign,
            "call": call,
            "s": s,
            "identity": identity,
            "masked_name": privacy.mask_name(s.name),
            "masked_phone": privacy.mask_phone(s.phone),
            "problems": s.problems.all(),
            "ratings": Rating.choices,
            "script": _script(call.campaign.name, s.title),
        },
    )
