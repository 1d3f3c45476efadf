from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.campaigns.access import campaign_for
from taizhang.core.typing import AuthedRequest
from taizhang.ledger.filters import FILTER_KEYS, apply_filters, parse_params
from taizhang.ledger.permissions import visible_problems
from taizhang.todo import bulk
from taizhang.todo.models import BulkJob, BulkStatus
from taizhang.todo.services import todo_for


@login_required
def todo(request: AuthedRequest, slug: str) -> HttpResponse:
    """我的待办: the page each user starts on."""
    campaign = campaign_for(request.user, slug)
    return render(
        request,
        "todo/todo.html",
        {"campaign": campaign, "sections": todo_for(request.user, campaign)},
    )


def _picked(raw: list[str]) -> list[tuple[int, int | None]]:
    """`id:version` from the list's check boxes."""
    rows = []
    for value in raw:
        pk, _sep, version = value.partition(":")
        if pk.isdigit():
            rows.append((int(pk), int(version) if version.isdigit() else None))
    return rows


@login_required
@require_POST
def bulk_start(request: AuthedRequest, slug: str) -> HttpResponse:
    """The ledger list's 批量办理: the rows picked, or every row of the list's filter."""
    campaign = campaign_for(request.user, slug)
    post = request.POST
    filters = {k: post[k] for k in FILTER_KEYS if post.get(k)}
    back = reverse("problem_list", args=[slug]) + (f"?{urlencode(filters)}" if filters else "")
    params = {"reason": post.get("reason", "").strip()[:2000],
              "org_code": post.get("org_code", "").strip()[:200]}  # fmt: skip
    if post.get("deadline"):
        params["deadline"] = post["deadline"]
    try:
        if post.get("all") == "1":
            query = parse_params(campaign, filters)
            found = apply_filters(visible_problems(request.user, campaign), campaign, query,
                                  timezone.localdate(), counted_only=True)  # fmt: skip
            rows: list[tuple[int, int | None]] = [
                (pk, None) for pk in found.values_list("pk", flat=True)[: bulk.MAX_ROWS + 1]
            ]
        else:
            rows = _picked(post.getlist("pick"))
        job = bulk.start(campaign, request.user, post.get("action", ""), rows, params)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    return redirect("bulk_detail", pk=job.pk)


@login_required
def bulk_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(BulkJob.objects.select_related("campaign"), pk=pk)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    running = job.status in (BulkStatus.QUEUED, BulkStatus.RUNNING)
    return render(
        request,
        "todo/bulk.html",
        {
            "campaign": job.campaign,
            "job": job,
            "label": bulk.ACTIONS[job.action].label if job.action in bulk.ACTIONS else job.action,
            "total": len(job.rows),
            "counts": bulk.tally(job),
            "running": running,
        },
    )
