"""Errors a person can act on: styled pages in the reader's language (JSON for the API and
Open311), and a database that is busy or out of disk space answered with 503 and Retry-After
instead of a bare 500."""

import logging
import shutil
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)
MACHINE_PREFIXES = ("/api/", "/open311/")
RETRY_AFTER_SECONDS = 30
LOW_DISK_BYTES = 20 * 2**20


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(MACHINE_PREFIXES) or "application/json" in request.headers.get(
        "Accept", ""
    )


def error_response(
    request: HttpRequest, status: int, title: str, advice: str, code: str
) -> HttpResponse:
    """The one shape every error takes. The page extends no template that reads the database:
    it must render while the database is down."""
    if wants_json(request):
        return JsonResponse({"detail": f"{title} {advice}".strip(), "code": code}, status=status)
    html = render_to_string(
        "core/error.html", {"status": status, "title": title, "advice": advice}, request=request
    )
    return HttpResponse(html, status=status)


def _database_trouble(exc: DatabaseError) -> tuple[str, str, str]:
    text = str(exc).lower()
    if "full" in text or "disk i/o" in text or "no space" in text:
        return (
            _("服务器磁盘已满或无法写入。"),
            _("您这次的操作没有保存,已保存的数据不受影响。请联系系统管理员清理磁盘后重试。"),
            "disk_full",
        )
    return (
        _("系统正忙,暂时无法保存。"),
        _("您这次的操作没有保存。请 %(s)d 秒后重试;如果一直如此,请联系系统管理员。")
        % {"s": RETRY_AFTER_SECONDS},
        "database_busy",
    )


class DatabaseTroubleMiddleware:
    """A locked database (an import's commit, a backup) or a full disk is a moment's trouble,
    not a bug: the user is told what happened and when to retry, and the log says why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        log.error("database trouble on %s %s: %s", request.method, request.path, exception)
        title, advice, code = _database_trouble(exception)
        response = error_response(request, 503, title, advice, code)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def bad_request(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    return error_response(
        request, 400, _("请求有误。"), _("请返回上一页检查填写的内容后重试。"), "bad_request"
    )


def permission_denied(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    reason = str(exception) if str(exception) else _("您的账号没有这项权限。")
    return error_response(
        request, 403, reason, _("如需办理,请联系本单位管理员或活动办公室。"), "forbidden"
    )


def page_not_found(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    return error_response(
        request,
        404,
        _("找不到这个页面。"),
        _("它可能已被删除,或不在您可查看的范围内。请从首页重新进入。"),
        "not_found",
    )


def server_error(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return error_response(
        request,
        500,
        _("系统出错了。"),
        _("您这次的操作没有保存。错误已记录,请稍后重试;如果一直如此,请联系系统管理员。"),
        "server_error",
    )


def disk_nearly_full() -> bool:
    try:
        return shutil.disk_usage(settings.VAR_DIR).free < LOW_DISK_BYTES
    except OSError:
        return False


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # An upload that could not be written to a full disk leaves the form without its token:
    # say what happened instead of "the page expired".
    if disk_nearly_full():
        title, advice, code = _database_trouble(OperationalError("disk full"))
        response = error_response(request, 503, title, advice, code)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return error_response(
        request,
        403,
        _("页面已过期,操作没有提交。"),
        _("请刷新页面(或重新登录)后再提交一次。"),
        "csrf",
    )
