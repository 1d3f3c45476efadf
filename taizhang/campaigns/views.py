from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.audit import totp
from taizhang.audit.lockout import address_locked, is_locked
from taizhang.campaigns import second_factor
from taizhang.campaigns.access import campaign_for
from taizhang.campaigns.models import Campaign
from taizhang.core.clientip import client_ip
from taizhang.identity.config import login_buttons
from taizhang.orgs.finding import search_units
from taizhang.orgs.models import Org


class CampaignLogin(LoginView):
    """The login page names the product and the campaigns running now (their names are on
    the public pages too), so that a user knows where they are signing in."""

    template_name = "core/login.html"

    def form_invalid(self, form: Any) -> Any:
        """A locked account is told so (not "wrong password", which it may not be)."""
        locked = ""
        if is_locked(self.request.POST.get("username", "")) or address_locked(
            client_ip(self.request)
        ):
            locked = _("该账号因连续登录失败已被锁定,请 %(m)d 分钟后再试,或请管理员核实。") % {
                "m": settings.LOCKOUT_MINUTES
            }
        return self.render_to_response(self.get_context_data(form=form, locked=locked))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        running = Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today)
        return {
            **super().get_context_data(**kwargs),
            "campaigns": running.select_related("org").order_by("org__path", "name")[:5],
            "platforms": login_buttons(),
        }


@login_required
def units(request: HttpRequest, slug: str) -> JsonResponse:
    """The campaign's units for the unit picker: `?q=` those a typed text may mean (names,
    aliases, short names, codes), `?parent=CODE` the units directly below one (the campaign's
    own unit without it), for browsing the tree. Names and codes of units are not secret."""
    campaign = campaign_for(request.user, slug)
    typed = request.GET.get("q", "").strip()[:60]
    if typed:
        found = search_units(typed, campaign.org)
    else:
        parent = campaign.org
        code = request.GET.get("parent", "").strip()[:40]
        if code:
            parent = Org.objects.filter(code=code, path__under=campaign.org.path).first() or parent
        found = list(Org.objects.filter(parent=parent).order_by("code")[:500])
    below = set(
        Org.objects.filter(parent__in=[o.pk for o in found])
        .values_list("parent_id", flat=True)
        .distinct()
    )
    return JsonResponse(
        {
            "units": [
                {"code": o.code, "name": o.name, "kind": o.get_kind_display(),
                 "has_children": o.pk in below}
                for o in found
            ]
        }
    )  # fmt: skip


@login_required
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """Give the code from the authenticator app (or a recovery code); the first time, add the
    account to the app and confirm it with its first code."""
    factor = second_factor.enrolment(request.user)
    wanted = request.GET.get("next", "")
    after = wanted if wanted.startswith("/") and not wanted.startswith("//") else "/"
    error, codes = "", None
    if request.method == "POST":
        typed = request.POST.get("code", "")
        if factor.confirmed_at is None:
            codes = second_factor.confirm(factor, typed)
            if codes is None:
                error = _("动态口令不对:请输入认证器应用当前显示的 6 位数字。")
        elif second_factor.verify(factor, typed, request):
            request.session[second_factor.STATE] = "ok"
            return redirect(after)
        else:
            error = _("动态口令或恢复码不对。")
        if codes is not None:
            request.session[second_factor.STATE] = "ok"
    return render(
        request,
        "core/second_factor.html",
        {"factor": factor, "error": error, "codes": codes, "next": after,
         "secret": totp.grouped(factor.secret),
         "uri": totp.uri(factor.secret, request.user.get_username())},
        status=400 if error else 200,
    )  # fmt: skip
