"""The campaign lookup every page starts with is held a few seconds per process."""

from taizhang.campaigns import access
from taizhang.campaigns.models import Campaign
from taizhang.core import fresh


def test_callers_get_their_own_copies(world):
    first = access.campaign_by_slug(world.campaign.slug)
    second = access.campaign_by_slug(world.campaign.slug)
    first.name = "改过"
    first.org.name = "改过"
    first.rules["time_limits"] = {}
    assert second.name == "测试活动" and second.org.name == "临汾市"
    assert "time_limits" not in second.rules or second.rules["time_limits"] != {}


def test_a_change_saved_here_is_seen_at_once(world):
    assert access.campaign_by_slug(world.campaign.slug).name == "测试活动"
    world.campaign.name = "新名称"
    world.campaign.save()
    assert access.campaign_by_slug(world.campaign.slug).name == "新名称"


def test_a_change_made_elsewhere_is_seen_within_seconds(world, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(fresh.time, "monotonic", lambda: clock[0])
    access.forget_campaigns()
    assert access.campaign_by_slug(world.campaign.slug).name == "测试活动"
    # Another server process renames it: an update() sends no signal to this one.
    Campaign.objects.filter(pk=world.campaign.pk).update(name="别处改的")
    assert access.campaign_by_slug(world.campaign.slug).name == "测试活动"
    clock[0] += access._by_slug.seconds
    assert access.campaign_by_slug(world.campaign.slug).name == "别处改的"


def test_an_unknown_slug_is_none(db):
    assert access.campaign_by_slug("no-such-campaign") is None
