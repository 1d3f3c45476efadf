from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.audit.access import is_auditor
from taizhang.audit.models import AuditKind
from taizhang.audit.passwords import must_change
from taizhang.audit.search import entries, parse
from taizhang.audit.services import record_export
from taizhang.core.typing import AuthedRequest
from taizhang.sheets.workbook import Column, download, write_csv, write_xlsx

COLUMNS = [Column("时间", 18), Column("类别", 12), Column("操作人", 14), Column("地址", 16),
           Column("对象", 28), Column("内容", 60, wrap=True)]  # fmt: skip


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse | FileResponse:
    """The security auditor's search of the log, and its export (itself logged)."""
    if not is_auditor(request.user):
        raise PermissionDenied(_("安全审计日志只有安全审计员可以查看。"))
    error = ""
    try:
        query = parse(request.GET)
    except ValidationError as exc:
        query, error = parse({}), " ".join(exc.messages)
    found = entries(query)
    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "csv") and not error:
        record_export("安全审计日志", rows=found.count(), query=request.GET.urlencode(), fmt=fmt)
        rows = (
            [timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.get_kind_display(),
             e.actor, e.ip or "", e.target, e.summary]
            for e in found.iterator(chunk_size=2000)
        )  # fmt: skip
        stamp = f"{timezone.localdate():%Y%m%d}"
        if fmt == "csv":
            return download(f"安全审计日志-{stamp}.csv",
                            lambda out: write_csv(out, columns=COLUMNS, rows=rows),
                            issued_to=request.user)  # fmt: skip
        return download(
            f"安全审计日志-{stamp}.xlsx",
            lambda out: write_xlsx(out, sheet="审计日志", title=_("安全审计日志"),
                                   subtitle="", columns=COLUMNS, rows=rows),
            issued_to=request.user,
        )  # fmt: skip
    page = Paginator(found, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {"page": page, "query": query, "kinds": AuditKind.choices, "error": error,
         "params": request.GET.copy()},
        status=400 if error else 200,
    )  # fmt: skip


class PasswordChange(PasswordChangeView):
    """Every user changes their own password here (管理员以外的用户也有修改密码的页面); the
    policy's reasons to change it first are shown above the form."""

    template_name = "audit/password_change.html"

    def get_success_url(self) -> str:
        wanted = self.request.GET.get("next", "")
        return wanted if wanted.startswith("/") and not wanted.startswith("//") else "/"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "reason": must_change(self.request.user),
                "rules": password_validators_help_texts()}  # fmt: skip

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改。"))
        return response
