"""`taizhang check` says when the identity settings cannot work, before anyone tries to log in."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from taizhang.orgs.models import Role


def configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []

    def error(text: str, code: int) -> None:
        found.append(Error(text, id=f"taizhang.E{code}"))

    if settings.SSO_MATCH not in ("username", "id_number"):
        error("TAIZHANG_SSO_MATCH 应为 username 或 id_number", 101)
    if settings.SSO_ID_FORM not in ("plain", "sha256", "sm3"):
        error("TAIZHANG_SSO_ID_FORM 应为 plain、sha256 或 sm3", 102)
    if settings.OIDC_ISSUER and not (settings.OIDC_RP_CLIENT_ID and settings.OIDC_RP_CLIENT_SECRET):
        error("设置了 TAIZHANG_OIDC_ISSUER,但缺少 TAIZHANG_OIDC_CLIENT_ID 或 _CLIENT_SECRET", 103)
    if settings.AUTH_LDAP_SERVER_URI and not settings.LDAP_USER_BASE:
        error("设置了 TAIZHANG_LDAP_URL,但缺少 TAIZHANG_LDAP_USER_BASE", 104)
    roles = [*settings.LDAP_ROLES.values(), settings.LDAP_DEFAULT_ROLE or Role.HANDLER]
    unknown = sorted({r for r in roles if r not in Role.values})
    if unknown:
        error(f"TAIZHANG_LDAP_ROLES / _DEFAULT_ROLE 中的角色不存在:{'、'.join(unknown)}"
              f"(可用:{'、'.join(Role.values)})", 105)  # fmt: skip
    if (
        settings.SSO_MATCH == "id_number"
        and settings.OIDC_ISSUER
        and not settings.OIDC_ID_NUMBER_CLAIM
    ):
        found.append(Warning("按身份证号匹配,但未设置 TAIZHANG_OIDC_ID_NUMBER_CLAIM",
                             id="taizhang.W106"))  # fmt: skip
    return found
