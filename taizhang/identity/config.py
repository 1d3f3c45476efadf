"""Which identity platforms this installation uses: each is on when its address is set
(settings.py reads them from the environment; docs/operations.md, "Single sign-on")."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse


def oidc_on() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def cas_on() -> bool:
    return bool(settings.CAS_SERVER_URL)


def ldap_on() -> bool:
    return bool(settings.AUTH_LDAP_SERVER_URI and settings.LDAP_USER_BASE)


@dataclass(frozen=True)
class LoginButton:
    platform: str
    label: str
    url: str


def login_buttons() -> list[LoginButton]:
    """The platforms the login page offers beside the password form (the directory's login
    is that form: its password is checked against the directory)."""
    name = settings.SSO_NAME
    buttons = []
    if oidc_on():
        buttons.append(LoginButton("oidc", name, reverse("oidc_authentication_init")))
    if cas_on():
        label = name if not buttons else f"{name} (CAS)"
        buttons.append(LoginButton("cas", label, reverse("cas_login")))
    return buttons
