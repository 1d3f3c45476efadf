"""Members, meetings and the study tallies keep a copy of their unit's path: it follows a moved
unit, and the tallies of the units above (old and new) are counted again."""

from typing import Any

from taizhang.campaigns.models import Campaign
from taizhang.meetings.models import ActiveUnit, Meeting, Member
from taizhang.meetings.services import rebuild_member_tallies, rebuild_tallies
from taizhang.orgs.services import moved_path


def follow_moved_org(*, old_path: str, new_path: str, **_signal: Any) -> None:
    moved_members = Member.objects.filter(org_path__startswith=old_path).exists()
    campaigns = set(
        Meeting.objects.filter(org_path__startswith=old_path)
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    for model in (Member, Meeting, ActiveUnit):
        model.objects.filter(org_path__startswith=old_path).update(
            org_path=moved_path("org_path", old_path, new_path)
        )
    for campaign in Campaign.objects.filter(pk__in=campaigns):
        rebuild_tallies(campaign)
    if moved_members:
        rebuild_member_tallies()
