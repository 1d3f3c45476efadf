"""Codes as people read them, the same on every page: {{ s.receipt_code|receipt }}."""

from django import template

from taizhang.core import receipts

register = template.Library()


@register.filter
def receipt(code: str) -> str:
    return receipts.display(code or "")
