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


@register.filter
def can_record_suggestions(user: object, campaign: Campaign) -> bool:
    return permissions.can_record(user, campaign)


@register.filter
def can_spot_check(user: object) -> bool:
    from taizhang.orgs.models import Role
    from taizhang.orgs.scoping import scope_of

    return scope_of(user).has_role(Role.OFFICE, Role.INSPECTOR)
