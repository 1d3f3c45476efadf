from typing import Any

from django import template

from taizhang.ledger.views import list_url

register = template.Library()


@register.simple_tag
def rows_url(slug: str, **params: Any) -> str:
    """The ledger list that produces a figure: the figure's filter plus the cut it is shown in."""
    return list_url(slug, **params)


@register.filter
def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
