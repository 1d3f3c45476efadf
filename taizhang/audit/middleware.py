import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from taizhang.audit.context import acting_as
from taizhang.audit.passwords import must_change

STARTED, SEEN, CHECKED = "_session_started", "_session_seen", "_password_checked"
# Pages a user who must change their password may still open.
# (Not the API: a browser session owing a change must not use it with its cookie meanwhile; a
# machine client's token is not a session.)
OPEN_PREFIXES = ("/account/password/", "/account/second-factor/", "/logout/", "/login/",
                 "/static/", "/i18n/")  # fmt: skip


def start_session(session: Any, user: Any) -> None:
    """At login: when the session began and was last used, and whether the password may stay
    (the middleware below then reads nothing on the pages that follow)."""
    now = time.time()
    session[STARTED] = session[SEEN] = now
    if not must_change(user):
        session[CHECKED] = now


class AuditMiddleware:
    """Entries written while a request is served name its user and address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(request):
            return self.get_response(request)


class SessionLimitsMiddleware:
    """会话超时: a session ends after SESSION_IDLE_MINUTES without a request, and in any case
    SESSION_COOKIE_AGE after logging in; then the next page asks to log in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            started = request.session.get(STARTED, now)
            seen = request.session.get(SEEN, now)
            idle = int(settings.SESSION_IDLE_MINUTES) * 60
            if now - seen > idle or now - started > settings.SESSION_COOKIE_AGE:
                request.audit_logout_reason = "会话超时"  # type: ignore[attr-defined]
                logout(request)
                return redirect(f"{reverse('login')}?next={request.path}")
            if now - seen > 60 or SEEN not in request.session:  # a write a minute at most
                request.session[SEEN] = now
                request.session.setdefault(STARTED, now)
        return self.get_response(request)


class PasswordPolicyMiddleware:
    """An expired password, or an initial one someone else set, is changed before anything
    else is opened."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and not request.path.startswith(OPEN_PREFIXES)
            and time.time() - request.session.get(CHECKED, 0) > 600
        ):
            if must_change(user):
                return redirect(f"{reverse('password_change')}?next={request.path}")
            # Read again in ten minutes (a password set by someone else logs the user out).
            request.session[CHECKED] = time.time()
        return self.get_response(request)
