"""Uploading a ledger in the browser: check it (dry run), import it, get the refused rows back."""

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from taizhang.audit.services import record_download
from taizhang.campaigns.access import campaign_for
from taizhang.campaigns.models import Campaign
from taizhang.core import params
from taizhang.core.typing import AuthedRequest
from taizhang.intake import permissions as intake_permissions
from taizhang.ledger import services as ledger
from taizhang.ledger.errors import NotAllowed, TransitionError
from taizhang.ledger.models import ImportedClosure
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import WRITE_ROLES, scope_of
from taizhang.sheets import jobs
from taizhang.sheets.directory_import import ORG_HEADERS, USER_HEADERS
from taizhang.sheets.errors import HeaderNotFound, ImportRefused
from taizhang.sheets.headers import header_name
from taizhang.sheets.mapping import mapping_choices
from taizhang.sheets.member_import import MEMBER_HEADERS
from taizhang.sheets.models import ImportJob, ImportKind, ImportMapping, JobStatus
from taizhang.sheets.problem_import import HEADERS, Defaults, headers_for, import_problems
from taizhang.sheets.reading import MAX_BYTES, as_uploaded
from taizhang.sheets.suggestion_import import HEADERS as SUGGESTION_HEADERS
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


def _defaults(request: HttpRequest) -> dict[str, str]:
    """The file-wide defaults chosen on the page (the CLI's --area and --source)."""
    return {
        "focus_area": request.POST.get("default_area", "").strip()[:60],
        "source": request.POST.get("default_source", "").strip()[:20],
    }


def _run_import(
    request: AuthedRequest,
    context: dict[str, Any],
    stored: Path,
    name: str,
    mode: str,
    defaults: dict[str, str],
    where: "Where" = None,
) -> HttpResponse:
    campaign = context["campaign"]
    sheet, header_row = where or ("", None)
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
            defaults=Defaults(**defaults),
            file_name=name,
            sheet=sheet,
            header_row=header_row,
        )
    except HeaderNotFound as exc:
        return _ask_for_mapping(
            request, context, stored, name, mode, defaults, [str(e) for e in exc.errors], where
        )
    except ImportRefused as exc:
        stored.unlink(missing_ok=True)
        context["errors"] = [str(e) for e in exc.errors]
        return render(request, "sheets/import.html", context, status=400)
    except ValidationError as exc:
        stored.unlink(missing_ok=True)
        context["errors"] = as_uploaded(exc.messages, stored.name, name)
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
            "refused_rows": result.refused_rows,
            "skipped": [str(e) for e in result.skipped[:200]],
            "read": result.summary(),
            "field_names": {key: words[0] for key, words in HEADERS.items()},
        }
    )
    return render(request, "sheets/import.html", context)


# The sheet and the header row (from 1) the user chose on the mapping step.
Where = tuple[str, int | None] | None


def _ask_for_mapping(
    request: AuthedRequest,
    context: dict[str, Any],
    stored: Path,
    name: str,
    mode: str,
    defaults: dict[str, str],
    errors: list[str],
    where: Where = None,
) -> HttpResponse:
    """Keep the file for this user and show its sheets, its first rows and the cells of its
    header row to match with our fields."""
    sheet, row = where or ("", None)
    request.session["import_upload"] = {
        "file": stored.name,
        "name": name,
        "mode": mode,
        "defaults": defaults,
    }
    context.update(
        {
            "mapping": mapping_choices(stored, headers_for(request.user), sheet, row),
            "file_name": name,
            "errors": errors,
            "fields": [(key, words[0]) for key, words in HEADERS.items()],
        }
    )
    return render(request, "sheets/import.html", context, status=400)


def chosen_place(post: Any) -> Where:
    """The sheet and header row posted from the mapping step."""
    row = post.get("header_row", "").strip()
    return post.get("sheet", "")[:100], int(row) if row.isdigit() and 0 < int(row) <= 15 else None


def allowed_kinds(user: Any, campaign: Campaign) -> list[tuple[str, str]]:
    """What this user may import: the ledger (units' staff), suggestions (office, operators),
    units and people (the office)."""
    scope = scope_of(user)
    allowed = []
    if scope.has_role(*WRITE_ROLES):
        allowed.append(ImportKind.PROBLEMS)
    if intake_permissions.can_record(user, campaign):
        allowed.append(ImportKind.SUGGESTIONS)
    if scope.has_role(Role.ADMIN, Role.OFFICE, Role.HANDLER):
        allowed.append(ImportKind.MEMBERS)
    if scope.reaches(campaign.org.path, (Role.OFFICE,)):
        allowed += [ImportKind.ORGS, ImportKind.USERS]
    return [(kind.value, str(kind.label)) for kind in allowed]


@login_required
def import_page(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    kinds = allowed_kinds(request.user, campaign)
    if not kinds:
        raise PermissionDenied(_("您无权导入问题台账。"))
    context: dict[str, Any] = {
        "campaign": campaign,
        "kinds": kinds,
        "areas": campaign.focus_areas.all(),
        "sources": [("", _("自查")), *((w, w) for w in ("意见建议", "督导发现", "上级交办"))],
        "jobs": ImportJob.objects.filter(user=request.user, campaign=campaign)[:10],
    }
    closures = ImportedClosure.objects.filter(campaign=campaign, confirmed_at__isnull=True)
    if scope_of(request.user).reaches(campaign.org.path, (Role.OFFICE,)):
        context["pending_closures"] = closures.select_related("imported_by")
    if request.method != "POST":
        return render(request, "sheets/import.html", context)
    if request.POST.get("action") == "confirm_closure":
        closure = get_object_or_404(closures, pk=params.row_id(request.POST.get("closure")))
        try:
            closed = ledger.confirm_imported_closure(closure, by=request.user)
        except (NotAllowed, TransitionError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("已确认“%(f)s”的导入销号:%(n)d 个问题计为已整改。")
                % {"f": closure.file_name, "n": closed},
            )
        return redirect("ledger_import", slug=slug)
    if request.POST.get("action") in ("map", "pick"):
        return _apply_mapping(request, context)
    kind = request.POST.get("kind", ImportKind.PROBLEMS)
    if kind not in dict(kinds):
        raise PermissionDenied(_("您无权导入这类数据。"))
    upload = request.FILES.get("file")
    name, size = (upload.name or "", upload.size or 0) if upload else ("", 0)
    if upload is None or not name.lower().endswith(ACCEPTED):
        context["error"] = _("请选择 .xlsx、.xls、.ods 或 .csv 文件。")
        return render(request, "sheets/import.html", context, status=400)
    if size > MAX_BYTES:
        context["error"] = _("文件超过 100 MB,请拆分后分批导入。")
        return render(request, "sheets/import.html", context, status=400)
    stored = _upload_dir() / f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    with stored.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    mode = request.POST.get("mode", "check")
    if mode not in ("check", "all", "partial"):
        mode = "check"
    if kind != ImportKind.PROBLEMS or size >= settings.IMPORT_BACKGROUND_BYTES:
        job = ImportJob.objects.create(
            campaign=campaign,
            kind=kind,
            user=request.user,
            stored_name=stored.name,
            file_name=name[:255],
            size=size,
            mode=mode,
            options={"defaults": _defaults(request)},
        )
        jobs.start(job)
        return redirect("import_job", slug=slug, pk=job.pk)
    return _run_import(request, context, stored, name, mode, _defaults(request))


def _job_for(request: HttpRequest, slug: str, pk: int) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.select_related("campaign"), pk=pk, user=request.user, campaign__slug=slug
    )


@login_required
def import_job(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """A background import: its progress bar, then its outcome (or the header mapping)."""
    job = jobs.live(_job_for(request, slug, pk))
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "status_display": job.get_status_display(),
                "stage": job.stage,
                "stage_display": job.stage_display,
                "percent": job.percent,
                "done": job.done,
                "total": job.total,
                "active": job.active,
            }
        )
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            jobs.cancel(job)
        elif request.POST.get("action") == "retry" and jobs.can_retry(job):
            jobs.start(job)
        elif request.POST.get("action") == "pick" and job.status == JobStatus.MAPPING:
            jobs.show_mapping(job, headers_for(request.user), chosen_place(request.POST))
        elif request.POST.get("action") == "map" and job.status == JobStatus.MAPPING:
            _save_mappings(request, job.kind)
            sheet, row = chosen_place(request.POST) or ("", None)
            job.options = {**(job.options or {}), "sheet": sheet, "header_row": row}
            job.save(update_fields=["options"])
            jobs.start(job)
        return redirect("import_job", slug=slug, pk=pk)
    return render(
        request,
        "sheets/import_job.html",
        {
            "campaign": job.campaign,
            "job": job,
            "can_retry": jobs.can_retry(job),
            "fields": [(key, words[0]) for key, words in HEADERS.items()],
        },
    )


@login_required
def job_errors(request: AuthedRequest, slug: str, pk: int) -> FileResponse:
    job = _job_for(request, slug, pk)
    path = _error_dir() / f"{job.error_token}.xlsx"
    if not job.error_token or not path.exists():
        raise Http404()
    record_download("未导入的行", job.file_name)
    return FileResponse(path.open("rb"), as_attachment=True, filename="未导入的行.xlsx")


def _save_mappings(request: AuthedRequest, kind: str) -> None:
    for key, chosen in request.POST.items():
        name = header_name(key[4:])[:100]
        if key.startswith("map:") and chosen in HEADERS and name:
            ImportMapping.objects.update_or_create(
                user=request.user, kind=kind, header=name, defaults={"field": chosen}
            )


def _apply_mapping(request: AuthedRequest, context: dict[str, Any]) -> HttpResponse:
    kept: dict[str, Any] = request.session.get("import_upload") or {}
    stored = _upload_dir() / kept["file"] if kept else None
    if stored is None or not stored.exists():
        context["error"] = _("上传的文件已过期,请重新上传。")
        return render(request, "sheets/import.html", context, status=400)
    where = chosen_place(request.POST)
    if request.POST.get("action") == "pick":
        return _ask_for_mapping(
            request, context, stored, kept["name"], kept["mode"], kept.get("defaults", {}), [],
            where,
        )  # fmt: skip
    _save_mappings(request, "problems")
    return _run_import(
        request, context, stored, kept["name"], kept["mode"], kept.get("defaults", {}), where
    )


@login_required
def error_workbook(request: AuthedRequest, slug: str, token: str) -> FileResponse:
    """The refused rows, for the person who uploaded the file only."""
    if token not in request.session.get("import_errors", []):
        raise Http404()
    path = _error_dir() / f"{token}.xlsx"
    if not path.exists():
        raise Http404()
    record_download("未导入的行", token)
    return FileResponse(path.open("rb"), as_attachment=True, filename="未导入的行.xlsx")


@login_required
def template(request: AuthedRequest, slug: str) -> FileResponse:
    """An empty sheet of the kind asked for (?kind=), in the expected layout, with an example."""
    campaign = campaign_for(request.user, slug)
    kind = request.GET.get("kind", ImportKind.PROBLEMS)
    if kind in OTHER_TEMPLATES:
        return _other_template(campaign, kind)
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
        "urgent",
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
        "否",
    ]
    areas = "、".join(a.name for a in campaign.focus_areas.all())
    return download(
        "问题台账导入模板.xlsx",
        lambda out: write_xlsx(
            out,
            sheet="问题台账",
            title=f"{campaign.name}问题台账(导入模板)",
            subtitle=(
                f"聚焦领域:{areas};整改类型:立行立改、限期整改、长期坚持;"
                "重大紧急填 是 或 否;编号可留空"
            ),
            columns=columns,
            rows=[example],
        ),
    )


# Headers, widths and an example row for the other kinds of import.
OTHER_TEMPLATES: dict[str, tuple[str, list[tuple[str, int]], list[Any]]] = {
    ImportKind.SUGGESTIONS: (
        "意见建议",
        [
            (SUGGESTION_HEADERS["text"][0], 40),
            (SUGGESTION_HEADERS["title"][0], 20),
            (SUGGESTION_HEADERS["channel"][0], 10),
            (SUGGESTION_HEADERS["collected_on"][0], 12),
            (SUGGESTION_HEADERS["place"][0], 16),
            (SUGGESTION_HEADERS["name"][0], 10),
            (SUGGESTION_HEADERS["phone"][0], 14),
            (SUGGESTION_HEADERS["confidential"][0], 8),
            (SUGGESTION_HEADERS["votes"][0], 8),
        ],
        ["(示例)希望延长政务大厅周末办公时间", "", "意见表", "", "市民服务中心", "", "", "否", 0],
    ),
    ImportKind.MEMBERS: (
        "成员",
        [(MEMBER_HEADERS[k][0], 14) for k in ("name", "org", "role", "joined_on", "external_id")],
        ["(示例)张三", "141002101201", "党员", "2010-07-01", ""],
    ),
    ImportKind.ORGS: (
        "单位",
        [(ORG_HEADERS[k][0], 16) for k in ("code", "name", "parent", "kind")],
        ["141002999", "(示例)尧都区某某局", "141002", "部门"],
    ),
    ImportKind.USERS: (
        "人员和角色",
        [(USER_HEADERS[k][0], 14) for k in ("username", "name", "org", "role", "password")],
        ["zhangsan", "(示例)张三", "141002", "经办人", ""],
    ),
}


def _other_template(campaign: Campaign, kind: str) -> FileResponse:
    sheet, columns, example = OTHER_TEMPLATES[kind]
    if kind == ImportKind.SUGGESTIONS:
        example = [*example[:3], campaign.starts_on, *example[4:]]
    notes = {
        ImportKind.SUGGESTIONS: "内容必填;渠道:网络、意见表、意见箱、热线、座谈会、来信来访、征文",
        ImportKind.ORGS: "单位类型:市、县(市、区)、开发区、部门、乡镇(街道)、村(社区)、党支部",
        ImportKind.MEMBERS: "姓名、单位代码必填;有编号的按编号更新,没有编号的按同单位同姓名更新",
        ImportKind.USERS: (
            "角色:活动办公室、单位管理员、经办人、领导、督导组成员、坐席;无初始密码时由管理员设置"
        ),
    }[ImportKind(kind)]
    return download(
        f"{sheet}导入模板.xlsx",
        lambda out: write_xlsx(
            out,
            sheet=sheet,
            title=f"{campaign.name}{sheet}(导入模板)",
            subtitle=notes,
            columns=[Column(name, width) for name, width in columns],
            rows=[example],
        ),
    )
