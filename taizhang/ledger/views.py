"""Thin HTTP views over ledger.services; every lookup goes through the scoping functions."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.audit.services import record_download, record_export
from taizhang.campaigns.access import campaign_for, handles_suggestions
from taizhang.core.forms import field_errors
from taizhang.core.text import mask_personal_data
from taizhang.core.typing import AuthedRequest
from taizhang.ledger import forms, rhythm, services
from taizhang.ledger.deadlines import DeadlineState, deadline_state, due_soon_cutoff, state_of
from taizhang.ledger.errors import ConflictError
from taizhang.ledger.evidence_files import evidence_path
from taizhang.ledger.filters import apply_filters, parse_params
from taizhang.ledger.models import (
    Evidence,
    ExtensionRequest,
    Kind,
    Measure,
    Part,
    Problem,
    Source,
    Status,
)
from taizhang.ledger.permissions import available_actions, part_actions, visible_problems
from taizhang.ledger.services.dispatching import contact_hop
from taizhang.ledger.stages import current_stage, stages_for
from taizhang.ledger.transitions import take_step
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Org, Role
from taizhang.orgs.naming import unit_names
from taizhang.orgs.scoping import scope_of
from taizhang.projects.services import visible_projects
from taizhang.reports.figures import FIGURE_LABELS
from taizhang.sheets.ledger_export import export_problems
from taizhang.sheets.workbook import download
from taizhang.supervision import services as notices
from taizhang.todo.bulk import ACTIONS as BULK_ACTIONS
from taizhang.todo.bulk import BACKGROUND_ROWS as BULK_BACKGROUND_ROWS

PAGE_SIZE = 50
BULK_ROLES = (Role.OFFICE, Role.ADMIN, Role.LEADER, Role.INSPECTOR)


def _error_messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or _("操作未被允许。")]


@login_required
def problem_list(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    today = timezone.localdate()
    status_code = 200
    try:
        query = parse_params(campaign, request.GET)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        query, status_code = parse_params(campaign, {}), 400
    problems = apply_filters(
        visible_problems(request.user, campaign).select_related("org", "focus_area"),
        campaign,
        query,
        today,
        counted_only=True,
    )
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    cutoff = due_soon_cutoff(campaign, today)
    rows = [(p, deadline_state(p, today, cutoff)) for p in page.object_list]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "ledger/problem_list.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": rows,
            "query": query,
            "querystring": params.urlencode(),
            "query_pairs": [(k, v) for k, values in params.lists() for v in values],
            "page_numbers": [
                n if n != page.paginator.ELLIPSIS else None
                for n in page.paginator.get_elided_page_range(page.number, on_each_side=2)
            ],
            "filter_org": query.org,
            "figure_label": FIGURE_LABELS.get(query.params.get("figure", ""), ""),
            "areas": campaign.focus_areas.all(),
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "sources": Source.choices,
            "deadline_states": [(s, DeadlineState.labels[s]) for s in DeadlineState.filterable],
            "state_labels": DeadlineState.labels,
            # 批量办理 for those who take steps on others' problems; each row is checked again.
            "can_bulk": scope_of(request.user).has_role(*BULK_ROLES),
            "bulk_actions": list(BULK_ACTIONS.items()),
            "background_rows": BULK_BACKGROUND_ROWS,
        },
        status=status_code,
    )


@login_required
def problem_export(request: AuthedRequest, slug: str, fmt: str) -> FileResponse:
    """The list's rows, with the same filters and scope, as the standard 台账 workbook."""
    if fmt not in ("xlsx", "csv"):
        raise Http404("xlsx or csv")
    campaign = campaign_for(request.user, slug)
    try:
        query = parse_params(campaign, request.GET)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from exc
    problems = apply_filters(
        visible_problems(request.user, campaign),
        campaign,
        query,
        timezone.localdate(),
        counted_only=True,
    )
    record_export(f"台账 {campaign.slug}", rows=problems.count(), query=request.GET.urlencode(),
                  fmt=fmt)  # fmt: skip
    return download(
        f"{campaign.slug}-台账-{timezone.localdate():%Y%m%d}.{fmt}",
        lambda out: export_problems(problems, campaign=campaign, org=query.org, out=out),
        issued_to=request.user,
    )


@login_required
def problem_create(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    form = forms.ProblemForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org: Org | None = resolve_unit(data["org_code"], campaign.org)
        except ValidationError as exc:
            org = None
            form.add_error("org_code", exc)
        helpers: list[Org] = []
        for name in unit_names(data["cooperating"]):
            try:
                helpers.append(resolve_unit(name, campaign.org))
            except ValidationError as exc:
                form.add_error("cooperating", exc)
        if org is not None and not form.errors:
            try:
                problem = services.record_problem(
                    campaign=campaign,
                    by=request.user,
                    title=data["title"],
                    description=data["description"],
                    focus_area=data["focus_area"],
                    org=org,
                    kind=data["kind"],
                    source=data["source"],
                    deadline=data["deadline"],
                    responsible_leader=data["responsible_leader"],
                    responsible_person=data["responsible_person"],
                    measures=data["measures"].splitlines(),
                    urgent=data["urgent"],
                    cooperating_orgs=helpers,
                )
            except (ValidationError, PermissionDenied) as exc:
                for message in _error_messages(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("问题 %(n)s 已登记。") % {"n": problem.number})
                return redirect("problem_detail", pk=problem.pk)
    if request.method == "GET":
        own = _own_org_code(request.user)
        if own:
            form.initial["org_code"] = own
        if scope_of(request.user).grants and all(
            g.role == Role.INSPECTOR for g in scope_of(request.user).grants
        ):
            form.initial["source"] = Source.INSPECTION  # what an inspector records is a finding
    return render(
        request,
        "ledger/problem_form.html",
        {"campaign": campaign, "form": form},
        status=400 if form.errors else 200,
    )


def _own_org_code(user: Any) -> str:
    """The unit a new problem defaults to: the user's own (the smallest of their grants)."""
    grants = sorted(scope_of(user).grants, key=lambda g: -g.path.count("/"))
    return grants[0].path.rstrip("/").rsplit("/", 1)[-1] if grants else ""


def _with_states(problem: Problem, today: dt.date) -> list[Measure]:
    """Each measure with its own deadline state (a done measure is finished)."""
    cutoff = due_soon_cutoff(problem.campaign, today)
    measures = list(problem.measures.all())
    for m in measures:
        status = problem.status if m.done_on is None else Status.CLOSED
        m.state = state_of(status, m.deadline, today, cutoff)  # type: ignore[attr-defined]
    return measures


@login_required
def problem_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


def _detail(
    request: HttpRequest,
    pk: int,
    *,
    kept: "Kept | None" = None,
    status: int = 200,
) -> HttpResponse:
    """The problem's page; after a refused step, with what the user typed kept in its form
    (open, under the reason) instead of thrown away."""
    problem = get_object_or_404(
        visible_problems(request.user).select_related(
            "campaign",
            "campaign__org",
            "org",
            "focus_area",
            "merged_into",
            "carried_from",
        ),
        pk=pk,
    )
    today = timezone.localdate()
    history = [problem]
    while history[-1].carried_from_id is not None:
        history.append(history[-1].carried_from)  # type: ignore[arg-type]
    events = (
        problem.events.model.objects.filter(problem__in=history)
        .select_related("actor")
        .order_by("at", "pk")
    )
    step_forms: dict[str, django_forms.Form] = {
        "reason": forms.ReasonForm(initial={"version": problem.version}),
        "assign": forms.AssignForm(initial={"version": problem.version}),
        "merge": forms.MergeForm(initial={"version": problem.version}),
        "decline": forms.DeclineForm(initial={"version": problem.version}),
        "forward": forms.ForwardForm(initial={"version": problem.version}),
        "contact": forms.ContactForm(initial={"version": problem.version}),
        "review_decline": forms.ReviewDeclineForm(initial={"version": problem.version}),
        "edit": forms.EditForm(
            campaign=problem.campaign,
            initial={
                "version": problem.version,
                "title": problem.title,
                "description": problem.description,
                "focus_area": problem.focus_area_id,
                "responsible_leader": problem.responsible_leader,
                "responsible_person": problem.responsible_person,
                "urgent": problem.urgent,
                "report_rhythm": problem.report_rhythm,
            },
        ),
        "area": forms.AreaForm(
            campaign=problem.campaign,
            initial={"version": problem.version, "focus_area": problem.focus_area_id},
        ),
        "measure": forms.MeasureForm(),
        "progress": forms.ProgressForm(),
        "evidence": forms.EvidenceForm(),
        "extension": forms.ExtensionForm(),
    }
    step_forms["cooperate"] = forms.CooperateForm(
        initial={
            "version": problem.version,
            "units": "、".join(o.name for o in problem.cooperating_orgs.all()),
        }
    )
    if kept is not None and kept.form is not None:
        step_forms[kept.key] = kept.form
    declining = (
        problem.dispatches.filter(state="declining")
        .select_related("org", "decline_evidence")
        .first()
        if problem.declining
        else None
    )
    if declining is not None and declining.consult and kept is None:
        # 会商 must name the unit: the box says so instead of offering 待交办.
        step_forms["review_decline"].fields["org_code"].help_text = _("会商须确定责任单位。")
    parts = list(problem.parts.select_related("org").prefetch_related("measures"))
    acting = part_actions(request.user, problem, parts)
    return render(
        request,
        "ledger/problem_detail.html",
        {
            "problem": problem,
            "campaign": problem.campaign,
            "state": deadline_state(problem, today),
            "state_labels": DeadlineState.labels,
            "measures": _with_states(problem, today),
            "reports": problem.reports.select_related("author", "measure"),
            "evidence": problem.evidence.select_related("uploaded_by"),
            "extensions": problem.extensions.select_related("requested_by", "decided_by"),
            "events": events,
            "actions": available_actions(request.user, problem),
            "notices": problem.notices.order_by("-issued_on", "-pk"),
            "can_issue": problem.is_open and notices.can_issue(request.user, problem),
            "can_list": problem.is_open and notices.can_list(request.user, problem),
            "cooperating": problem.cooperating_orgs.all(),
            "stage": current_stage(problem) if problem.status == Status.PENDING else None,
            "schedule": rhythm.schedule_of(problem, today)
            if problem.status == Status.RECTIFYING
            else None,
            "stage_list": stages_for(problem) if problem.status == Status.PENDING else [],
            "declining": declining,
            "contact_hop": contact_hop(problem),
            "parts": [(part, acting[part.pk]) for part in parts],
            "dispatches": problem.dispatches.select_related(
                "org", "assigned_by", "reviewed_by", "decline_evidence"
            ),
            "successor": getattr(problem, "carried_to", None) if problem.is_carried_over else None,
            "from_citizens": _from_citizens(problem),
            "blocked_projects": visible_projects(request.user).filter(obstacles=problem),
            "opens_suggestions": handles_suggestions(request.user, problem.campaign),
            "forms": step_forms,
            # Which step was refused, and what was typed into it (the reason boxes).
            "kept_step": kept.step if kept else "",
            "kept": kept.data if kept else {},
        },
        status=status,
    )


def _from_citizens(problem: Problem) -> list[dict[str, Any]]:
    """What the citizens who raised it wrote (numbers masked), where, and their photos."""
    return [
        {
            "pk": s.pk,
            "code": s.receipt_code,
            "title": s.title,
            "text": mask_personal_data(s.text),
            "address": s.address,
            "channel": s.get_channel_display(),
            "submitted_at": s.submitted_at,
            "has_phone": bool(s.phone),
            "confidential": s.confidential,
            "photos": [photo.pk for photo in s.photos.all()],
        }
        for s in problem.suggestions.prefetch_related("photos").order_by("submitted_at")  # type: ignore[attr-defined]
    ]


@login_required
def problem_print(request: AuthedRequest, pk: int) -> HttpResponse:
    """The problem as a 交办单 to print and stamp, or a 督办单 when a notice was issued."""
    problem = get_object_or_404(
        visible_problems(request.user).select_related("campaign__org", "org", "focus_area"),
        pk=pk,
    )
    notice = problem.notices.order_by("-issued_on", "-pk").first()
    return render(
        request,
        "ledger/problem_print.html",
        {
            "problem": problem,
            "campaign": problem.campaign,
            "sheet_title": _("督办单") if notice else _("问题交办单"),
            "notice": notice,
            "measures": problem.measures.order_by("order", "pk"),
            "latest": problem.reports.order_by("-reported_on", "-pk").first(),
            "cooperating": problem.cooperating_orgs.all(),
        },
    )


@dataclass
class Kept:
    """A refused step's form as the user filled it, to show again."""

    step: str  # the action (decline, progress, …)
    key: str  # its form's name in the page's forms
    form: django_forms.Form | None
    data: Any


def _kept(
    request: HttpRequest,
    problem: Problem,
    step: str,
    key: str,
    form_class: type[django_forms.Form],
    extra: dict[str, Any],
    form: django_forms.Form | None = None,
) -> Kept:
    """What the user typed, with the problem's current version: after a conflict the page
    shows the problem as it now is, and the kept text can be sent again once read."""
    data = request.POST.copy()
    current = Problem.objects.filter(pk=problem.pk).values_list("version", flat=True).first()
    data["version"] = str(current if current is not None else problem.version)
    if form is None:
        form = form_class(data, **extra) if key in _FORMS_KEPT else None
    return Kept(step, key, form, data)


# The step forms the page renders from a form object; the others are reason boxes.
_FORMS_KEPT = {
    "assign", "merge", "edit", "area", "measure", "progress", "extension", "decline", "forward",
    "review_decline", "cooperate", "contact",
}  # fmt: skip


STEP_FORMS: dict[str, type[django_forms.Form]] = {
    "sign": forms.VersionedForm,
    "decline": forms.DeclineForm,
    "forward": forms.ForwardForm,
    "contact": forms.ContactForm,
    "review_decline": forms.ReviewDeclineForm,
    "apply": forms.ReasonForm,
    "approve": forms.ReasonForm,
    "return": forms.ReasonForm,
    "reopen": forms.ReasonForm,
    "void": forms.ReasonForm,
    "assign": forms.AssignForm,
    "merge": forms.MergeForm,
}


def _scoped_problem(request: HttpRequest, pk: int) -> Problem:
    return get_object_or_404(
        visible_problems(request.user).select_related("campaign", "org"), pk=pk
    )


def _run(
    request: HttpRequest,
    problem: Problem,
    work: Callable[[], Any],
    done: str,
    keep: Callable[[], Kept] | None = None,
) -> HttpResponse:
    """Take the step; when it is refused, say why and show the page again with what was typed
    (`keep`), else go back to the page."""
    try:
        work()
    except ConflictError as exc:
        messages.error(request, str(exc))
        status = 409
    except (ValidationError, PermissionDenied) as exc:
        for message in _error_messages(exc):
            messages.error(request, message)
        status = 400
    else:
        messages.success(request, done)
        return redirect("problem_detail", pk=problem.pk)
    if keep is None:
        return redirect("problem_detail", pk=problem.pk)
    return _detail(request, problem.pk, kept=keep(), status=status)


def _form_step(
    request: HttpRequest,
    pk: int,
    form_class: type[django_forms.Form],
    work: Callable[[Problem, dict[str, Any]], Any],
    done: str,
    with_campaign: bool = False,
    *,
    step: str,
    key: str = "",
) -> HttpResponse:
    """Validate a posted form, then take one service step on a problem the user can see;
    a refused form or step shows the page again with what was typed."""
    problem = _scoped_problem(request, pk)
    extra: dict[str, Any] = {"campaign": problem.campaign} if with_campaign else {}
    form = form_class(request.POST, request.FILES, **extra)
    key = key or step
    if not form.is_valid():
        for message in field_errors(form):
            messages.error(request, _("提交的内容有误:%(e)s") % {"e": message})
        kept = _kept(request, problem, step, key, form_class, extra, form=form)
        return _detail(request, pk, kept=kept, status=400)
    return _run(
        request,
        problem,
        lambda: work(problem, form.cleaned_data),
        done,
        keep=lambda: _kept(request, problem, step, key, form_class, extra),
    )


@login_required
@require_POST
def problem_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    if action not in STEP_FORMS:
        raise Http404("no such action")
    return _form_step(
        request,
        pk,
        STEP_FORMS[action],
        lambda problem, data: take_step(action, problem, request.user, data),
        _("已办理。"),
        step=action,
        key=action if action in _FORMS_KEPT else "reason",
    )


@login_required
@require_POST
def edit_problem(request: AuthedRequest, pk: int) -> HttpResponse:
    def save(problem: Problem, data: dict[str, Any]) -> None:
        changes = {k: v for k, v in data.items() if k != "version" and getattr(problem, k) != v}
        if changes:
            services.update_problem(problem, by=request.user, version=data["version"], **changes)

    return _form_step(
        request, pk, forms.EditForm, save, _("已保存。"), with_campaign=True, step="edit"
    )


@login_required
@require_POST
def confirm_area(request: AuthedRequest, pk: int) -> HttpResponse:
    return _form_step(
        request,
        pk,
        forms.AreaForm,
        lambda problem, d: services.confirm_focus_area(
            problem, by=request.user, version=d["version"], area=d["focus_area"]
        ),
        _("聚焦领域已确认。"),
        with_campaign=True,
        step="area",
    )


@login_required
@require_POST
def add_measure(request: AuthedRequest, pk: int) -> HttpResponse:
    return _form_step(
        request,
        pk,
        forms.MeasureForm,
        lambda problem, d: services.add_measure(
            problem, by=request.user, content=d["content"], deadline=d["deadline"]
        ),
        _("措施已添加。"),
        step="measure",
    )


@login_required
@require_POST
def report_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    def report(problem: Problem, d: dict[str, Any]) -> None:
        measure = problem.measures.filter(pk=d["measure"]).first() if d["measure"] else None
        services.report_progress(
            problem,
            by=request.user,
            percent=d["percent"],
            text=d["text"],
            reported_on=d["reported_on"],
            measure=measure,
        )

    return _form_step(request, pk, forms.ProgressForm, report, _("进展已报告。"), step="progress")


@login_required
@require_POST
def upload_evidence(request: AuthedRequest, pk: int) -> HttpResponse:
    return _form_step(
        request,
        pk,
        forms.EvidenceForm,
        lambda problem, d: services.add_evidence(
            problem,
            by=request.user,
            upload=d["file"],
            original_name=d["file"].name,
            note=d["note"],
        ),
        _("佐证材料已上传。"),
        step="evidence",
    )


@login_required
def download_evidence(request: AuthedRequest, pk: int, evidence_id: int) -> FileResponse:
    problem = _scoped_problem(request, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_id, problem=problem)
    path = evidence_path(evidence.stored_name)
    if not path.exists():
        raise Http404("file missing")
    shown = PREVIEWED.get(evidence.file_type) if request.GET.get("inline") else None
    if shown is None:  # a download, not the preview in the problem's page
        record_download("证明材料", f"{problem.number} {evidence.original_name}")
    response = FileResponse(
        path.open("rb"),
        as_attachment=shown is None,
        filename=evidence.original_name,
        **({"content_type": shown} if shown else {}),
    )
    response["X-Content-Type-Options"] = "nosniff"
    if shown == "application/pdf":
        # Shown in a frame of the problem's own page, and only there.
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


# Evidence shown in the page (its type checked by its first bytes when it was uploaded).
PREVIEWED = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "pdf": "application/pdf",
}


@login_required
@require_POST
def request_extension(request: AuthedRequest, pk: int) -> HttpResponse:
    return _form_step(
        request,
        pk,
        forms.ExtensionForm,
        lambda problem, d: services.request_extension(
            problem, by=request.user, new_deadline=d["new_deadline"], reason=d["reason"]
        ),
        _("延期申请已提交。"),
        step="extension",
    )


@login_required
@require_POST
def decide_extension(request: AuthedRequest, pk: int, extension_id: int) -> HttpResponse:
    def decide(problem: Problem, d: dict[str, Any]) -> None:
        extension = get_object_or_404(ExtensionRequest, pk=extension_id, problem=problem)
        services.decide_extension(
            extension,
            by=request.user,
            version=d["version"],
            approve=d["approve"] == "1",
            note=d["note"],
        )

    return _form_step(
        request, pk, forms.ExtensionDecisionForm, decide, _("延期申请已审批。"), step="decide"
    )


@login_required
@require_POST
def set_cooperating(request: AuthedRequest, pk: int) -> HttpResponse:
    def save(problem: Problem, d: dict[str, Any]) -> None:
        orgs = [resolve_unit(name, problem.campaign.org) for name in unit_names(d["units"])]
        services.set_cooperating(
            problem, by=request.user, version=d["version"], orgs=orgs, reason=d["reason"]
        )

    return _form_step(
        request, pk, forms.CooperateForm, save, _("协办单位已保存。"), step="cooperate"
    )


def _part_step(problem: Problem, request: AuthedRequest, part_id: int, action: str, d: Any) -> None:
    part = get_object_or_404(Part.objects.select_related("org", "problem"), pk=part_id,
                             problem=problem)  # fmt: skip
    by = request.user
    if action == "sign":
        services.sign_part(part, by=by)
    elif action == "report":
        services.report_part(part, by=by, percent=d["percent"], text=d["text"])
    elif action == "measure":
        services.add_measure(
            problem, by=by, content=d["content"], deadline=d["deadline"], part=part
        )
    elif action == "evidence":
        services.add_evidence(
            problem, by=by, upload=d["file"], original_name=d["file"].name, note=d["note"],
            part=part,
        )  # fmt: skip
    elif action == "finish":
        services.finish_part(part, by=by, note=d["note"])
    elif action == "waive":
        services.waive_part(part, by=by, reason=d["reason"])
    else:
        services.set_part_deadline(part, by=by, deadline=d["deadline"])


PART_FORMS: dict[str, type[django_forms.Form]] = {
    "sign": django_forms.Form,
    "report": forms.PartReportForm,
    "measure": forms.MeasureForm,
    "evidence": forms.EvidenceForm,
    "finish": forms.PartFinishForm,
    "waive": forms.PartWaiveForm,
    "deadline": forms.PartDeadlineForm,
}


@login_required
@require_POST
def part_action(request: AuthedRequest, pk: int, part_id: int, action: str) -> HttpResponse:
    """A co-operating unit's step on its part (签收, 进展, 措施, 佐证, 完成), or the level
    above's (豁免) and the lead unit's (协办时限)."""
    if action not in PART_FORMS:
        raise Http404("no such action")
    return _form_step(
        request,
        pk,
        PART_FORMS[action],
        lambda problem, d: _part_step(problem, request, part_id, action, d),
        _("已办理。"),
        step=f"part-{action}",
        key="reason",
    )
