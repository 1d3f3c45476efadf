"""A past moment's figures recomputed from the history equal the figures as they stood then:
captured live at that moment, or frozen in that day's snapshot."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from taizhang.ledger import services
from taizhang.ledger.models import ProblemEvent, Status
from taizhang.ledger.services.dispatching import forward_problem
from taizhang.reports.history import (
    LEDGER_KEYS,
    Moment,
    against_snapshot,
    moment,
    stats_at,
    trend_points,
)  # fmt: skip
from taizhang.reports.snapshots import snapshot_figures, take_snapshots
from taizhang.reports.stats import campaign_stats
from taizhang.testing import close, record


def ledger_part(stats: dict) -> dict:  # type: ignore[type-arg]
    return {k: stats[k] for k in LEDGER_KEYS}


def now_moment() -> Moment:
    return Moment(timezone.now(), timezone.localdate(), "now")


def test_each_past_moment_is_recomputed_as_it_stood(world):
    first = record(world)
    second = record(world, org=world.town_a2, by=world.handler_a2)
    record(world, org=world.dept_b1, by=world.handler_b1)
    at_start = now_moment()
    then = {
        u: ledger_part(campaign_stats(world.campaign, org=u)) for u in (world.city, world.county_a)
    }
    close(world, first)
    services.void_problem(second, by=world.office, version=second.version, reason="重复")
    record(world)  # a problem recorded later did not exist then
    later = now_moment()
    for unit in (world.city, world.county_a):
        assert ledger_part(stats_at(world.campaign, at_start, org=unit)) == then[unit]
    assert then[world.city]["problems_total"] == 3 and then[world.city]["problems_rectified"] == 0
    now = ledger_part(stats_at(world.campaign, later))
    assert now == ledger_part(campaign_stats(world.campaign))
    assert (now["problems_total"], now["problems_rectified"], now["problems_void"]) == (3, 1, 1)


def test_a_day_with_a_snapshot_agrees_with_it(world):
    record(world)
    close(world, record(world))
    today = timezone.localdate()
    take_snapshots(world.campaign, today, depth=2)  # down to the departments
    for unit in (world.city, world.county_a, world.county_b, world.dept_a1):
        frozen = snapshot_figures(world.campaign, unit, today)
        assert frozen is not None
        assert ledger_part(stats_at(world.campaign, moment(today.isoformat()), org=unit)) == (
            ledger_part(frozen)
        )
        compared = against_snapshot(world.campaign, unit, moment(today.isoformat()))
        assert compared is not None and compared["agrees"] and compared["differs"] == []


def test_overdue_is_judged_on_the_day_asked(world):
    problem = record(world)
    deadline = problem.deadline
    before = moment((deadline - dt.timedelta(days=1)).isoformat())
    after = moment((deadline + dt.timedelta(days=1)).isoformat())
    # Asked about days after today, the history so far: overdue once the deadline has passed.
    assert stats_at(world.campaign, before)["overdue"] == 0
    assert stats_at(world.campaign, after)["overdue"] == 1
    assert problem.status == Status.RECTIFYING


def test_a_reader_who_sees_part_gets_their_part(world):
    record(world)
    record(world, org=world.dept_b1, by=world.handler_b1)
    at = now_moment()
    mine = stats_at(world.campaign, at, user=world.handler_a1)
    assert (
        mine["problems_total"]
        == ledger_part(campaign_stats(world.campaign, user=world.handler_a1))["problems_total"]
        == 1
    )


def test_moments_are_read_as_the_end_of_the_day_or_minute():
    day = moment("2026-03-31")
    assert day.day == dt.date(2026, 3, 31) and day.before.hour == 0
    assert day.before.date() == dt.date(2026, 4, 1)
    minute = moment("2026-03-31T14:30")
    assert (minute.before.hour, minute.before.minute) == (14, 31)
    for bad in ("31/03/2026", "2026-03-31T14:30:15", "昨天"):
        try:
            moment(bad)
        except ValueError as error:
            assert "格式不正确" in str(error)
        else:
            raise AssertionError(bad)


def test_the_trend_counts_each_day_as_the_history_recomputes_it(world):
    close(world, record(world))
    second = record(world, org=world.town_a2, by=world.handler_a2)
    record(world, org=world.dept_b1, by=world.handler_b1)
    services.void_problem(second, by=world.office, version=second.version, reason="重复")
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    for unit in (world.city, world.county_a, world.county_b):
        points = trend_points(world.campaign, unit, [yesterday, today])
        now = stats_at(world.campaign, moment(today.isoformat()), org=unit)
        assert (points[today]["total"], points[today]["rectified"]) == (
            now["problems_total"], now["problems_rectified"])  # fmt: skip
        assert points[yesterday]["total"] == 0 and points[yesterday]["rate"] is None
    assert trend_points(world.campaign, world.county_a, [today])[today]["rate"] == 100.0


def test_a_problem_sent_on_counts_where_it_was_at_the_moment(world):
    problem = record(world, by=world.office, org=world.county_a)
    assert problem.status == Status.ASSIGNED
    before = now_moment()
    forward_problem(problem, by=world.admin_a, version=problem.version, org=world.town_a2)
    after = now_moment()
    then = stats_at(world.campaign, before, org=world.county_a)
    assert then["by_org"]["141002"]["problems_total"] == 1  # the county's own
    assert then["by_org"]["141002101"]["problems_total"] == 0
    assert stats_at(world.campaign, before, org=world.town_a2)["problems_total"] == 0
    assert stats_at(world.campaign, after, org=world.town_a2)["problems_total"] == 1
    assert stats_at(world.campaign, after, org=world.county_a)["by_org"]["141002101"][
        "problems_total"] == 1  # fmt: skip


def test_the_page_checks_a_past_day_for_a_leader(world, client):
    close(world, record(world))
    today = timezone.localdate()
    take_snapshots(world.campaign, today)
    client.force_login(world.leader_a)
    url = reverse("figures_then", args=[world.campaign.slug])
    page = client.get(url, {"at": today.isoformat()}).content.decode()
    assert 'id="then-rate">100.0%' in page or 'id="then-rate">100%' in page
    assert "冻结的数字一致" in page and "--org 141002 --as-of" in page
    before = client.get(url, {"at": "2020-01-01"}).content.decode()
    assert 'id="figures-then-error"' in before and "还没有台账" in before
    overview = client.get(reverse("campaign_overview", args=[world.campaign.slug])).content
    assert b'id="figures-then-link"' in overview


def test_rows_from_before_every_row_recorded_its_state_are_read_by_their_status(world):
    close(world, record(world))
    record(world, org=world.dept_b1, by=world.handler_b1)
    at = now_moment()
    expected = ledger_part(stats_at(world.campaign, at))
    ProblemEvent.objects.update(state=None)  # as bulk rows of earlier versions were written
    assert ledger_part(stats_at(world.campaign, at)) == expected
    assert expected["problems_rectified"] == 1 and expected["problems_total"] == 2
