import copy

from django.db.models import QuerySet
from django.http import Http404

from taizhang.campaigns.models import Campaign
from taizhang.core.fresh import FreshFor
from taizhang.orgs.models import Org, Role
from taizhang.orgs.scoping import scope_of


def handles_suggestions(user: object, campaign: Campaign) -> bool:
    """The campaign office and hotline operators work the suggestions (and open them from a
    problem they became)."""
    return scope_of(user).reaches(campaign.org.path, (Role.OFFICE, Role.OPERATOR))


def named_or_latest(slug: str | None) -> Campaign | None:
    """The campaign a command names by its slug, or (none named) the one started last."""
    campaigns = Campaign.objects.select_related("org").order_by("-starts_on", "-pk")
    return (campaigns.filter(slug=slug) if slug else campaigns).first()


def visible_campaigns(user: object) -> QuerySet[Campaign]:
    """Campaigns whose org tree overlaps the user's subtrees."""
    campaigns = Campaign.objects.select_related("org").order_by("-starts_on", "-pk")
    return campaigns.filter(pk__in=[c.pk for c in campaigns if _overlaps(user, c)])


# Every page and API call of a campaign starts here; intake bursts make it a hot path.
_by_slug = FreshFor("campaigns", seconds=5.0)


def campaign_by_slug(slug: str) -> Campaign | None:
    """The campaign and its org, read from the database at most every few seconds per process;
    each caller gets its own copies, so that nothing one request sets on them leaks."""
    found = _by_slug.get(slug, lambda: _read_campaign(slug))
    if found is None:
        return None
    campaign = copy.copy(found)
    campaign.org = copy.copy(found.org)
    campaign.rules = copy.deepcopy(found.rules)
    return campaign


def _read_campaign(slug: str) -> Campaign | None:
    return Campaign.objects.select_related("org").filter(slug=slug).first()


def forget_campaigns() -> None:
    _by_slug.forget()


def campaign_for(user: object, slug: str) -> Campaign:
    campaign = campaign_by_slug(slug)
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


def reader_org(user: object, campaign: Campaign, asked: Org | None) -> tuple[Org, bool]:
    """The unit whose figures a reader gets when asking for `asked` (None: their home), and
    whether they see all of it. A county's leader asking for the city gets their county, under
    its own name, never the city's name over the county's figures; a reader who reaches several
    units under `asked` (an inspector of two counties) gets `asked`, partly seen."""
    if asked is None:
        asked = home_org(user, campaign)
    scope = scope_of(user)
    if scope.reaches(asked.path):
        return asked, True
    inside = [p for p in scope.paths() if p.startswith(asked.path)]
    tops = [p for p in inside if not any(p != q and p.startswith(q) for q in inside)]
    if len(tops) == 1:
        found = Org.objects.filter(path=tops[0]).first()
        if found is not None:
            return found, True
    if not tops:
        home = home_org(user, campaign)
        return home, scope.reaches(home.path)
    return asked, False


def reached_org(user: object, campaign: Campaign, code: str | None) -> Org:
    """The unit `code` of the campaign (else the reader's home), which the reader must reach
    whole: figures kept per subtree are never shown for a part of it."""
    org: Org | None = home_org(user, campaign)
    if code:
        org = Org.objects.filter(code=code, path__under=campaign.org.path).first()
    if org is None or not scope_of(user).reaches(org.path):
        raise Http404
    return org
