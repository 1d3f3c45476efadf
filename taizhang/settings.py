"""Settings come from the environment; without any, taizhang runs on SQLite under ./var/."""

import base64
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("TAIZHANG_VAR_DIR", Path.cwd() / "var")).resolve()
# The database, the secret key, evidence and uploads are for this server's user alone: every
# file it creates is 0600 and every folder 0700, and the data folder itself is closed to others.
os.umask(0o077)
if VAR_DIR.exists():
    VAR_DIR.chmod(0o700)

DEBUG = os.environ.get("TAIZHANG_DEBUG", "") == "1"


def _kept_key(variable: str, name: str, make: Callable[[], str]) -> str:
    """A key from the environment, or a file of this installation's own made once beside the
    data (0600), so it survives restarts."""
    given = os.environ.get(variable, "")
    if given:
        return given
    path = VAR_DIR / name
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = make()
    path.write_text(key)
    path.chmod(0o600)
    return key


# Sessions and the keyed hashes of phone numbers depend on it.
SECRET_KEY = _kept_key("TAIZHANG_SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50))
# The key that encrypts citizens' names and phone numbers at rest (core.crypto), kept outside
# the database: from the environment (a secrets store), or the file.
DATA_KEY = _kept_key(
    "TAIZHANG_DATA_KEY", "data_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
)
# "aes-256-gcm", or "sm4-gcm" (GB/T 32907) where a 密评 asks for 国密; values keep the cipher
# they were written with, so changing it applies to what is written from then on.
DATA_CIPHER = os.environ.get("TAIZHANG_DATA_CIPHER", "aes-256-gcm")
ALLOWED_HOSTS = os.environ.get("TAIZHANG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("TAIZHANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

# The reverse proxies (addresses or networks) whose X-Forwarded-For is believed: behind nginx,
# the address a request comes from is the proxy's, and the citizen's is in that header.
TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("TAIZHANG_TRUSTED_PROXIES", "").split(",") if p.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "taizhang.core",
    "taizhang.audit",
    "taizhang.workdays",
    "taizhang.orgs",
    "taizhang.identity",
    "django_cas_ng",
    "taizhang.campaigns",
    "taizhang.search",
    "taizhang.ledger",
    "taizhang.catalogue",
    "taizhang.intake",
    "taizhang.triage",
    "taizhang.notifications",
    "taizhang.supervision",
    "taizhang.evaluation",
    "taizhang.meetings",
    "taizhang.projects",
    "taizhang.open311",
    "taizhang.sheets",
    "taizhang.reports",
    "taizhang.backup",
    "taizhang.todo",
    "taizhang.api",
    "taizhang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "taizhang.core.security_headers.ContentSecurityPolicyMiddleware",
    "taizhang.core.errors.DatabaseTroubleMiddleware",
    "taizhang.core.uploads.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "taizhang.core.replicas.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "taizhang.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "taizhang.audit.middleware.AuditMiddleware",
    "taizhang.audit.middleware.SessionLimitsMiddleware",
    "taizhang.campaigns.second_factor.SecondFactorMiddleware",
    "taizhang.audit.middleware.PasswordPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "taizhang.urls"
CSRF_FAILURE_VIEW = "taizhang.core.errors.csrf_failure"
WSGI_APPLICATION = "taizhang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Every page shows a receipt code the same way (XXXX-XXXX-XXX).
            "builtins": ["taizhang.core.templatetags.codes"],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'taizhang.sqlite3'}"
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; "
                # Each request opens its connection (CONN_MAX_AGE 0) and so starts with an
                # empty page cache: reading through a mapping of the file costs no copy.
                "PRAGMA mmap_size=1073741824;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    else:
        config["TEST"] = {"NAME": os.environ.get("TAIZHANG_TEST_DB", "test_taizhang")}
        # Room to group a city's open problems in memory (the live overdue count) rather than
        # sort them on disk; PostgreSQL's default is 4 MB per sort.
        config.setdefault("OPTIONS", {})["options"] = "-c work_mem=64MB"
    return config


DATABASES = {"default": _database()}

# PostgreSQL streaming replicas for reads (core.replicas): DATABASE_REPLICA_URLS=postgres://…,…
# A replica lagging more than TAIZHANG_REPLICA_MAX_LAG seconds is left out; a browser that wrote
# reads from the primary for TAIZHANG_REPLICA_PIN_SECONDS afterwards.
REPLICA_URLS = [
    u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()
]
REPLICA_MAX_LAG = float(os.environ.get("TAIZHANG_REPLICA_MAX_LAG", "5"))
REPLICA_PIN_SECONDS = int(os.environ.get("TAIZHANG_REPLICA_PIN_SECONDS", "10"))
for _number, _url in enumerate(REPLICA_URLS):
    _replica: dict[str, Any] = dict(dj_database_url.parse(_url.strip(), conn_max_age=60))
    _replica["TEST"] = {"MIRROR": "default"}
    _replica["OPTIONS"] = {"options": "-c default_transaction_read_only=on", "connect_timeout": 2}
    DATABASES[f"replica{_number}"] = _replica
if REPLICA_URLS:
    DATABASE_ROUTERS = ["taizhang.core.replicas.ReplicaRouter"]

# The cache every process and server shares when TAIZHANG_REDIS_URL is set (redis://host:6379/0):
# page fragments, the to-do counts, the charts' history and the generations of the configuration
# held per process (core.fresh). Without it each process keeps its own, as on one server.
REDIS_URL = os.environ.get("TAIZHANG_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "taizhang.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "taizhang",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# 口令复杂度 (GB/T 22239-2019 8.1.4.1 a): at least 8 characters of three of four kinds, not like
# the user's name, not a common or all-digit password, not one of the user's last five; applied
# wherever a password is set (the change page, the admin, the users import).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "taizhang.audit.passwords.LengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "taizhang.audit.passwords.CharacterKindsValidator"},
    {"NAME": "taizhang.audit.passwords.HistoryValidator"},
]
# A password older than this many days must be changed at the next login (0: never expires).
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("TAIZHANG_PASSWORD_MAX_AGE_DAYS", 90))
# Sessions end after this idle time, and in any case this long after logging in.
SESSION_IDLE_MINUTES = int(os.environ.get("TAIZHANG_SESSION_IDLE_MINUTES", 30))
SESSION_COOKIE_AGE = int(os.environ.get("TAIZHANG_SESSION_HOURS", 12)) * 3600
SESSION_COOKIE_HTTPONLY = True
# Behind HTTPS (TAIZHANG_HTTPS=1): redirect plain HTTP, HSTS, cookies only over TLS; with
# TAIZHANG_PROXY_SSL_HEADER=1 the proxy's X-Forwarded-Proto: https is believed.
if os.environ.get("TAIZHANG_HTTPS") == "1":
    SECURE_SSL_REDIRECT = os.environ.get("TAIZHANG_SSL_REDIRECT", "1") == "1"
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("TAIZHANG_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("TAIZHANG_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("TAIZHANG_HSTS_PRELOAD", "1") == "1"
if os.environ.get("TAIZHANG_PROXY_SSL_HEADER") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TAIZHANG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Evidence files live outside any web root and are served only through a scoped view.
EVIDENCE_ROOT = Path(os.environ.get("TAIZHANG_EVIDENCE_ROOT", VAR_DIR / "evidence"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# The largest request body taken at all (an import of 100 MB with its form): larger ones are
# refused from their declared length, before anything is read or written to disk.
MAX_REQUEST_BYTES = int(os.environ.get("TAIZHANG_MAX_UPLOAD_MB", 110)) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "taizhang.core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Upload leftovers (kept for header mapping or a retry, error workbooks) older than this are
# deleted by the nightly run.
UPLOAD_RETENTION_HOURS = int(os.environ.get("TAIZHANG_UPLOAD_RETENTION_HOURS", 72))
# The digest of the history chain (ledger.chain): "sha256", or "sm3" where a 密评 asks for 国密.
# A campaign's chain keeps the algorithm it was started with.
TAIZHANG_HISTORY_HASH = os.environ.get("TAIZHANG_HISTORY_HASH", "sha256")
# 登录失败处理: wrong passwords for one user name within LOCKOUT_MINUTES before it is locked
# (until the failures fall out of that time); audit.lockout.
LOGIN_FAILURES_BEFORE_LOCK = int(os.environ.get("TAIZHANG_LOGIN_FAILURES", 5))
LOCKOUT_MINUTES = int(os.environ.get("TAIZHANG_LOCKOUT_MINUTES", 30))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("TAIZHANG_LOGIN_FAILURES_PER_ADDRESS", 20))
AUTHENTICATION_BACKENDS = [
    "taizhang.identity.backends.LocalPasswordBackend",
    "taizhang.identity.backends.DirectoryBackend",
    "taizhang.identity.oidc.PlatformOIDCBackend",
    "taizhang.identity.backends.PlatformCASBackend",
]


def _env_json(variable: str, default: Any) -> Any:
    given = os.environ.get(variable, "")
    return json.loads(given) if given else default


# Single sign-on with the city's identity platform (统一身份认证) and its directory: each
# platform is on when its address is set (taizhang.identity; docs/operations.md).
SSO_NAME = os.environ.get("TAIZHANG_SSO_NAME", "统一身份认证")
# How a platform's user is matched to an account the first time: "username", or "id_number"
# (the keyed digest of the 身份证号 the platform sends, in the form SSO_ID_FORM says: "plain",
# "sha256" or "sm3"). Later logins follow the link made then.
SSO_MATCH = os.environ.get("TAIZHANG_SSO_MATCH", "username")
SSO_ID_FORM = os.environ.get("TAIZHANG_SSO_ID_FORM", "plain")
# Accounts a platform knows may not log in with a local password.
SSO_ONLY = os.environ.get("TAIZHANG_SSO_ONLY", "") == "1"
# The platform's own login counts as the second factor (it does multi-factor itself).
SSO_TRUSTS_PLATFORM_MFA = os.environ.get("TAIZHANG_SSO_TRUST_MFA", "") == "1"

OIDC_ISSUER = os.environ.get("TAIZHANG_OIDC_ISSUER", "")
OIDC_RP_CLIENT_ID = os.environ.get("TAIZHANG_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("TAIZHANG_OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("TAIZHANG_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("TAIZHANG_OIDC_SCOPES", "openid profile")
OIDC_USERNAME_CLAIM = os.environ.get("TAIZHANG_OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_ID_NUMBER_CLAIM = os.environ.get("TAIZHANG_OIDC_ID_NUMBER_CLAIM", "")
# Endpoints come from the issuer's discovery document unless named here.
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("TAIZHANG_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("TAIZHANG_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("TAIZHANG_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("TAIZHANG_OIDC_JWKS_ENDPOINT", "")
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_VERIFY_SSL = os.environ.get("TAIZHANG_OIDC_VERIFY_TLS", "1") == "1"

CAS_SERVER_URL = os.environ.get("TAIZHANG_CAS_SERVER_URL", "")
CAS_VERSION = os.environ.get("TAIZHANG_CAS_VERSION", "3")
# The attribute naming the account ("" for the CAS user itself) and the one with the ID number.
CAS_ACCOUNT_ATTRIBUTE = os.environ.get("TAIZHANG_CAS_USERNAME_ATTRIBUTE", "")
CAS_ID_NUMBER_ATTRIBUTE = os.environ.get("TAIZHANG_CAS_ID_NUMBER_ATTRIBUTE", "")
CAS_CREATE_USER = False
CAS_REDIRECT_URL = "/"
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None

# The directory (LDAP / Active Directory): its password at the login form, and the sync.
AUTH_LDAP_SERVER_URI = os.environ.get("TAIZHANG_LDAP_URL", "")
AUTH_LDAP_BIND_DN = os.environ.get("TAIZHANG_LDAP_BIND_DN", "")
AUTH_LDAP_BIND_PASSWORD = os.environ.get("TAIZHANG_LDAP_BIND_PASSWORD", "")
AUTH_LDAP_START_TLS = os.environ.get("TAIZHANG_LDAP_START_TLS", "") == "1"
LDAP_USER_BASE = os.environ.get("TAIZHANG_LDAP_USER_BASE", "")
# Who the sync reads, and how a login's name is looked up (sAMAccountName on AD).
LDAP_PEOPLE_FILTER = os.environ.get("TAIZHANG_LDAP_PEOPLE_FILTER", "(objectClass=inetOrgPerson)")
LDAP_USERNAME_ATTRIBUTE = os.environ.get("TAIZHANG_LDAP_USERNAME_ATTRIBUTE", "uid")
LDAP_NAME_ATTRIBUTE = os.environ.get("TAIZHANG_LDAP_NAME_ATTRIBUTE", "cn")
LDAP_EMAIL_ATTRIBUTE = os.environ.get("TAIZHANG_LDAP_EMAIL_ATTRIBUTE", "mail")
# The unit: an attribute holding its code or name, or "dn:ou" for the entry's nearest OU.
LDAP_UNIT_ATTRIBUTE = os.environ.get("TAIZHANG_LDAP_UNIT_ATTRIBUTE", "departmentNumber")
LDAP_ROOT_UNIT = os.environ.get("TAIZHANG_LDAP_ROOT_UNIT", "")
LDAP_ROLE_ATTRIBUTE = os.environ.get("TAIZHANG_LDAP_ROLE_ATTRIBUTE", "employeeType")
LDAP_ROLES = _env_json("TAIZHANG_LDAP_ROLES", {
    "活动办公室": "office", "单位管理员": "admin", "经办人": "handler", "领导": "leader",
    "督导组成员": "inspector", "坐席": "operator",
})  # fmt: skip
LDAP_DEFAULT_ROLE = os.environ.get("TAIZHANG_LDAP_DEFAULT_ROLE", "handler")
LDAP_ID_NUMBER_ATTRIBUTE = os.environ.get("TAIZHANG_LDAP_ID_NUMBER_ATTRIBUTE", "")
LDAP_SYNC_NIGHTLY = os.environ.get("TAIZHANG_LDAP_SYNC_NIGHTLY", "1") == "1"
# A sync that would deactivate more than this share of the directory's accounts stops.
LDAP_MAX_LEAVERS_PERCENT = int(os.environ.get("TAIZHANG_LDAP_MAX_LEAVERS_PERCENT", 20))

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "taizhang.api.authentication.HeldTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "taizhang.api.authentication.TokenScopeAllows",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "taizhang API",
    "DESCRIPTION": _("台账 REST API"),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Offline: the docs UI is served from the sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set that several fields share (from_status / to_status / status …).
    "ENUM_NAME_OVERRIDES": {
        "ProblemStatusEnum": "taizhang.ledger.models.Status",
        "ProblemKindEnum": "taizhang.ledger.models.Kind",
        "RunKindEnum": "taizhang.triage.models.RunKind",
        "ProjectKindEnum": "taizhang.projects.models.ProjectKind",
        "ProjectPoolEnum": "taizhang.projects.models.Pool",
        "ProjectStageEnum": "taizhang.projects.models.Stage",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TAIZHANG_LOG_LEVEL", "WARNING")},
}

# Background work (clustering, training, large imports) runs through django-tasks, the backport
# of Django 6's tasks, queued in the database: `taizhang serve` starts a worker beside the web
# server, and `taizhang worker` runs one alone. Tests run tasks at once, in the caller.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if "pytest" in sys.modules
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Notices reach staff in the in-app inbox, by e-mail when a mail server is configured (else
# mails are written to the server's console), and by SMS through a pluggable backend.
if os.environ.get("TAIZHANG_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["TAIZHANG_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("TAIZHANG_EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("TAIZHANG_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("TAIZHANG_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("TAIZHANG_EMAIL_TLS", "") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("TAIZHANG_EMAIL_FROM", "taizhang@localhost")
SMS_BACKEND = os.environ.get("TAIZHANG_SMS_BACKEND", "taizhang.notifications.sms.ConsoleBackend")
SITE_URL = os.environ.get("TAIZHANG_SITE_URL", "")

# Workbooks are read in a child process with this much address space, and for this long at most.
SHEET_READER_MEMORY_MB = int(os.environ.get("TAIZHANG_SHEET_READER_MEMORY_MB", 4096))
SHEET_READER_TIMEOUT = int(os.environ.get("TAIZHANG_SHEET_READER_TIMEOUT", 600))

# Uploads from this size on are imported in the background, with a progress bar.
IMPORT_BACKGROUND_BYTES = int(os.environ.get("TAIZHANG_IMPORT_BACKGROUND_BYTES", 1024 * 1024))

# New suggestions are indexed for duplicates and given a proposed area "inline" (in the request)
# or "deferred" to the background worker, in batches (what `taizhang serve` does when it starts
# one: cheaper per suggestion under a burst).
TRIAGE_ON_ARRIVAL = os.environ.get("TAIZHANG_TRIAGE_ON_ARRIVAL", "inline")
# A change's full-text entry is written "inline" (right after its commit) or "deferred" to the
# worker's clock, every 2 s (what `taizhang serve` does when it starts a worker); a search
# writes what is still marked first, either way.
SEARCH_ON_WRITE = os.environ.get("TAIZHANG_SEARCH_ON_WRITE", "inline")
