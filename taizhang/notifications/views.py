from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from taizhang.core.typing import AuthedRequest
from taizhang.notifications import services
from taizhang.notifications.models import Message


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    page = Paginator(Message.objects.filter(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def open_message(request: AuthedRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk, user=request.user)
    services.mark_read(request.user, [message.pk])
    target = message.link
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("inbox")


@login_required
@require_POST
def read_all(request: AuthedRequest) -> HttpResponse:
    services.mark_read(request.user)
    return redirect("inbox")
