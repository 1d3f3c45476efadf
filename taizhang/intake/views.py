"""The public pages (no login) and the office's suggestion queue."""

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.campaigns.access import campaign_by_slug, campaign_for
from taizhang.campaigns.models import Campaign
from taizhang.catalogue import services as catalogue
from taizhang.core import params, receipts
from taizhang.core.clientip import client_ip
from taizhang.core.forms import field_errors
from taizhang.core.typing import AuthedRequest
from taizhang.intake import answers, forms, limits, permissions, privacy, services
from taizhang.intake import data_requests as citizen_requests
from taizhang.intake.auditing import record_identity_views
from taizhang.intake.citizen_access import TooManyAttempts, find_own
from taizhang.intake.models import (
    AnswerTemplate,
    Channel,
    IdentityView,
    PersonalDataRequest,
    RequestKind,
    Suggestion,
    SuggestionPhoto,
    SuggestionStatus,
)
from taizhang.intake.placeholders import PLACEHOLDERS
from taizhang.ledger.errors import ConflictError
from taizhang.ledger.evidence_files import evidence_path
from taizhang.ledger.models import Kind
from taizhang.ledger.permissions import visible_problems
from taizhang.orgs.naming import unit_names
from taizhang.sheets.workbook import Column, download, write_xlsx
from taizhang.triage import services as triage_services
from taizhang.triage.models import Proposal

security_log = logging.getLogger("taizhang.security")


def _public_campaign(slug: str) -> Campaign:
    campaign = campaign_by_slug(slug)
    if campaign is None:
        raise Http404("no such campaign")
    return campaign


def public_submit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _public_campaign(slug)
    form = forms.SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            raise Http404()  # the honeypot: say nothing useful to a robot
        photos = [(f, f.name or "") for f in request.FILES.getlist("photos")]
        try:
            suggestion = services.submit_suggestion(
                campaign,
                channel=Channel.WEB,
                title=data["title"],
                text=data["text"],
                address=data["address"],
                name=data["name"],
                phone=data["phone"],
                confidential=data["confidential"],
                photos=photos,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            request.session["receipt"] = suggestion.receipt_code
            return redirect("public_receipt", slug=slug)
    return render(
        request,
        "intake/public_submit.html",
        {"public_campaign": campaign, "form": form},
        status=400 if form.errors else 200,
    )


def public_receipt(request: HttpRequest, slug: str) -> HttpResponse:
    """Shown once after submitting: the code comes from the session, never from the URL."""
    campaign = _public_campaign(slug)
    code = request.session.get("receipt")
    if not code:
        return redirect("public_track", slug=slug)
    return render(
        request,
        "intake/public_receipt.html",
        {
            "public_campaign": campaign,
            "code": receipts.display(code),
        },
    )


def public_track(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _public_campaign(slug)
    form = forms.TrackForm(request.POST or None)
    context: dict[str, Any] = {"public_campaign": campaign, "form": form}
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if receipts.normalise(code) is None:
            form.add_error("code", _("回执码有误,请核对(字母 O 和数字 0 可以不分)。"))
        else:
            try:
                suggestion = find_own(
                    campaign, code, form.cleaned_data["phone_last4"], client_ip(request)
                )
            except TooManyAttempts as exc:
                form.add_error(None, str(exc))
                return render(request, "intake/public_track.html", context, status=429)
            if suggestion is None:
                form.add_error(None, _("没有找到这条意见建议:请核对回执码和手机号后四位。"))
            else:
                context.update(_public_view(suggestion))
                context["rate_form"] = forms.RateForm(
                    initial={"code": code, "phone_last4": form.cleaned_data["phone_last4"]}
                )
    return render(request, "intake/public_track.html", context, status=400 if form.errors else 200)


def _public_view(suggestion: Suggestion) -> dict[str, Any]:
    """What a citizen sees of their own suggestion: never anyone's identity, not even theirs."""
    return {
        "suggestion": suggestion,
        "code": receipts.display(suggestion.receipt_code),
        "text": privacy.mask_numbers_in_text(suggestion.text),
        "problems": suggestion.problems.select_related("org").all(),
        "can_rate": services.can_rate(suggestion),
    }


@require_POST
def public_rate(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _public_campaign(slug)
    form = forms.RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择评价。"))
        return redirect("public_track", slug=slug)
    try:
        suggestion = find_own(
            campaign,
            form.cleaned_data["code"],
            form.cleaned_data["phone_last4"],
            client_ip(request),
        )
    except TooManyAttempts as exc:
        messages.error(request, str(exc))
        return redirect("public_track", slug=slug)
    if suggestion is None:
        raise Http404()
    security_log.info(
        "public rating of suggestion %s from %s",
        suggestion.pk,
        privacy.ip_hash(client_ip(request))[:12],
    )
    try:
        services.rate_suggestion(
            suggestion, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
        )
    except ValidationError as exc:
        return render(
            request,
            "intake/public_track.html",
            {"public_campaign": campaign, "errors": exc.messages, **_public_view(suggestion)},
            status=400,
        )
    return render(
        request,
        "intake/public_track.html",
        {"public_campaign": campaign, "thanks": True, **_public_view(suggestion)},
    )


@login_required
def queue(request: AuthedRequest, slug: str) -> HttpResponse:
    """The suggestion queue: waiting ones first in, first out, each with its age and the
    working days left to answer or route it (超时 flagged and counted)."""
    campaign = campaign_for(request.user, slug)
    if not permissions.can_record(request.user, campaign):
        raise PermissionDenied(_("只有活动办公室和热线坐席可以查看意见建议。"))
    visible = permissions.visible_suggestions(request.user, campaign)
    suggestions = visible.select_related("focus_area", "proposal__area")
    status = request.GET.get("status", SuggestionStatus.RECEIVED)
    typed = request.GET.get("code", "").strip()[:40]
    is_late = bool(request.GET.get("late"))
    today = timezone.localdate()
    if typed:
        # A code is looked for whatever the suggestion's state.
        code = receipts.normalise(typed)
        if code is None:
            messages.error(request, _("“%(c)s”不是有效的回执码,请核对。") % {"c": typed})
        suggestions = suggestions.filter(receipt_code=code or "")
        status, is_late = "", False
    elif is_late:
        suggestions = suggestions.filter(limits.late(campaign, limits.ANSWER, today))
        status = SuggestionStatus.RECEIVED
    elif status in SuggestionStatus.values:
        suggestions = suggestions.filter(status=status)
    newest = request.GET.get("order") == "newest" or status not in ("", SuggestionStatus.RECEIVED)
    suggestions = suggestions.order_by(*(("-submitted_at", "-pk") if newest else
                                         ("submitted_at", "pk")))  # fmt: skip
    page = Paginator(suggestions, 50).get_page(request.GET.get("page"))
    rows = [
        (s, limits.clock_of(s, limits.ANSWER, today, campaign)
            if s.status == SuggestionStatus.RECEIVED else None)
        for s in page.object_list
    ]  # fmt: skip
    return render(
        request,
        "intake/queue.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": SuggestionStatus.choices,
            "code": typed,
            "late": is_late,
            "newest": newest,
            "late_count": visible.filter(limits.late(campaign, limits.ANSWER, today)).count(),
            "answer_days": limits.days_for(campaign, limits.ANSWER, "default"),
            # 用模板答复: the office picks waiting rows and a template.
            "templates": answers.templates_for(campaign)
            if permissions.can_triage(request.user, campaign)
            and status == SuggestionStatus.RECEIVED
            else [],
        },
    )


@login_required
@require_POST
def answer_picked(request: AuthedRequest, slug: str) -> HttpResponse:
    """The queue's 用模板答复: one template, filled in for each picked suggestion."""
    campaign = campaign_for(request.user, slug)
    if not permissions.can_triage(request.user, campaign):
        raise PermissionDenied(_("只有活动办公室可以答复意见建议。"))
    template = AnswerTemplate.objects.filter(
        campaign=campaign, pk=params.picked(request.POST.get("template"))
    ).first()
    ids = [int(v) for v in request.POST.getlist("pick") if v.isdigit()]
    try:
        if template is None:
            raise ValidationError(_("请选择答复模板。"))
        result = answers.answer_with(campaign, by=request.user, template=template, ids=ids)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已答复 %(n)s 条。") % {"n": len(result.done)})
        for code, why in result.refused.items():
            messages.error(request, f"{code}:{why}")
    return redirect("suggestion_queue", slug=slug)


@login_required
def answer_templates(request: AuthedRequest, slug: str) -> HttpResponse:
    """The office's 答复模板: listed, added and removed."""
    campaign = campaign_for(request.user, slug)
    if not permissions.can_triage(request.user, campaign):
        raise PermissionDenied(_("只有活动办公室可以管理答复模板。"))
    form = forms.AnswerTemplateForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and request.POST.get("remove"):
        answers.remove_template(
            campaign, by=request.user, template_id=params.picked(request.POST["remove"])
        )
        messages.success(request, _("已删除。"))
        return redirect("answer_templates", slug=slug)
    if request.method == "POST" and form.is_valid():
        try:
            answers.save_template(campaign, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("text", message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("answer_templates", slug=slug)
    return render(
        request,
        "intake/answer_templates.html",
        {
            "campaign": campaign,
            "form": form,
            "templates": answers.templates_for(campaign),
            "placeholders": PLACEHOLDERS,
        },
        status=400 if form.errors else 200,
    )


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion.objects.select_related("campaign__org"), pk=pk)
    if not permissions.can_record(request.user, suggestion.campaign):
        raise Http404()
    identity = permissions.may_see_identity(request.user, suggestion)
    if identity and (suggestion.name or suggestion.phone):
        IdentityView.objects.create(suggestion=suggestion, viewer=request.user, purpose="detail")
    can_triage = (
        permissions.can_triage(request.user, suggestion.campaign)
        and suggestion.status == SuggestionStatus.RECEIVED
    )
    proposal = Proposal.objects.filter(suggestion=suggestion).select_related("area", "org").first()
    route = None
    if can_triage:
        area_id = suggestion.focus_area_id or (proposal.area_id if proposal else None)
        route = catalogue.route(
            suggestion.campaign, area_id, f"{suggestion.title} {suggestion.text}"
        )
    return render(
        request,
        "intake/detail.html",
        {
            "campaign": suggestion.campaign,
            "s": suggestion,
            "identity": identity,
            "masked_name": privacy.mask_name(suggestion.name),
            "masked_phone": privacy.mask_phone(suggestion.phone),
            "text": privacy.mask_numbers_in_text(suggestion.text),
            "can_triage": can_triage,
            "similar": triage_services.likely_duplicates(suggestion) if can_triage else [],
            "precedents": triage_services.precedents(suggestion) if can_triage else [],
            "proposal": proposal,
            "route": route,
            "citizens": services.distinct_citizens(suggestion),
            "photos": suggestion.photos.all(),
            "areas": suggestion.campaign.focus_areas.all(),
            "templates": answers.templates_for(suggestion.campaign, suggestion.focus_area_id)
            if can_triage
            else [],
            "kinds": Kind.choices,
            "events": suggestion.events.select_related("actor"),
            "problems": suggestion.problems.all(),
            "duplicates": suggestion.duplicates.all(),
        },
    )


@login_required
def photo(request: AuthedRequest, pk: int, photo_id: int) -> FileResponse:
    """A citizen's photo, for the staff who may see the suggestion."""
    suggestion = get_object_or_404(Suggestion.objects.select_related("campaign__org"), pk=pk)
    if not permissions.may_see_photos(request.user, suggestion):
        raise Http404()
    stored = get_object_or_404(SuggestionPhoto, pk=photo_id, suggestion=suggestion)
    path = evidence_path(stored.stored_name)
    if not path.exists():
        raise Http404()
    response = FileResponse(path.open("rb"), content_type=f"image/{stored.file_type}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def contact_number(request: AuthedRequest, pk: int) -> HttpResponse:
    """The citizen's name and number for the unit that must call them (联系群众); each showing
    is logged as an identity view."""
    suggestion = get_object_or_404(Suggestion.objects.select_related("campaign"), pk=pk)
    problem = get_object_or_404(
        visible_problems(request.user), pk=params.row_id(request.POST.get("problem"))
    )
    if not permissions.may_see_number_to_contact(request.user, suggestion, problem):
        raise Http404()
    IdentityView.objects.create(suggestion=suggestion, viewer=request.user, purpose="contact")
    security_log.info("user %s was shown suggestion %s's number to contact", request.user.pk, pk)
    return render(
        request,
        "intake/contact_number.html",
        {"campaign": suggestion.campaign, "s": suggestion, "problem": problem},
    )


@login_required
@require_POST
def triage(request: AuthedRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion.objects.select_related("campaign__org"), pk=pk)
    if not permissions.can_record(request.user, suggestion.campaign):
        raise Http404()
    form = forms.TriageForm(request.POST)
    if not form.is_valid():
        for message in field_errors(form):
            messages.error(request, message)
        return redirect("suggestion_detail", pk=pk)
    d = form.cleaned_data
    template = AnswerTemplate.objects.filter(
        campaign=suggestion.campaign, pk=d.get("template") or 0
    ).first()
    if d["action"] == "answer" and template is not None and not d["text"].strip():
        d["text"] = answers.fill(template, suggestion)
    try:
        problem = services.triage(
            suggestion,
            by=request.user,
            version=d["version"],
            action=d["action"],
            text=d["text"],
            duplicate_of=d["duplicate_of"],
            org_code=d["org_code"],
            focus_area_id=d["focus_area"],
            kind=d["kind"],
            # The page's box says which units co-operate (empty: none); unsent, the catalogue.
            cooperating_codes=unit_names(d["cooperating"])
            if "cooperating" in request.POST
            else None,
        )
    except (ValidationError, PermissionDenied, ConflictError) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        done = _("已转为问题 %(n)s。") % {"n": problem.number} if problem else _("已处理。")
        messages.success(request, done)
    return redirect("suggestion_detail", pk=pk)


@login_required
def staff_entry(request: AuthedRequest, slug: str) -> HttpResponse:
    """Hotline operators and the office record a suggestion for a caller or from paper."""
    campaign = campaign_for(request.user, slug)
    if not permissions.can_record(request.user, campaign):
        raise PermissionDenied(_("您无权为本活动录入意见建议。"))
    form = forms.StaffEntryForm(request.POST or None)
    earlier: list[Suggestion] = []
    phone = (request.POST.get("phone") or "").strip()
    if phone:
        try:
            earlier = list(
                Suggestion.objects.filter(
                    campaign=campaign, phone_hash=privacy.phone_hash(privacy.clean_phone(phone))
                ).order_by("-submitted_at")[:10]
            )
        except ValidationError:
            earlier = []
        # Knowing a number's earlier suggestions is knowing who wrote them: the lookup shows
        # only those whose writer the reader may know, and is logged like any identity view.
        earlier = [e for e in earlier if permissions.may_see_identity(request.user, e)]
        IdentityView.objects.bulk_create(
            IdentityView(suggestion=e, viewer=request.user, purpose="lookup") for e in earlier
        )
        record_identity_views(earlier, "lookup")  # bulk_create sends no signal
    if request.method == "POST" and "lookup" not in request.POST and form.is_valid():
        d = form.cleaned_data
        try:
            suggestion = services.submit_suggestion(
                campaign,
                channel=d["channel"],
                title=d["title"],
                text=d["text"],
                address=d["address"],
                name=d["name"],
                phone=d["phone"],
                confidential=d["confidential"],
                by=request.user,
                collected_on=d["collected_on"],
                collected_at_place=d["collected_at_place"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("已登记,回执码 %(c)s。") % {"c": receipts.display(suggestion.receipt_code)},
            )
            return redirect("suggestion_entry", slug=slug)
    if "lookup" in request.POST:
        form.errors.clear()
    return render(
        request,
        "intake/entry.html",
        {
            "campaign": campaign,
            "form": form,
            "earlier": earlier,
        },
    )


@login_required
def find(request: AuthedRequest, slug: str) -> HttpResponse:
    """The search box on every page: a receipt code opens its suggestion (or the problem it
    became, for a unit), a problem's 编号 opens the problem, any other text opens the
    full-text search over problems and suggestions (search.views)."""
    campaign = campaign_for(request.user, slug)
    typed = request.GET.get("q", "").strip()[:200]
    ledger = reverse("problem_list", args=[slug])
    if not typed:
        return redirect(ledger)
    problems = visible_problems(request.user, campaign)
    code = receipts.normalise(typed)
    if code is not None:
        suggestion = Suggestion.objects.filter(campaign=campaign, receipt_code=code).first()
        if suggestion is not None and permissions.can_record(request.user, campaign):
            return redirect("suggestion_detail", pk=suggestion.pk)
        made = list(problems.filter(suggestions__receipt_code=code)[:2])
        if len(made) == 1:
            return redirect("problem_detail", pk=made[0].pk)
    numbered = problems.filter(number__iexact=typed).first()
    if numbered is not None:
        return redirect("problem_detail", pk=numbered.pk)
    return redirect(f"{reverse('search', args=[slug])}?{urlencode({'q': typed})}")


PERSONAL_COLUMNS = [Column("回执码", 14), Column("提交时间", 17), Column("渠道", 8),
                    Column("标题", 24), Column("内容", 50, wrap=True), Column("姓名", 10),
                    Column("电话", 14), Column("地点", 20), Column("状态", 8),
                    Column("答复", 40, wrap=True), Column("评价", 8)]  # fmt: skip


@login_required
def personal_data(request: AuthedRequest, slug: str) -> HttpResponse | FileResponse:
    """个人信息查询、删除请求: the office finds a citizen's suggestions by number or receipt
    code, gives them a copy or erases their name and number, and the request is kept."""
    campaign = campaign_for(request.user, slug)
    if not permissions.can_triage(request.user, campaign):
        raise PermissionDenied(_("群众个人信息的查询和删除请求由活动办公室办理。"))
    source = request.POST if request.method == "POST" else request.GET
    phone, codes = source.get("phone", "").strip(), source.get("codes", "").strip()
    error, found, who = "", [], None
    if phone or codes:
        try:
            who = citizen_requests.citizen(phone, codes)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            found = list(citizen_requests.suggestions_of(campaign, who))
    if request.method == "POST" and who is not None and not error:
        kind = request.POST.get("kind", "")
        try:
            handled = citizen_requests.handle(campaign, by=request.user, who=who, kind=kind,
                                              note=request.POST.get("note", ""))  # fmt: skip
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if kind == RequestKind.SEE:
                return download(
                    f"本人信息-{timezone.localdate():%Y%m%d}.xlsx",
                    lambda out: write_xlsx(out, sheet="本人信息", title=_("您在本活动中的意见建议"),
                                           subtitle=campaign.name, columns=PERSONAL_COLUMNS,
                                           rows=_personal_rows(found)),
                    issued_to=request.user,
                )  # fmt: skip
            messages.success(request, _("已删除 %(n)d 条意见建议中的姓名和电话,请求已记录。")
                             % {"n": handled.count})  # fmt: skip
            return redirect("personal_data", slug=slug)
    if found and request.method == "GET":
        shown = [s for s in found if s.name or s.phone]
        IdentityView.objects.bulk_create(
            IdentityView(suggestion=s, viewer=request.user, purpose="request") for s in shown
        )
        record_identity_views(shown, "request")  # bulk_create sends no signal
    handled_before = PersonalDataRequest.objects.filter(campaign=campaign).select_related(
        "handled_by")[:20]  # fmt: skip
    return render(
        request,
        "intake/personal_data.html",
        {"campaign": campaign, "phone": phone, "codes": codes, "found": found, "error": error,
         "searched": bool(phone or codes), "requests": handled_before},
        status=400 if error else 200,
    )  # fmt: skip


def _personal_rows(found: list[Suggestion]) -> list[list[Any]]:
    return [
        [receipts.display(s.receipt_code), timezone.localtime(s.submitted_at)
         .strftime("%Y-%m-%d %H:%M"), s.get_channel_display(), s.title, s.text, s.name, s.phone,
         s.address, s.get_status_display(), s.answer, s.get_rating_display() or ""]
        for s in found
    ]  # fmt: skip
