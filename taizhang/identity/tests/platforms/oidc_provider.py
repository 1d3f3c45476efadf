"""An OpenID Connect provider (django-oauth-toolkit) for the tests: authorization code with
PKCE, RS256 ID tokens, discovery, JWKS and userinfo under /o/. Each person's 身份证号 is kept
in their `last_name` and sent as the `id_card` claim."""

import os

from taizhang.identity.tests.platforms.settings_common import *  # noqa: F403

INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "django.contrib.staticfiles", "oauth2_provider",
]  # fmt: skip
ROOT_URLCONF = "taizhang.identity.tests.platforms.oidc_urls"
LOGIN_URL = "/accounts/login/"


OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ.get("PLATFORM_RSA_KEY", ""),
    "OIDC_ISS_ENDPOINT": os.environ.get("PLATFORM_ISSUER", ""),
    "PKCE_REQUIRED": True,
    "SCOPES": {"openid": "OpenID Connect", "profile": "Profile"},
    "OAUTH2_VALIDATOR_CLASS": "taizhang.identity.tests.platforms.oidc_urls.Validator",
}
