"""The user's own API tokens (我的接口令牌): list, make (the key shown once) and revoke."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from taizhang.api import tokens
from taizhang.api.models import ApiToken, TokenScope
from taizhang.core.typing import AuthedRequest


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途(哪个系统使用)"), max_length=100)
    scope = forms.ChoiceField(label=_("权限范围"), choices=TokenScope.choices,
                              initial=TokenScope.READ)  # fmt: skip
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=tokens.MAX_DAYS,
                              initial=365)  # fmt: skip


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            token, key = tokens.issue(request.user, name=d["name"], scope=d["scope"],
                                      days=d["days"])  # fmt: skip
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            made, form = (token, key), TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "made": made,
         "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at")},
        status=400 if form.errors else 200,
    )  # fmt: skip


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    tokens.revoke(get_object_or_404(ApiToken, pk=pk, user=request.user), by=request.user)
    return redirect("token_list")
