from django import template

from taizhang.campaigns.models import Campaign
from taizhang.intake import permissions

register = template.Library()


@register.filter
def can_triage(user: object, campaign: Campaign) -> bool:
    return permissions.can_triage(user, campaign)


@register.filter
def percent(value: float) -> str:
    return f"{round(100 * float(value or 0))}%"
