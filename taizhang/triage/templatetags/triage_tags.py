from django import template

from taizhang.campaigns.access import home_org
from taizhang.campaigns.models import Campaign
from taizhang.intake import permissions
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import scope_of

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
    return scope_of(user).has_role(Role.OFFICE, Role.INSPECTOR)


@register.filter
def can_rank(user: object, campaign: Campaign) -> bool:
    """比学赶超 ranks the units below the reader's own top unit: shown when there are some."""
    top = home_org(user, campaign)
    return scope_of(user).reaches(top.path) and top.children.exists()
