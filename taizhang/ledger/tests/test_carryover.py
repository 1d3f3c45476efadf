import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from taizhang.campaigns.services import create_campaign
from taizhang.ledger import services
from taizhang.ledger.errors import TransitionError
from taizhang.ledger.models import Problem, Status
from taizhang.ledger.verify import verify
from taizhang.reports.stats import campaign_stats
from taizhang.testing import close, record


@pytest.fixture
def next_campaign(world):
    today = dt.date.today()
    return create_campaign(
        slug="test-2027",
        name="常态化",
        org=world.city,
        starts_on=today,
        ends_on=today + dt.timedelta(days=300),
        focus_areas=["优化营商环境", "增进民生福祉"],
        previous=world.campaign,
    )


def test_open_problems_carry_over_with_history_and_old_figures_stay(world, next_campaign):
    open_one = record(world, measures=["公布清单"])
    services.report_progress(open_one, by=world.handler_a1, percent=50, text="过半")
    closed_one = record(world)
    close(world, closed_one)
    before = campaign_stats(world.campaign)
    call_command(
        "carryover",
        "--from",
        "test-2026",
        "--to",
        "test-2027",
        "--by",
        "office",
        "--map",
        "破解民生难题=增进民生福祉",
    )
    successor = Problem.objects.get(campaign=next_campaign)
    assert successor.carried_from == open_one
    assert successor.status == Status.RECTIFYING and successor.measures.count() == 1
    assert campaign_stats(world.campaign) == before  # the published figures do not move
    # Each campaign's history chain took its row: both still check out.
    assert verify(world.campaign).intact and verify(next_campaign).intact
    open_one.refresh_from_db()
    with pytest.raises(TransitionError, match="已转入新一轮"):
        services.report_progress(open_one, by=world.handler_a1, percent=60, text="x")
    # Carrying twice carries nothing more.
    call_command("carryover", "--from", "test-2026", "--to", "test-2027", "--by", "office")
    assert Problem.objects.filter(campaign=next_campaign).count() == 1


def test_carry_over_needs_the_office_and_a_mapping(world, next_campaign):
    from taizhang.ledger.carryover import carry_over

    record(world, focus_area=world.area2)
    with pytest.raises(ValidationError, match="活动办公室"):
        carry_over(source=world.campaign, target=next_campaign, by=world.leader_a)
    with pytest.raises(ValidationError, match="破解民生难题"):
        carry_over(source=world.campaign, target=next_campaign, by=world.office)
