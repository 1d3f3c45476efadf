"""Uploading a ledger in the browser: check it (dry run), import it, get the refused rows back."""

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from taizhang.campaigns.access import campaign_for
from taizhang.orgs.scoping import WRITE_ROLES, scope_of
from taizhang.sheets.errors import HeaderNotFound, ImportRefused
from taizhang.sheets.headers import header_candidates
from taizhang.sheets.models import ImportMapping
from taizhang.sheets.problem_import import HEADERS, import_problems
from taizhang.sheets.reading import read_table
from taizhang.sheets.workbook import Column, download, write_xlsx

ACCEPTED = (".xlsx", ".xls", ".ods", ".csv")


def _error_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "import-errors"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _upload_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "import-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _run_import(
    request: HttpRequest, context: dict[str, Any], stored: Path, name: str, mode: str
) -> HttpResponse:
    campaign = context["campaign"]
    token = uuid.uuid4().hex
    error_file = _error_dir() / f"{token}.xlsx"
    try:
        result = import_problems(
            stored,
            campaign=campaign,
            by=request.user,
            dry_run=mode == "check",
            partial=mode == "partial",
            error_file=error_file,
        )
    except HeaderNotFound as exc:
        return _ask_for_mapping(request, context, stored, name, mode, exc)
    except ImportRefused as exc:
        stored.unlink(missing_ok=True)
        context["errors"] = [str(e) for e in exc.errors]
        return render(request, "sheets/import.html", context, status=400)
    except ValidationError as exc:
        stored.unlink(missing_ok=True)
        context["errors"] = exc.messages
        return render(request, "sheets/import.html", context, status=400)
    stored.unlink(missing_ok=True)
    request.session.pop("import_upload", None)
    if result.error_file:
        request.session.setdefault("import_errors", []).append(token)
        request.session.modified = True
        context["error_token"] = token
    context.update(
        {
            "result": result,
            "mode": mode,
            "file_name": name,
            "errors": [str(e) for e in result.refused[:200]],
            "more_errors": max(0, len(result.refused) - 200),
            "refused_rows": len({e.row for e in result.refused}),
        }
    )
    return render(request, "sheets/import.html", context)


def _ask_for_mapping(
    request: HttpRequest,
    context: dict[str, Any],
    stored: Path,
    name: str,
    mode: str,
    problem: HeaderNotFound,
) -> HttpResponse:
    """Keep the file for this user and show its header cells to match with our fields."""
    table = read_table(stored, set())
    _row, cells = header_candidates(table.rows)
    request.session["import_upload"] = {"file": stored.name, "name": name, "mode": mode}
    context.update(
        {
            "mapping_cells": cells,
            "file_name": name,
            "errors": [str(e) for e in problem.errors],
            "fields": [(key, words[0]) for key, words in HEADERS.items()],
        }
    )
    return render(request, "sheets/import.html", context, status=400)


@login_required
def import_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    if not scope_of(request.user).has_role(*WRITE_ROLES):
        raise PermissionDenied(_("您无权导入问题台账。"))
    context: dict[str, Any] = {"campaign": campaign}
    if request.method != "POST":
        return render(request, "sheets/import.html", context)
    if request.POST.get("action") == "map":
        return _apply_mapping(request, context)
    upload = request.FILES.get("file")
    if upload is None or not upload.name.lower().endswith(ACCEPTED):
        context["error"] = _("请选择 .xlsx、.xls、.ods 或 .csv 文件。")
        return render(request, "sheets/import.html", context, status=400)
    stored = _upload_dir() / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with stored.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return _run_import(request, context, stored, upload.name, request.POST.get("mode", "check"))


def _apply_mapping(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    kept = request.session.get("import_upload")
    stored = _upload_dir() / kept["file"] if kept else None
    if stored is None or not stored.exists():
        context["error"] = _("上传的文件已过期,请重新上传。")
        return render(request, "sheets/import.html", context, status=400)
    for key, header in request.POST.items():
        if key.startswith("map:") and header in HEADERS:
            ImportMapping.objects.update_or_create(
                user=request.user,
                kind="problems",
                header=key[4:].strip()[:100],
                defaults={"field": header},
            )
    return _run_import(request, context, stored, kept["name"], kept["mode"])


@login_required
def error_workbook(request: HttpRequest, slug: str, token: str) -> FileResponse:
    """The refused rows, for the person who uploaded the file only."""
    if token not in request.session.get("import_errors", []):
        raise Http404()
    path = _error_dir() / f"{token}.xlsx"
    if not path.exists():
        raise Http404()
    return FileResponse(path.open("rb"), as_attachment=True, filename="未导入的行.xlsx")


@login_required
def template(request: HttpRequest, slug: str) -> FileResponse:
    """An empty ledger in the expected layout, with one example row."""
    campaign = campaign_for(request.user, slug)
    keys = [
        "number",
        "title",
        "focus_area",
        "source",
        "org",
        "leader",
        "person",
        "kind",
        "measures",
        "deadline",
    ]
    columns = [Column(HEADERS[k][0], 30 if k in ("title", "measures") else 14) for k in keys]
    area = campaign.focus_areas.first()
    example = [
        "",
        "(示例)企业开办审批环节多",
        area.name if area else "",
        "自查",
        campaign.org.name,
        "张三",
        "李四",
        "限期整改",
        "1. 精简环节\n2. 一窗受理",
        campaign.ends_on,
    ]
    areas = "、".join(a.name for a in campaign.focus_areas.all())
    return download(
        "问题台账导入模板.xlsx",
        lambda out: write_xlsx(
            out,
            sheet="问题台账",
            title=f"{campaign.name}问题台账(导入模板)",
            subtitle=f"聚焦领域:{areas};整改类型:立行立改、限期整改、长期坚持;编号可留空",
            columns=columns,
            rows=[example],
        ),
    )
