from typing import Any

import requests
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_cas_ng.views import LoginView as CASLoginView
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from taizhang.identity import matching
from taizhang.identity.config import cas_on, oidc_on
from taizhang.identity.oidc import provider_setting


class OIDCStart(OIDCAuthenticationRequestView):
    """To the provider's login, with state, nonce and PKCE."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not oidc_on():
            raise Http404
        self.unreachable = False
        try:
            super().__init__(*args, **kwargs)
        except requests.RequestException:
            self.unreachable = True

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return provider_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        if self.unreachable:
            return unreachable(request)
        return super().get(request)


class OIDCReturn(OIDCAuthenticationCallbackView):
    """Back from the provider: the code exchanged, the ID token checked, the account found."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return provider_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_on():
            raise Http404
        try:
            return super().get(request)
        except requests.HTTPError:  # the provider answered, refusing the code (used, expired)
            return redirect("sso_refused")
        except requests.RequestException:
            return unreachable(request)

    @property
    def failure_url(self) -> str:
        return reverse("sso_refused")


class CASLogin(CASLoginView):
    """To the CAS server's login, and back with its ticket."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not cas_on():
            raise Http404
        try:
            return super().get(request)
        except PermissionDenied:
            return redirect("sso_refused")
        except OSError:  # the server did not answer the ticket's validation
            return unreachable(request)


def unreachable(request: HttpRequest) -> HttpResponse:
    reason = _("暂时无法连接身份认证平台,请稍后再试,或使用账号密码登录。")
    return render(request, "identity/refused.html", {"reason": reason}, status=503)


def refused(request: HttpRequest) -> HttpResponse:
    """Where a platform's login that taizhang refused lands: why, and the way back."""
    reason = request.session.pop(matching.REFUSAL, "")
    return render(request, "identity/refused.html", {"reason": reason}, status=403)
