"""督查与评价: the supervision and verdict figures of a unit and the units below it, and the
rows behind any supervision, verdict or study count (the list whose count is the figure)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from taizhang.campaigns.access import campaign_for, handles_suggestions, reached_org
from taizhang.campaigns.models import Campaign
from taizhang.core.typing import AuthedRequest
from taizhang.intake.models import Suggestion
from taizhang.intake.privacy import mask_name, mask_numbers_in_text
from taizhang.ledger.models import Problem
from taizhang.meetings.models import Attendance, Meeting, Member
from taizhang.meetings.services import can_see_names
from taizhang.orgs.models import Org
from taizhang.reports.links import RATES, rate_cell, rows_url
from taizhang.reports.study import STUDY_FIGURE_LABELS, study_rows
from taizhang.reports.verdict import VERDICT_FIGURE_LABELS, supervision_figures, verdict_rows
from taizhang.supervision.models import Notice, SpotCheckItem

VERDICT_RATES = {
    "notice_reply_rate": gettext_lazy("督办按期回复率"),
    "spot_check_pass_rate": gettext_lazy("抽查通过率"),
    "reopen_rate": gettext_lazy("退回重办率"),
    "satisfaction_rate": gettext_lazy("满意率"),
}
VERDICT_COUNTS = ("notices_issued", "notices_overdue_unreplied", "spot_checks_drawn")


def _cells(campaign: Campaign, org: Org, figures: dict[str, Any]) -> list[dict[str, Any]]:
    cells = []
    for rate, label in VERDICT_RATES.items():
        _section, part, whole = RATES[rate]
        cell = rate_cell(campaign, org.code, rate, figures[part], figures[whole])
        cells.append({"rate": rate, "label": label, "value": figures[rate], **cell})
    return cells


@login_required
def verdict_page(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    org = reached_org(request.user, campaign, request.GET.get("org"))
    today = timezone.localdate()
    figures = supervision_figures(campaign, org, today)
    children = Paginator(org.children.order_by("code"), 50).get_page(  # type: ignore[attr-defined]
        request.GET.get("page")
    )
    return render(
        request,
        "reports/verdict.html",
        {
            "campaign": campaign,
            "org": org,
            "today": today,
            "cells": _cells(campaign, org, figures),
            "counts": [
                (VERDICT_FIGURE_LABELS[name], figures[name], rows_url(campaign, org.code, name))
                for name in VERDICT_COUNTS
            ],
            "rates": list(VERDICT_RATES.values()),
            "children": children,
            "rows": [
                (child, _cells(campaign, child, supervision_figures(campaign, child, today)))
                for child in children
            ],
        },
    )


# What each kind of row is listed with, and in what order.
ROW_KINDS: dict[type, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    Notice: ("notice", ("problem", "org"), ("-issued_on", "-pk")),
    SpotCheckItem: ("item", ("problem", "spot_check__org"), ("-spot_check__drawn_at", "pk")),
    Problem: ("problem", ("org",), ("-pk",)),
    Suggestion: ("suggestion", (), ("-submitted_at", "-pk")),
    Meeting: ("meeting", ("org", "kind"), ("-held_on", "-pk")),
    Member: ("member", ("org",), ("org_path", "pk")),
    Org: ("branch", ("parent",), ("path",)),
    Attendance: ("attendance", ("meeting__org", "member"), ("-meeting__held_on", "pk")),
}


def figure_queryset(campaign: Campaign, org: Org, figure: str) -> QuerySet[Any]:
    """The rows behind a supervision, verdict or study count, as listed."""
    today = timezone.localdate()
    if figure in VERDICT_FIGURE_LABELS:
        rows = verdict_rows(campaign, org, figure, today)
    elif figure in STUDY_FIGURE_LABELS:
        rows = study_rows(campaign, org, figure)
    else:
        raise Http404
    _kind, related, order = ROW_KINDS[rows.model]
    return rows.select_related(*related).order_by(*order)


@login_required
def figure_rows(request: AuthedRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request.user, slug)
    org = reached_org(request.user, campaign, request.GET.get("org"))
    figure = request.GET.get("figure", "")
    rows = figure_queryset(campaign, org, figure)
    kind = ROW_KINDS[rows.model][0]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    names = can_see_names(request.user, org)
    context: dict[str, Any] = {
        "campaign": campaign,
        "org": org,
        "figure": figure,
        "kind": kind,
        "page": page,
        "today": timezone.localdate(),
    }
    if figure in STUDY_FIGURE_LABELS:
        context["label"] = STUDY_FIGURE_LABELS[figure]
        context["up"] = (reverse("study_overview", args=[slug]), gettext_lazy("学习与参与"))
    else:
        context["label"] = VERDICT_FIGURE_LABELS[figure]
        context["up"] = (reverse("verdict", args=[slug]), gettext_lazy("督查与评价"))
    if kind == "suggestion":
        context["titles"] = {s.pk: mask_numbers_in_text(s.title) for s in page}
        context["opens_suggestions"] = handles_suggestions(request.user, campaign)
    if kind in ("member", "attendance"):
        people = [row if kind == "member" else row.member for row in page]
        context["names"] = {p.pk: p.name if names else mask_name(p.name) for p in people}
    return render(request, "reports/figure_rows.html", context)
