"""How units take up what is dispatched to them (派单: 按时签收率, 退单率, 改派), how
co-operating units finish their parts (协办按期率), how they report (按时报送率) and the three
hotline rates (reports.hotline), per unit subtree. Each count is defined
once here as a filter, so that the list behind a figure is the figure."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import (
    OPEN_PART_STATES,
    Dispatch,
    HopState,
    Part,
    PartState,
    Problem,
    Status,
)
from taizhang.ledger.rhythm import expected_progress, is_behind, owes_q, reported_q
from taizhang.ledger.rhythm import groups as rhythm_groups
from taizhang.orgs.models import Org
from taizhang.reports.figures import percent
from taizhang.reports.hotline import definitions as hotline_definitions
from taizhang.reports.hotline import hotline_figures


@dataclass(frozen=True)
class HopFigure:
    label: Any
    # The hops it counts, as of a day (a hop still waiting is late once its day has passed).
    q: Any


def _late_waiting(today: dt.date) -> Q:
    return Q(state=HopState.WAITING, sign_by__lt=today)


HOP_FIGURES: dict[str, HopFigure] = {
    # Every hop but those ended before anyone could act (voided or merged while waiting).
    "dispatched": HopFigure(_("派单"), lambda today: ~Q(state=HopState.ENDED)),
    # Hops whose 签收时限 has come due: taken up (signed or sent on), or still waiting after it.
    "sign_due": HopFigure(
        _("应签收"), lambda today: Q(on_time__isnull=False) | _late_waiting(today)
    ),
    "signed_on_time": HopFigure(_("按时签收"), lambda today: Q(on_time=True)),
    "signed_late": HopFigure(_("超时签收"), lambda today: Q(on_time=False)),
    "waiting_late": HopFigure(_("超时未签收"), _late_waiting),
    "declined": HopFigure(_("退单"), lambda today: ~Q(decline_reason="")),
    "reassigned": HopFigure(_("退单改派"), lambda today: Q(state=HopState.DECLINED)),
    "rejected": HopFigure(_("退单驳回"), lambda today: Q(accepted=False)),
    "consulted": HopFigure(_("会商"), lambda today: Q(consult=True)),
}
HOP_FIGURE_LABELS = {name: f.label for name, f in HOP_FIGURES.items()}

# 协办: each co-operating unit's part of a problem, counted for the co-operating unit.
PART_FIGURES: dict[str, HopFigure] = {
    "parts": HopFigure(_("协办任务"), lambda today: ~Q(state=PartState.WITHDRAWN)),
    # Finished (on time or late), or still open after its deadline.
    "parts_due": HopFigure(
        _("应完成协办"),
        lambda today: Q(on_time__isnull=False) | Q(state__in=OPEN_PART_STATES, deadline__lt=today),
    ),
    "parts_on_time": HopFigure(_("按期完成协办"), lambda today: Q(on_time=True)),
    "parts_late": HopFigure(
        _("逾期协办"),
        lambda today: Q(on_time=False) | Q(state__in=OPEN_PART_STATES, deadline__lt=today),
    ),
    "parts_waived": HopFigure(_("豁免协办"), lambda today: Q(state=PartState.WAIVED)),
}
PART_FIGURE_LABELS = {name: f.label for name, f in PART_FIGURES.items()}


def hop_rows(campaign: Campaign, org: Org, figure: str, today: dt.date) -> QuerySet[Any]:
    """The hops (or the co-operating parts) behind one figure of one unit's subtree."""
    model, figures = (Part, PART_FIGURES) if figure in PART_FIGURES else (Dispatch, HOP_FIGURES)
    return model.objects.filter(  # type: ignore[attr-defined,no-any-return]
        figures[figure].q(today), campaign=campaign, org_path__under=org.path
    )


def _counts(campaign: Campaign, path: str, today: dt.date) -> dict[str, Any]:
    hops = Dispatch.objects.filter(campaign=campaign, org_path__under=path).aggregate(
        **{name: Count("pk", filter=f.q(today)) for name, f in HOP_FIGURES.items()}
    )
    parts = Part.objects.filter(campaign=campaign, org_path__under=path).aggregate(
        **{name: Count("pk", filter=f.q(today)) for name, f in PART_FIGURES.items()}
    )
    return {
        **hops,
        "signed_on_time_rate": percent(hops["signed_on_time"], hops["sign_due"]),
        "decline_rate": percent(hops["declined"], hops["dispatched"]),
        **parts,
        "parts_on_time_rate": percent(parts["parts_on_time"], parts["parts_due"]),
    }


def handling_figures(campaign: Campaign, org: Org, today: dt.date) -> dict[str, Any]:
    """The subtree's figures and those of each unit directly below it."""
    reports = report_figures(campaign, org, today)
    by_org = {
        child.code: {
            "name": child.name,
            **_counts(campaign, child.path, today),
            **reports["by_org"][child.code],
            **hotline_figures(campaign, child, today),
        }
        for child in org.children.order_by("code")  # type: ignore[attr-defined]
    }
    totals = {k: v for k, v in reports.items() if k != "by_org"}
    return {
        **_counts(campaign, org.path, today),
        **totals,
        **hotline_figures(campaign, org, today),
        "definitions": hotline_definitions(campaign),
        "by_org": by_org,
    }


# 定期调度 and 序时进度, over the problems being rectified.
REPORT_FIGURE_LABELS = {
    # Those that owed a report in the period that last ended (recorded before it began).
    "reports_due": _("上期应报送"),
    "reports_on_time": _("上期按时报送"),
    "reports_missed": _("上期未报送"),
    # Those that owe one for the current period and have not yet made it.
    "unreported_now": _("本期未报"),
    # Progress more than ledger.rhythm.BEHIND_BY points below 序时进度.
    "behind_schedule": _("进度滞后"),
}


def report_rows(campaign: Campaign, path: str, figure: str, today: dt.date) -> QuerySet[Problem]:
    """The problems behind one of REPORT_FIGURE_LABELS for one unit's subtree."""
    problems = Problem.objects.filter(campaign=campaign, org_path__under=path)
    if figure == "behind_schedule":
        return problems.filter(pk__in=[pk for pk, _path in _behind(problems, today)])
    chosen = Q(pk__in=[])
    for rhythm_q, rhythm in rhythm_groups(campaign):
        if figure == "unreported_now":
            opened, _due = rhythm.period(today)
            chosen |= owes_q(rhythm_q, opened) & ~reported_q(opened, today)
            continue
        opened, due = rhythm.last_closed(today)
        owes = owes_q(rhythm_q, opened)
        if figure == "reports_on_time":
            owes &= reported_q(opened, due)
        elif figure == "reports_missed":
            owes &= ~reported_q(opened, due)
        chosen |= owes
    return problems.filter(chosen)


def _behind(problems: QuerySet[Problem], today: dt.date) -> list[tuple[int, str]]:
    rows = problems.filter(status=Status.RECTIFYING).annotate(
        dated=Count("measures", filter=Q(measures__deadline__isnull=False,
                                         measures__part__isnull=True)),
        due=Count("measures", filter=Q(measures__deadline__lte=today,
                                       measures__part__isnull=True)),
    )  # fmt: skip
    return [
        (p.pk, p.org_path)
        for p in rows.only("pk", "org_path", "progress", "deadline", "created_at")
        if is_behind(p.progress, expected_progress(p, today, p.due, p.dated))  # type: ignore[attr-defined]
    ]


def report_figures(campaign: Campaign, org: Org, today: dt.date) -> dict[str, Any]:
    """The report figures of the subtree and of each unit directly below it, each figure
    read once and its rows counted per unit."""
    children = list(org.children.order_by("code"))  # type: ignore[attr-defined]
    totals: dict[str, Any] = {}
    by_org: dict[str, dict[str, Any]] = {c.code: {} for c in children}
    for figure in REPORT_FIGURE_LABELS:
        if figure == "behind_schedule":
            subtree = Problem.objects.filter(campaign=campaign, org_path__under=org.path)
            paths = [path for _pk, path in _behind(subtree, today)]
        else:
            found = report_rows(campaign, org.path, figure, today)
            paths = list(found.values_list("org_path", flat=True))
        totals[figure] = len(paths)
        for child in children:
            by_org[child.code][figure] = sum(p.startswith(child.path) for p in paths)
    for figures in (totals, *by_org.values()):
        figures["reports_on_time_rate"] = percent(
            figures["reports_on_time"], figures["reports_due"]
        )
    return {**totals, "by_org": by_org}
