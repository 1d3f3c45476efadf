"""Codes and people as readers see them, the same on every page: {{ s.receipt_code|receipt }},
{{ event.by|person }}."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

from taizhang.core import receipts

register = template.Library()


@register.filter
def receipt(code: str) -> str:
    return receipts.display(code or "")


@register.filter
def person(user: Any) -> str:
    """A user's display name, else their login; what the system did itself is 系统."""
    if user is None:
        return _("系统")
    return user.get_full_name() or user.username
