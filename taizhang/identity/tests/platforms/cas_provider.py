"""A CAS server (django-cas-server) for the tests, under /cas/: CAS 1, 2 and 3 with the
users' attributes released (each person's 身份证号 in `last_name`)."""

from taizhang.identity.tests.platforms.settings_common import *  # noqa: F403

INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "django.contrib.staticfiles", "cas_server",
]  # fmt: skip
ROOT_URLCONF = "taizhang.identity.tests.platforms.cas_urls"
CAS_AUTH_CLASS = "cas_server.auth.DjangoAuthUser"
CAS_SHOW_POWERED = False
CAS_NEW_VERSION_HTML_WARNING = False
