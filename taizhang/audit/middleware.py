from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from taizhang.audit.context import acting_as


class AuditMiddleware:
    """Entries written while a request is served name its user and address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(request):
            return self.get_response(request)
