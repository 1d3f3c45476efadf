from typing import Any

from django import template

from taizhang.intake.privacy import privacy_notice

register = template.Library()


@register.simple_tag
def privacy_notice_of(campaign: Any) -> str:
    return privacy_notice(campaign)
