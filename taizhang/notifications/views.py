from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.core.typing import AuthedRequest
from taizhang.notifications import services
from taizhang.notifications.forms import ContactForm
from taizhang.notifications.models import Contact, Message


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


@login_required
def settings_page(request: AuthedRequest) -> HttpResponse:
    """通知方式: the user's own choice of mail and texts (the inbox is always on)."""
    contact = Contact.objects.filter(user=request.user).first() or Contact(user=request.user)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知方式已保存。"))
        return redirect("inbox_settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "email": request.user.email},
        status=400 if form.errors else 200,
    )
