"""The ways to log in, in the order Django tries them (settings.AUTHENTICATION_BACKENDS):
a local password; the directory's password; an OpenID Connect code; a CAS ticket. Each that
is not configured steps aside. Each refuses an account that is turned off, also for a session
already open."""

from typing import Any

import ldap
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend
from django_auth_ldap.config import LDAPSearch
from django_cas_ng.backends import CASBackend
from django_cas_ng.utils import get_cas_client

from taizhang.audit.context import request_ip
from taizhang.audit.lockout import LockingModelBackend, address_locked, is_locked
from taizhang.identity import directory, matching
from taizhang.identity.config import cas_on, ldap_on
from taizhang.identity.models import Platform

# The platforms whose login vouches for a second factor when SSO_TRUSTS_PLATFORM_MFA is on.
SINGLE_SIGN_ON = ("taizhang.identity.oidc.PlatformOIDCBackend",
                  "taizhang.identity.backends.PlatformCASBackend")  # fmt: skip


def _active(user_id: Any) -> Any:
    return ModelBackend().get_user(user_id)


class LocalPasswordBackend(LockingModelBackend):
    """taizhang's own passwords; with `SSO_ONLY`, not for an account a platform knows (its
    person logs in there, and a password set here once is no back door)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:  # fmt: skip
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and settings.SSO_ONLY and user.external_accounts.exists():
            return None
        return user


class DirectoryBackend(LDAPBackend):
    """The password checked by the directory (django-auth-ldap), under the same lock-out as
    local passwords; the person is linked and placed in their unit as the sync would."""

    @property
    def default_settings(self) -> dict[str, Any]:  # type: ignore[override]
        """The search for a login's name, from the same settings as the sync."""
        people, name_attr = settings.LDAP_PEOPLE_FILTER, settings.LDAP_USERNAME_ATTRIBUTE
        return {
            "USER_SEARCH": LDAPSearch(
                settings.LDAP_USER_BASE, ldap.SCOPE_SUBTREE, f"(&{people}({name_attr}=%(user)s))"
            ),
            "CONNECTION_OPTIONS": {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 10},
            "USER_ATTR_MAP": {"first_name": settings.LDAP_NAME_ATTRIBUTE,
                              "email": settings.LDAP_EMAIL_ATTRIBUTE},
        }  # fmt: skip

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:  # fmt: skip
        if not ldap_on() or not username or not password:
            return None
        if is_locked(username) or address_locked(request_ip(request) or ""):
            raise PermissionDenied("locked")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or not user.is_active:
            return None
        directory.take_login(user, user.ldap_user.dn, user.ldap_user.attrs)
        user.refresh_from_db()
        return user if user.is_active else None

    def get_user(self, user_id: Any) -> Any:
        return _active(user_id)


def _attribute(attributes: dict[str, Any], name: str) -> str:
    value = attributes.get(name, "") if name else ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


class PlatformCASBackend(CASBackend):
    """A CAS service ticket validated with the CAS server (django-cas-ng's client), the
    account found by identity.matching."""

    def authenticate(  # type: ignore[override]  # Django matches credentials by signature
        self, request: HttpRequest, ticket: str, service: str
    ) -> Any:
        if not cas_on():
            return None
        client = get_cas_client(service_url=service, request=request)
        subject, attributes, _pgt = client.verify_ticket(ticket)
        if not subject:
            matching.refused(Platform.CAS, "", _("CAS 票据无效或已过期"), request)
            return None
        attributes = attributes or {}
        name = _attribute(attributes, settings.CAS_ACCOUNT_ATTRIBUTE) or subject
        try:
            return matching.account_for(
                Platform.CAS, subject, username=name,
                id_sent=_attribute(attributes, settings.CAS_ID_NUMBER_ATTRIBUTE), request=request,
            )  # fmt: skip
        except matching.NotAllowed as refused:
            request.session[matching.REFUSAL] = str(refused)
            return None

    def get_user(self, user_id: Any) -> Any:
        return _active(user_id)
