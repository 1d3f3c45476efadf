from typing import Any

from django import template

from taizhang.audit.access import is_auditor

register = template.Library()


@register.filter(name="is_auditor")
def is_auditor_filter(user: Any) -> bool:
    return is_auditor(user)
