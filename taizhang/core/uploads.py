"""Request bodies are capped before they are read: a 150 MB upload is refused from its
Content-Length, not after it was written to a temporary file; a body that does not say its
length (chunked) is cut off as soon as it passes the cap."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from taizhang.core.errors import error_response


def _cap() -> int:
    return int(settings.MAX_REQUEST_BYTES)


def _too_big(request: HttpRequest) -> HttpResponse:
    return error_response(
        request,
        413,
        _("上传的内容超过 %(mb)d MB 上限。") % {"mb": _cap() // 2**20},
        _("请压缩图片或拆分文件后分批上传。"),
        "too_large",
    )


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > _cap():
            return _too_big(request)
        try:
            return self.get_response(request)
        except RequestDataTooBig:
            return _too_big(request)


class CappedUploadHandler(FileUploadHandler):
    """Counts the bytes of every file in a request and stops at the cap."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > _cap():
            raise RequestDataTooBig(_("上传的内容超过上限。"))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
