import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.ledger.models import Status
from taizhang.ledger.permissions import can_edit, visible_problems
from taizhang.orgs.models import RoleAssignment
from taizhang.supervision import spotchecks, teams
from taizhang.supervision.models import CheckResult
from taizhang.testing import PDF, close, record


def test_team_members_see_exactly_their_orgs_read_only(world):
    a = record(world)
    b = record(world, by=world.handler_b1, org=world.dept_b1, title="侯马的问题")
    team = teams.save_team(
        world.campaign, by=world.office, name="第一巡回指导组",
        usernames=["nobody"], org_codes=[world.county_b.code],
    )  # fmt: skip
    world.nobody.refresh_from_db()
    seen = set(visible_problems(world.nobody).values_list("pk", flat=True))
    assert seen == {b.pk} and not can_edit(world.nobody, b)
    # The team moves to 尧都区: the member now sees that subtree instead.
    teams.save_team(
        world.campaign, by=world.office, name="第一巡回指导组",
        usernames=["nobody"], org_codes=[world.county_a.code], team=team,
    )  # fmt: skip
    world.nobody = type(world.nobody).objects.get(pk=world.nobody.pk)  # a new request
    assert set(visible_problems(world.nobody).values_list("pk", flat=True)) == {a.pk}
    teams.delete_team(team, by=world.office)
    assert not RoleAssignment.objects.filter(via__startswith="team:").exists()


def test_only_the_office_manages_teams_and_input_is_checked(world):
    with pytest.raises(PermissionDenied):
        teams.save_team(world.campaign, by=world.leader_a, name="组", usernames=[], org_codes=[])
    with pytest.raises(ValidationError, match="找不到用户"):
        teams.save_team(world.campaign, by=world.office, name="组", usernames=["ghost"],
                        org_codes=[])  # fmt: skip
    with pytest.raises(ValidationError, match="找不到单位“999”"):
        teams.save_team(world.campaign, by=world.office, name="组", usernames=[],
                        org_codes=["999"])  # fmt: skip
    by_name = teams.save_team(world.campaign, by=world.office, name="第一组", usernames=[],
                              org_codes=["尧都区", "侯马市"])  # fmt: skip
    assert set(by_name.orgs.all()) == {world.county_a, world.county_b}


def _closed(world, n, area=None):
    return [close(world, record(world, title=f"问题{i}", focus_area=area or world.area))
            for i in range(n)]  # fmt: skip


def test_a_draw_is_reproducible_and_per_area(world):
    _closed(world, 6)
    _closed(world, 4, area=world.area2)
    first = spotchecks.draw(world.campaign, world.county_a, by=world.inspector_a, percent=50,
                            seed=42)  # fmt: skip
    again = spotchecks.draw(world.campaign, world.county_a, by=world.inspector_a, percent=50,
                            seed=42)  # fmt: skip
    picked = sorted(first.items.values_list("problem_id", flat=True))
    assert picked == sorted(again.items.values_list("problem_id", flat=True))
    assert len(picked) == 3 + 2 and first.population == 10
    assert (first.round, again.round) == (1, 2)
    areas = sorted(first.items.values_list("problem__focus_area__name", flat=True))
    assert areas.count(world.area.name) == 3 and areas.count(world.area2.name) == 2
    two = spotchecks.draw(world.campaign, world.county_a, by=world.office, count=1)
    assert two.items.count() == 2  # one per area


def test_draws_are_checked(world):
    with pytest.raises(PermissionDenied):
        spotchecks.draw(world.campaign, world.county_b, by=world.inspector_a, count=1)
    with pytest.raises(ValidationError, match="二选一"):
        spotchecks.draw(world.campaign, world.county_a, by=world.inspector_a)
    with pytest.raises(ValidationError, match="没有已销号"):
        spotchecks.draw(world.campaign, world.county_a, by=world.inspector_a, count=1)


def test_a_failed_check_reopens_and_cannot_be_recorded_twice(world):
    (p,) = _closed(world, 1)
    check = spotchecks.draw(world.campaign, world.county_a, by=world.inspector_a, count=1)
    item = check.items.get()
    with pytest.raises(ValidationError, match="理由"):
        spotchecks.record(item, by=world.inspector_a, passed=False)
    spotchecks.record(
        item, by=world.inspector_a, passed=False, reason="现场路灯仍未修好",
        evidence=(io.BytesIO(PDF), "现场照片.pdf"),
    )  # fmt: skip
    item.refresh_from_db()
    p.refresh_from_db()
    assert item.result == CheckResult.FAILED and item.evidence is not None
    assert p.status == Status.RECTIFYING
    assert p.events.filter(action="reopen", reason__contains="抽查不通过").exists()
    with pytest.raises(ValidationError, match="不能重复记录"):
        spotchecks.record(item, by=world.inspector_a, passed=True)


def test_inspectors_record_findings_that_the_unit_must_sign(world, client):
    from taizhang.ledger import services as ledger
    from taizhang.ledger.models import Source

    finding = ledger.record_problem(
        campaign=world.campaign, by=world.inspector_a, title="窗口态度差", focus_area=world.area,
        org=world.dept_a1, kind="deadline", source=Source.INSPECTION,
    )  # fmt: skip
    assert finding.status == Status.ASSIGNED and finding.source == Source.INSPECTION
    with pytest.raises(PermissionDenied):  # anything else is not theirs to record
        ledger.record_problem(
            campaign=world.campaign, by=world.inspector_a, title="自查问题", focus_area=world.area,
            org=world.dept_a1, kind="deadline", source=Source.SELF_FOUND,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):  # nor outside their subtree
        ledger.record_problem(
            campaign=world.campaign, by=world.inspector_a, title="侯马", focus_area=world.area,
            org=world.dept_b1, kind="deadline", source=Source.INSPECTION,
        )  # fmt: skip
    client.force_login(world.inspector_a)
    from django.urls import reverse

    form = client.get(reverse("problem_create", args=[world.campaign.slug])).content.decode()
    assert 'value="inspection" selected' in form
