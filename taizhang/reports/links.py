"""Where every count links to its rows, and what every rate is a share of (DESIGN §4: no figure
without rows). The ledger's counts open the ledger list, the handling and hotline counts the
handling page's rows, the supervision, verdict and study counts the figure-rows page; a rate
is the share of two such counts, each of them linked."""

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from taizhang.campaigns.models import Campaign
from taizhang.reports.figures import FIGURES, list_url
from taizhang.reports.handling import HOP_FIGURES, PART_FIGURES, REPORT_FIGURE_LABELS
from taizhang.reports.hotline import HOTLINE_FIGURE_LABELS
from taizhang.reports.study import STUDY_FIGURE_LABELS
from taizhang.reports.verdict import VERDICT_FIGURE_LABELS

# rate: (the stats section it is read from, None for the ledger's top level; numerator;
# denominator).
RATES: dict[str, tuple[str | None, str, str]] = {
    "rectification_rate": (None, "problems_rectified", "problems_total"),
    "on_time_rate": (None, "problems_rectified_on_time", "problems_rectified"),
    "notice_reply_rate": ("supervision", "notices_replied_on_time", "notices_due"),
    "spot_check_pass_rate": ("supervision", "spot_checks_passed", "spot_checks_done"),
    "reopen_rate": ("supervision", "problems_reopened", "problems_ever_closed"),
    "satisfaction_rate": ("supervision", "ratings_satisfied", "ratings"),
    "hotline_response_rate": ("handling", "hotline_responded", "hotline_response_due"),
    "hotline_solve_rate": ("handling", "hotline_solved", "hotline_solve_asked"),
    "hotline_satisfaction_rate": ("handling", "hotline_satisfied", "hotline_ratings"),
    "attendance_rate": ("study", "attendance_present", "attendance_expected"),
}
HANDLING_COUNTS = {*HOP_FIGURES, *PART_FIGURES, *REPORT_FIGURE_LABELS, *HOTLINE_FIGURE_LABELS}
ROW_COUNTS = {*VERDICT_FIGURE_LABELS, *STUDY_FIGURE_LABELS}


def rows_url(campaign: Campaign, org_code: str, figure: str) -> str:
    """The list whose count is `figure` for the subtree of the unit `org_code`."""
    if figure in FIGURES:
        return list_url(campaign.slug, figure=figure, org=org_code)
    query = urlencode({"org": org_code, "figure": figure})
    if figure in HANDLING_COUNTS:
        return f"{reverse('handling_rows', args=[campaign.slug])}?{query}"
    if figure in ROW_COUNTS:
        return f"{reverse('figure_rows', args=[campaign.slug])}?{query}"
    raise KeyError(figure)


def rate_parts(stats: dict[str, Any], rate: str) -> tuple[int | None, int | None]:
    """The numerator and denominator of `rate` in the stats printed by `campaign_stats`."""
    section, numerator, denominator = RATES[rate]
    figures = stats if section is None else stats.get(section, {})
    return figures.get(numerator), figures.get(denominator)


def rate_cell(
    campaign: Campaign, org_code: str, rate: str, part: int | None, whole: int | None
) -> dict[str, Any]:
    """A rate's two counts, each linked to its rows (what a table cell shows beside it)."""
    _section, numerator, denominator = RATES[rate]
    return {
        "part": part,
        "whole": whole,
        "part_url": rows_url(campaign, org_code, numerator),
        "whole_url": rows_url(campaign, org_code, denominator),
    }
