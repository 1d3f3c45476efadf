"""The office's page for the dispatch catalogue: the current version, its history, a row
added or removed (each a new version), and the whole table out to Excel and back."""

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.audit.services import record_export
from taizhang.campaigns.access import campaign_for
from taizhang.catalogue import forms, services
from taizhang.catalogue.models import CatalogueVersion
from taizhang.core.forms import field_errors
from taizhang.core.typing import AuthedRequest
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.naming import unit_names
from taizhang.sheets.catalogue_io import read_catalogue, write_catalogue
from taizhang.sheets.errors import ImportRefused
from taizhang.sheets.reading import MAX_BYTES
from taizhang.sheets.workbook import download


def _readable(request: AuthedRequest, slug: str) -> Any:
    campaign = campaign_for(request.user, slug)
    if not services.can_read(request.user, campaign):
        raise Http404
    return campaign


@login_required
def catalogue_page(request: AuthedRequest, slug: str, form: Any = None) -> HttpResponse:
    campaign = _readable(request, slug)
    versions = CatalogueVersion.objects.filter(campaign=campaign).select_related("made_by")
    shown = services.current_version(campaign)
    if request.GET.get("version", "").isdigit():
        shown = versions.filter(number=int(request.GET["version"])).first() or shown
    current = services.current_version(campaign)
    return render(
        request,
        "catalogue/catalogue.html",
        {
            "campaign": campaign,
            "version": shown,
            "is_current": shown is not None and current is not None and shown.pk == current.pk,
            "entries": services.entries_of(shown),
            "versions": versions[:50],
            "can_edit": services.can_edit(request.user, campaign),
            "form": form or forms.EntryForm(campaign=campaign),
            "upload": forms.UploadForm(),
        },
        status=400 if form is not None else 200,
    )


def _units(written: str, campaign: Any) -> list[Any]:
    return [resolve_unit(name, campaign.org) for name in unit_names(written)]


@login_required
@require_POST
def add_entry(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = _readable(request, slug)
    form = forms.EntryForm(request.POST, campaign=campaign)
    if form.is_valid():
        d = form.cleaned_data
        try:
            entry = services.EntryData(
                lead_org=resolve_unit(d["lead_org"], campaign.org),
                focus_area=d["focus_area"],
                sub_category=d["sub_category"],
                keywords=d["keywords"],
                cooperating=_units(d["cooperating"], campaign),
                kind=d["kind"],
                time_limit_days=d["time_limit_days"],
            )
            version = services.add_entry(campaign, by=request.user, entry=entry)
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        else:
            messages.success(request, _("已保存为第 %(n)s 版。") % {"n": version.number})
            return redirect("catalogue", slug=slug)
    for message in field_errors(form):
        messages.error(request, message)
    return catalogue_page(request, slug, form=form)


@login_required
@require_POST
def remove_entry(request: AuthedRequest, slug: str, entry_id: int) -> HttpResponse:
    campaign = _readable(request, slug)
    try:
        version = services.remove_entry(campaign, by=request.user, entry_id=entry_id)
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("已保存为第 %(n)s 版。") % {"n": version.number})
    return redirect("catalogue", slug=slug)


@login_required
def export_catalogue(request: AuthedRequest, slug: str) -> FileResponse:
    campaign = _readable(request, slug)
    version = services.current_version(campaign)
    if request.GET.get("version", "").isdigit():
        version = (
            CatalogueVersion.objects.filter(
                campaign=campaign, number=int(request.GET["version"])
            ).first()
            or version
        )
    number = version.number if version else 0
    rows = version.entries.count() if version else 0
    record_export(f"派单目录 {campaign.slug} v{number}", rows=rows, fmt="xlsx")
    return download(
        f"派单目录-{campaign.slug}-v{number}.xlsx",
        lambda out: write_catalogue(out, version, campaign),
        issued_to=request.user,
    )


@login_required
@require_POST
def import_catalogue(request: AuthedRequest, slug: str) -> HttpResponse:
    """The whole table replaced by the workbook's rows, as the next version, or nothing."""
    campaign = _readable(request, slug)
    if not services.can_edit(request.user, campaign):
        raise PermissionDenied(_("只有活动办公室可以修改派单目录。"))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的表格文件。"))
        return redirect("catalogue", slug=slug)
    if upload.size and upload.size > MAX_BYTES:
        messages.error(request, _("文件超过 100 MB,请拆分后分批导入。"))
        return redirect("catalogue", slug=slug)
    with tempfile.TemporaryDirectory(prefix="taizhang-") as folder:
        path = Path(folder) / f"upload{Path(upload.name or '').suffix.lower()}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            entries = read_catalogue(path, campaign)
            version = services.publish(
                campaign, by=request.user, entries=entries, note=_("从表格导入")
            )
        except ImportRefused as exc:
            for error in exc.errors[:50]:
                messages.error(request, str(error))
            return redirect("catalogue", slug=slug)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("catalogue", slug=slug)
    messages.success(
        request,
        _("已导入 %(c)s 条,保存为第 %(n)s 版。") % {"c": len(entries), "n": version.number},
    )
    return redirect("catalogue", slug=slug)
