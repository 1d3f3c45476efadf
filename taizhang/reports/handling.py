"""How units take up what is dispatched to them (派单: 按时签收率, 退单率, 改派) and how
co-operating units finish their parts (协办按期率), per unit subtree. Each count is defined
once here as a filter, so that the list behind a figure is the figure."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import OPEN_PART_STATES, Dispatch, HopState, Part, PartState
from taizhang.orgs.models import Org
from taizhang.reports.figures import percent


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
    by_org = {
        child.code: {"name": child.name, **_counts(campaign, child.path, today)}
        for child in org.children.order_by("code")  # type: ignore[attr-defined]
    }
    return {**_counts(campaign, org.path, today), "by_org": by_org}
