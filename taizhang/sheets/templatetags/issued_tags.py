from typing import Any

from django import template

from taizhang.sheets.issued import issuer_line

register = template.Library()


@register.simple_tag
def printed_by(user: Any) -> str:
    """The line a printed page carries at its head and as its watermark."""
    return issuer_line(user, printing=True) if getattr(user, "is_authenticated", False) else ""
