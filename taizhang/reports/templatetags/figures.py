from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from taizhang.reports.figures import Figures, list_url

register = template.Library()


@register.simple_tag
def rows_url(slug: str, **params: Any) -> str:
    """The ledger list that produces a figure: the figure's filter plus the cut it is shown in."""
    return list_url(slug, **params)


@register.filter
def rate(value: float | None) -> str:
    """A rate (every figure's rate is a percentage with one decimal), or — when there is
    nothing to divide."""
    return "—" if value is None else f"{value:.1f}%"


@register.filter
def yi(value: float | None) -> str:
    """An amount in 亿元 with two decimals (the project figures keep them to the cent)."""
    return "—" if value is None else f"{value:.2f}"


@register.filter
def get(mapping: dict[str, Any] | None, key: str) -> object:
    return mapping.get(key) if mapping else None


@register.simple_tag
def figure_cells(list_base: str, figures: Figures, **cut: Any) -> SafeString:
    """One table row's cells: counts link to their rows, rates show their parts on hover."""
    cut = {k: v for k, v in cut.items() if v not in (None, "")}

    def link(figure: str) -> str:
        return f"{list_base}?{urlencode({'figure': figure, **cut})}"

    cells = [
        (link("problems_total"), figures.problems_total),
        (link("problems_rectified"), figures.problems_rectified),
    ]
    html = format_html_join("", '<td class="num"><a href="{}">{}</a></td>', cells)
    return format_html(
        '{}<td class="num">{}</td><td class="num">{}</td><td class="num"><a href="{}">{}</a></td>',
        html,
        rate(figures.rectification_rate),
        rate(figures.on_time_rate),
        link("overdue"),
        figures.overdue,
    )
