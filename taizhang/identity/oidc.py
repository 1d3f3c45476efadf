"""OpenID Connect login (mozilla-django-oidc's code flow with PKCE), its provider's endpoints
read from the issuer's discovery document unless the settings name them, and the user found
by identity.matching rather than by e-mail."""

import threading
import time
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from taizhang.identity import matching
from taizhang.identity.config import oidc_on
from taizhang.identity.models import Platform

DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
DISCOVERY_SECONDS = 3600
_documents: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def discovery(issuer: str) -> dict[str, Any]:
    """The issuer's /.well-known/openid-configuration, held for an hour."""
    with _lock:
        held = _documents.get(issuer)
        if held and held[0] > time.monotonic():
            return held[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    answer = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
    answer.raise_for_status()
    document = answer.json()
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise SuspiciousOperation(f"OpenID Connect issuer mismatch: {document.get('issuer')!r}")
    with _lock:
        _documents[issuer] = (time.monotonic() + DISCOVERY_SECONDS, document)
    return document


def provider_setting(attr: str, *default: Any) -> Any:
    """A setting as mozilla-django-oidc asks for it; an endpoint the settings leave empty
    comes from the discovery document."""
    if attr in DISCOVERED and not getattr(settings, attr, ""):
        return discovery(settings.OIDC_ISSUER).get(DISCOVERED[attr], *default)
    return import_from_settings(attr, *default)


class PlatformOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Every login (a password one too) builds each backend: an installation without
        # OpenID Connect must not reach for a provider.
        self.enabled = oidc_on()
        if self.enabled:
            super().__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return provider_setting(attr, *args)

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if not self.enabled:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        """The library checks the signature, expiry and nonce; the issuer and the audience
        are checked here (an ID token made for another client is not ours)."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss", "").rstrip("/") != settings.OIDC_ISSUER.rstrip("/"):
            raise SuspiciousOperation("ID token from another issuer")
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token: str, id_token: str, payload: Any) -> Any:
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        if not self.verify_claims(claims):
            raise SuspiciousOperation("no subject in the claims")
        try:
            return matching.account_for(
                Platform.OIDC, str(claims["sub"]),
                username=str(claims.get(settings.OIDC_USERNAME_CLAIM, "")),
                id_sent=str(claims.get(settings.OIDC_ID_NUMBER_CLAIM, "") or ""),
                request=self.request,
            )  # fmt: skip
        except matching.NotAllowed as refused:
            self.request.session[matching.REFUSAL] = str(refused)
            return None

    def get_user(self, user_id: Any) -> Any:
        return ModelBackend().get_user(user_id)
