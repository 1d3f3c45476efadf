"""The test provider's pages, and the claims it sends."""

from django.contrib.auth.views import LoginView
from django.urls import include, path
from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below, whatever the scopes

    def get_additional_claims(self, request):  # type: ignore[no-untyped-def]
        return {
            "preferred_username": request.user.username,
            "name": request.user.first_name,
            "id_card": request.user.last_name,
        }


urlpatterns = [
    path("accounts/login/", LoginView.as_view()),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
