from django.db.models import QuerySet
from django.http import Http404

from taizhang.campaigns.models import Campaign
from taizhang.orgs.models import Org
from taizhang.orgs.scoping import scope_of


def visible_campaigns(user: object) -> QuerySet[Campaign]:
    """Campaigns whose org tree overlaps the user's subtrees."""
    campaigns = Campaign.objects.select_related("org").order_by("-starts_on", "-pk")
    return campaigns.filter(pk__in=[c.pk for c in campaigns if _overlaps(user, c)])


def campaign_for(user: object, slug: str) -> Campaign:
    campaign = Campaign.objects.select_related("org").filter(slug=slug).first()
    if campaign is None or not _overlaps(user, campaign):
        raise Http404("no such campaign")
    return campaign


def _overlaps(user: object, campaign: Campaign) -> bool:
    scope = scope_of(user)
    path = campaign.org.path
    return scope.is_superuser or any(
        p.startswith(path) or path.startswith(p) for p in scope.paths()
    )


def home_org(user: object, campaign: Campaign) -> Org:
    """The org a user's overview opens on: the campaign's root, or the top of their own scope."""
    scope = scope_of(user)
    if scope.reaches(campaign.org.path):
        return campaign.org
    inside = [p for p in scope.paths() if p.startswith(campaign.org.path)]
    if not inside:
        return campaign.org
    return Org.objects.filter(path=min(inside, key=len)).first() or campaign.org
