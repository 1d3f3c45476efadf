"""Who may work the suggestion queue and who may see a citizen's identity."""

from django.db.models import QuerySet

from taizhang.campaigns.access import handles_suggestions
from taizhang.campaigns.models import Campaign
from taizhang.intake.models import Suggestion
from taizhang.ledger.models import Problem, Status
from taizhang.ledger.permissions import can_contact, visible_problems
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import scope_of


def can_triage(user: object, campaign: Campaign) -> bool:
    return scope_of(user).reaches(campaign.org.path, (Role.OFFICE,))


def can_record(user: object, campaign: Campaign) -> bool:
    return handles_suggestions(user, campaign)


def may_see_photos(user: object, suggestion: Suggestion) -> bool:
    """Those who work the suggestions, and the units of the problems it became: what the
    citizen photographed is what they must fix."""
    if can_record(user, suggestion.campaign):
        return True
    return visible_problems(user).filter(suggestions=suggestion).exists()


def may_see_number_to_contact(user: object, suggestion: Suggestion, problem: Problem) -> bool:
    """The unit handling a problem made from it, while the problem is being worked: they must
    call the citizen (联系群众). Never a citizen who asked for confidentiality (保密): the
    hotline centre passes the unit's word on."""
    return (
        bool(suggestion.phone)
        and not suggestion.confidential
        and problem.status in (Status.RECTIFYING, Status.PENDING)
        and problem.suggestions.filter(pk=suggestion.pk).exists()  # type: ignore[attr-defined]
        and can_contact(user, problem)
    )


def visible_suggestions(user: object, campaign: Campaign) -> QuerySet[Suggestion]:
    if can_record(user, campaign):
        return Suggestion.objects.filter(campaign=campaign)
    return Suggestion.objects.none()


def may_see_identity(user: object, suggestion: Suggestion) -> bool:
    """The office always; hotline operators unless the citizen asked for confidentiality."""
    campaign = suggestion.campaign
    if can_triage(user, campaign):
        return True
    return not suggestion.confidential and can_record(user, campaign)
