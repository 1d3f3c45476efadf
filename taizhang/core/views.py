from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from taizhang.audit.access import is_auditor
from taizhang.campaigns.access import visible_campaigns


@login_required
def home(request: HttpRequest) -> HttpResponse:
    campaign = visible_campaigns(request.user).first()
    if campaign is not None:
        return redirect("todo", slug=campaign.slug)  # each user starts on 我的待办
    if is_auditor(request.user):
        return redirect("audit_log")  # the security auditor's work has no campaign
    return render(request, "core/no_campaign.html", status=200)


LARGE_TYPE_COOKIE = "large_type"


@require_POST
def large_type(request: HttpRequest) -> HttpResponse:
    """大字模式 (适老化): larger type and controls on every page, kept in a cookie so that it
    needs no script and holds on the public pages too."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = redirect(target)
    if request.COOKIES.get(LARGE_TYPE_COOKIE) == "1":
        response.delete_cookie(LARGE_TYPE_COOKIE)
    else:
        response.set_cookie(
            LARGE_TYPE_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response
