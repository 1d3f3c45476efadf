"""项目库 in the browser: the figures by unit, pool and stage; the list behind every figure; a
project's page (monthly report, stage with evidence, obstacles, 催办); the entry form."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.audit.services import record_export
from taizhang.campaigns.access import campaign_for
from taizhang.campaigns.models import Campaign
from taizhang.core.typing import AuthedRequest
from taizhang.ledger.errors import ConflictError
from taizhang.ledger.evidence_files import evidence_path
from taizhang.ledger.models import Kind
from taizhang.ledger.permissions import visible_problems
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Org, OrgKind
from taizhang.orgs.scoping import scope_of
from taizhang.projects import services
from taizhang.projects.models import (
    STAGES,
    ChangeStatus,
    Need,
    Pool,
    Project,
    ProjectKind,
    Stage,
    StageChange,
    StageEvidence,
)
from taizhang.projects.schedule import due_date, owed_month
from taizhang.reports import projects as figures
from taizhang.sheets.project_export import export_projects
from taizhang.sheets.workbook import download

PAGE = 50
SORTS = {
    "": ["org_path", "number"],
    "-investment": ["-investment_total", "number"],
    "done": ["done_year", "number"],  # the least completed first
    "number": ["number"],
}


def _org_in_scope(request: HttpRequest, campaign: Campaign, written: str | None) -> Org:
    """The unit asked for (by code, name or alias), else the reader's own highest unit; a unit
    that cannot be found is said so above the reader's own figures."""
    scope = scope_of(request.user)
    if written:
        try:
            org = resolve_unit(written, campaign.org)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            if not scope.reaches(org.path):
                raise Http404
            return org
    if scope.reaches(campaign.org.path):
        return campaign.org
    grants = sorted(scope.grants, key=lambda g: g.path.count("/"))
    inside = [g for g in grants if g.path.startswith(campaign.org.path)]
    if not inside:
        raise Http404
    return Org.objects.get(pk=inside[0].org_id)


def _year(request: HttpRequest, campaign: Campaign, today: dt.date) -> int:
    try:
        return int(request.GET.get("year") or figures.projects_year(campaign, today))
    except ValueError:
        raise Http404 from None


@login_required
def project_overview(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    org = _org_in_scope(request, campaign, request.GET.get("org"))
    today = timezone.localdate()
    year = _year(request, campaign, today)
    f = figures.held_project_figures(campaign, org, user=request.user, today=today, year=year)
    kinds = dict(OrgKind.choices)
    children = [
        (code, {**row, "kind_label": kinds.get(row["kind"], "")})
        for code, row in f["by_org"].items()
        if code != org.code
    ]
    own = f["by_org"].get(org.code) if org.children.exists() else None
    owed = owed_month(campaign, today)
    return render(
        request,
        "projects/overview.html",
        {
            "campaign": campaign,
            "org": org,
            "year": year,
            "f": f,
            "children": children,
            "own": own,
            "owed": owed,
            "due": due_date(campaign, owed),
            "can_add": services.can_manage(request.user, org),
        },
    )


@login_required
def project_list(request: AuthedRequest, slug: str) -> HttpResponse | FileResponse:
    campaign = campaign_for(request.user, slug)
    org = _org_in_scope(request, campaign, request.GET.get("org"))
    today = timezone.localdate()
    year = _year(request, campaign, today)
    g = request.GET
    figure = g.get("figure", "projects_total")
    if g.get("unreported"):
        figure = "projects_unreported"
    if figure not in figures.COUNT_LABELS:
        raise Http404
    rows = figures.figure_rows(
        campaign, request.user, year=year, today=today, figure=figure, org=org,
        pool=g.get("pool", ""), stage=g.get("stage", ""), kind=g.get("kind", ""),
        industry=g.get("industry", ""),
    )  # fmt: skip
    if g.get("own"):
        rows = rows.filter(org=org)
    typed = g.get("q", "").strip()
    if typed:
        rows = rows.filter(Q(name__icontains=typed) | Q(number__iexact=typed) | Q(leader=typed))
    rows = rows.select_related("org").order_by(*SORTS.get(g.get("sort", ""), SORTS[""]))
    if g.get("format") == "xlsx":
        record_export(f"项目库 {org.name}", rows=rows.count(), query=g.urlencode(), fmt="xlsx")
        return download(
            f"项目库-{org.name}-{year}.xlsx",
            lambda out: export_projects(rows, campaign=campaign, out=out),
            issued_to=request.user,
        )
    params = g.copy()
    params.pop("page", None)
    page = Paginator(rows, PAGE).get_page(g.get("page"))
    return render(
        request,
        "projects/list.html",
        {
            "campaign": campaign,
            "org": org,
            "year": year,
            "figure": figure,
            "figure_label": figures.COUNT_LABELS[figure],
            "page": page,
            "querystring": params.urlencode(),
            "page_numbers": [
                n if n != page.paginator.ELLIPSIS else None
                for n in page.paginator.get_elided_page_range(page.number, on_each_side=2)
            ],
            "pools": Pool.choices,
            "stages": Stage.choices,
            "kinds": ProjectKind.choices,
            "chosen": g,
            "can_add": services.can_manage(request.user, org),
        },
    )


def _visible(request: HttpRequest, pk: int) -> Project:
    project = get_object_or_404(
        services.visible_projects(request.user).select_related("campaign", "campaign__org", "org"),
        pk=pk,
    )
    campaign_for(request.user, project.campaign.slug)
    return project


@login_required
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _visible(request, pk)
    campaign = project.campaign
    today = timezone.localdate()
    pending = project.stage_changes.filter(status=ChangeStatus.PENDING).first()
    later = STAGES[STAGES.index(project.stage) + 1 :]
    return render(
        request,
        "projects/detail.html",
        {
            "campaign": campaign,
            "project": project,
            "reports": project.reports.select_related("reported_by")[:36],
            "changes": project.stage_changes.prefetch_related("evidence").select_related(
                "requested_by", "decided_by"
            ),
            "pending": pending,
            "later_stages": [(s, Stage(s).label) for s in later],
            "obstacles": visible_problems(request.user, campaign)
            .filter(projects=project)
            .select_related("org"),
            "hidden_obstacles": project.obstacles.count()
            - visible_problems(request.user, campaign).filter(projects=project).count(),
            "events": project.events.select_related("by").order_by("-at", "-pk")[:50],
            "can_manage": services.can_manage(request.user, project.org),
            "can_confirm": services.can_confirm(request.user, project),
            "own_request": pending is not None and pending.requested_by_id == request.user.pk,
            "month": owed_month(campaign, today).strftime("%Y-%m"),
            "max_month": today.strftime("%Y-%m"),
            "today": today.isoformat(),
            "areas": campaign.focus_areas.all(),
            "kinds": Kind.choices,
            "data": request.POST,
            "rate": figures.percent_of(project.done_year, project.investment_annual),
        },
    )


def _fail(request: HttpRequest, exc: Exception) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


def _version(request: HttpRequest) -> int | None:
    written = request.POST.get("version", "")
    return int(written) if written.isdigit() else None


@login_required
@require_POST
def project_act(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """Every step on a project's page posts here: the service checks and writes."""
    project = _visible(request, pk)
    p = request.POST
    by = request.user
    try:
        if action == "report":
            month = dt.date.fromisoformat(p.get("month", "") + "-01")
            services.report_month(
                project, by=by, month=month, done=p.get("done", ""),
                progress_note=p.get("progress_note", ""), version=_version(request),
            )  # fmt: skip
            messages.success(request, _("已报送 %(m)s 月报。") % {"m": p.get("month")})
        elif action == "stage":
            services.request_stage(
                project, by=by, to_stage=p.get("to_stage", ""),
                on=_day(p.get("on", ""), _("实际日期")), note=p.get("note", ""),
                files=[(f, f.name or "") for f in request.FILES.getlist("evidence")],
                version=_version(request),
            )  # fmt: skip
            messages.success(request, _("已提交阶段变更申请,等待上级确认。"))
        elif action in ("confirm", "return"):
            change = get_object_or_404(StageChange, pk=p.get("change", 0), project=project)
            services.decide_stage(
                change, by=by, confirm=action == "confirm", note=p.get("note", "")
            )
            messages.success(request, _("已确认。") if action == "confirm" else _("已退回。"))
        elif action == "link":
            number = p.get("number", "").strip()
            problem = visible_problems(by, project.campaign).filter(number=number).first()
            if problem is None:
                raise ValidationError(_("找不到编号为“%(n)s”的问题。") % {"n": number})
            services.link_obstacle(project, problem, by=by)
            messages.success(request, _("已关联问题 %(n)s。") % {"n": number})
        elif action == "unlink":
            problem = get_object_or_404(project.obstacles, pk=p.get("problem", 0))
            services.unlink_obstacle(project, problem, by=by)
        elif action == "obstacle":
            area = project.campaign.focus_areas.filter(pk=p.get("focus_area") or 0).first()
            if area is None:
                raise ValidationError(_("请选择聚焦领域。"))
            unit = p.get("org", "").strip()
            problem = services.record_obstacle(
                project, by=by, title=p.get("title", ""), focus_area=area,
                org=resolve_unit(unit, project.campaign.org) if unit else None,
                description=p.get("description", ""), kind=p.get("kind") or Kind.DEADLINE,
            )  # fmt: skip
            messages.success(request, _("已登记要素保障问题 %(n)s。") % {"n": problem.number})
        elif action == "urge":
            told = services.urge(project, by=by, note=p.get("note", ""))
            messages.success(request, _("已催办,通知 %(n)d 人。") % {"n": told})
        elif action == "void":
            services.void_project(project, by=by, version=_version(request) or 0,
                                  reason=p.get("reason", ""))  # fmt: skip
            messages.success(request, _("项目已作废。"))
        else:
            raise Http404
    except ConflictError as exc:
        messages.error(request, str(exc))
    except (ValidationError, PermissionDenied, ValueError) as exc:
        _fail(request, exc)
        if request.headers.get("HX-Request") is None and action in ("report", "stage", "obstacle"):
            # What was typed stays in the form it came from.
            request.method = "GET"
            response = project_detail(request, pk)
            response.status_code = 400
            return response
    return redirect("project_detail", pk=pk)


def _day(value: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("请填写%(f)s。") % {"f": label}) from None


@login_required
def stage_evidence(request: AuthedRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(StageEvidence.objects.select_related("change"), pk=pk)
    _visible(request, evidence.change.project_id)
    return FileResponse(
        evidence_path(evidence.stored_name).open("rb"),
        filename=evidence.original_name,
        as_attachment=evidence.file_type not in ("pdf", "jpg", "jpeg", "png"),
    )


def _form_data(request: HttpRequest, campaign: Campaign) -> services.ProjectData:
    p = request.POST
    errors = []
    try:
        org = resolve_unit(p.get("org", ""), campaign.org)
    except ValidationError as exc:
        errors.extend(exc.messages)
        org = campaign.org
    dates: dict[str, dt.date | None] = {}
    for name, label in (("sign_planned", _("计划签约日期")), ("start_planned", _("计划开工日期")),
                        ("finish_planned", _("计划竣工日期"))):  # fmt: skip
        written = p.get(name, "")
        try:
            dates[name] = dt.date.fromisoformat(written) if written else None
        except ValueError:
            errors.append(_("%(f)s“%(v)s”不是日期。") % {"f": label, "v": written})
    year = p.get("year", "")
    if not year.isdigit():
        errors.append(_("年度应为四位年份。"))
    if errors:
        raise ValidationError(errors)
    return services.ProjectData(
        name=p.get("name", ""),
        org=org,
        year=int(year),
        investment_total=services.amount(p.get("investment_total"), _("总投资")),
        investment_annual=services.amount(p.get("investment_annual"), _("年度计划投资")),
        number=p.get("number", ""),
        leader=p.get("leader", ""),
        industry=p.get("industry", ""),
        kind=p.get("kind", ProjectKind.INDUSTRY),
        pool=p.get("pool", Pool.KEY),
        location=p.get("location", ""),
        content=p.get("content", ""),
        needs=p.getlist("needs"),
        needs_note=p.get("needs_note", ""),
        **dates,
    )


@login_required
def project_form(request: AuthedRequest, slug: str, pk: int | None = None) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    project = _visible(request, pk) if pk else None
    if project is not None and not services.can_manage(request.user, project.org):
        raise PermissionDenied(_("您无权修改该项目。"))
    org = project.org if project else _org_in_scope(request, campaign, request.GET.get("org"))
    if project is None and not services.can_manage(request.user, org):
        raise PermissionDenied(_("您无权为“%(o)s”登记项目。") % {"o": org.name})
    errors: list[str] = []
    if request.method == "POST":
        try:
            data = _form_data(request, campaign)
            if project is None:
                project = services.create_project(campaign, data, by=request.user)
            else:
                services.update_project(
                    project, data, by=request.user, version=_version(request) or 0
                )
        except ConflictError as exc:
            errors.append(str(exc))
        except (ValidationError, PermissionDenied) as exc:
            errors.extend(getattr(exc, "messages", [str(exc)]))
        else:
            messages.success(request, _("已保存。"))
            return redirect("project_detail", pk=project.pk)
    initial: Any = request.POST if request.method == "POST" else _initial(project, org)
    return render(
        request,
        "projects/form.html",
        {
            "campaign": campaign,
            "project": project,
            "data": initial,
            "chosen_needs": initial.getlist("needs")
            if hasattr(initial, "getlist")
            else initial["needs"],
            "errors": errors,
            "pools": Pool.choices,
            "kinds": ProjectKind.choices,
            "needs": Need.choices,
        },
        status=400 if errors else 200,
    )


def _initial(project: Project | None, org: Org) -> dict[str, Any]:
    if project is None:
        return {"org": org.name, "year": str(timezone.localdate().year), "needs": []}
    values = {
        name: "" if getattr(project, name) is None else str(getattr(project, name))
        for name in services.EDITABLE
        if name not in ("org", "needs")
    }
    return {**values, "org": project.org.name, "number": project.number,
            "needs": project.need_list, "version": str(project.version)}  # fmt: skip
