"""Every figure equals the count of the list its link opens (DESIGN §4: no figure without rows)."""

import datetime as dt
import io
import json
import random
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.utils import timezone

from taizhang.ledger import services, tallies
from taizhang.ledger.filters import apply_filters, parse_params
from taizhang.ledger.models import Kind, Problem, Status
from taizhang.ledger.permissions import visible_problems
from taizhang.reports.figures import FIGURES, list_url, live_breakdown
from taizhang.reports.stats import campaign_stats, tallied_breakdown
from taizhang.testing import PDF, record


def random_ledger(world, seed: int, size: int = 40) -> None:
    """Problems in every state, made by the services in a random order."""
    rng = random.Random(seed)
    units = [
        (world.handler_a1, world.dept_a1),
        (world.admin_a, world.branch_a2),
        (world.handler_b1, world.dept_b1),
        (world.office, world.county_a),
    ]
    for i in range(size):
        by, org = rng.choice(units)
        problem = record(
            world,
            by=by,
            org=org,
            kind=rng.choice(list(Kind)),
            focus_area=rng.choice([world.area, world.area2]),
            title=f"问题{i}",
            deadline=timezone.localdate() + dt.timedelta(days=rng.randint(1, 40)),
        )
        if problem.status == Status.ASSIGNED:
            services.sign_problem(problem, by=world.office, version=problem.version)
        step = rng.random()
        if step < 0.1:
            services.void_problem(problem, by=world.office, version=problem.version, reason="重复")
            continue
        if step < 0.45:
            continue
        services.add_evidence(
            problem, by=world.office, upload=io.BytesIO(PDF), original_name="a.pdf"
        )
        services.apply_to_close(problem, by=world.office, version=problem.version, note="done")
        if step < 0.55:
            continue
        services.approve_closure(problem, by=world.city_leader, version=problem.version)
    # Some problems are overdue: their deadline passed while they were open.
    open_ids = list(
        Problem.objects.filter(status=Status.RECTIFYING).values_list("pk", flat=True)[:5]
    )
    Problem.objects.filter(pk__in=open_ids).update(
        deadline=timezone.localdate() - dt.timedelta(days=3)
    )


def list_count(user, campaign, url: str) -> int:
    params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    query = parse_params(campaign, params)
    today = timezone.localdate()
    return apply_filters(visible_problems(user, campaign), campaign, query, today).count()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_equals_its_list(world, seed):
    random_ledger(world, seed)
    campaign = world.campaign
    for username in ("office", "leader_a", "handler_a1", "leader_b"):
        user = getattr(world, username)
        stats = campaign_stats(campaign, user=user)
        for figure in FIGURES:
            assert stats[figure] == list_count(
                user, campaign, list_url(campaign.slug, figure=figure)
            )
            for area in campaign.focus_areas.all():
                url = list_url(campaign.slug, figure=figure, area=area.pk)
                assert stats["by_focus_area"][area.name][figure] == list_count(user, campaign, url)
            for code, row in stats["by_org"].items():
                own = 1 if code == stats["org"] else None  # the root's own row: 本级
                url = list_url(campaign.slug, figure=figure, org=code, own=own)
                assert row[figure] == list_count(user, campaign, url), (username, code, figure)


def test_rates_follow_the_definitions(world):
    random_ledger(world, seed=7)
    figures = campaign_stats(world.campaign)
    counted = Problem.objects.exclude(status__in=[Status.VOID, Status.MERGED])
    closed = counted.filter(status=Status.CLOSED)
    assert figures["problems_total"] == counted.count()
    assert figures["rectification_rate"] == round(100 * closed.count() / counted.count(), 1)
    on_time = closed.filter(closed_on_time=True).count()
    assert figures["on_time_rate"] == round(100 * on_time / closed.count(), 1)
    assert figures["overdue"] == 5


def test_figures_roll_up_the_tree(world):
    record(world, by=world.admin_a, org=world.branch_a2)
    record(world, by=world.handler_a2, org=world.town_a2)
    record(world, by=world.handler_b1, org=world.dept_b1)
    stats = campaign_stats(world.campaign)
    assert stats["problems_total"] == 3
    assert (
        stats["by_org"]["141002"]["problems_total"] == 2
    )  # the county includes its township's branch
    assert stats["by_org"]["141081"]["problems_total"] == 1
    county = campaign_stats(world.campaign, org=world.county_a)
    assert county["by_org"]["141002101"]["problems_total"] == 2


def test_stats_command_prints_the_documented_keys(world, capsys):
    random_ledger(world, seed=4, size=12)
    call_command("stats", "--json", "--campaign", world.campaign.slug)
    data = json.loads(capsys.readouterr().out)
    for key in (
        "campaign",
        "problems_total",
        "problems_rectified",
        "rectification_rate",
        "on_time_rate",
        "overdue",
        "by_focus_area",
        "by_org",
    ):
        assert key in data
    assert data["campaign"] == "test-2026"
    assert set(data["by_org"]) == {"141002", "141081"}
    call_command("stats", "--json", "--campaign", world.campaign.slug, "--org", "141002")
    county = json.loads(capsys.readouterr().out)
    assert county["org"] == "141002"
    assert county["problems_total"] == data["by_org"]["141002"]["problems_total"]


def test_stats_command_refuses_unknown_names(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到活动"):
        call_command("stats", "--json", "--campaign", "nope")
    with pytest.raises(CommandError, match="找不到单位“999999”"):
        call_command("stats", "--json", "--org", "999999")
    call_command("stats", "--json", "--org", "尧都区")  # a name, as on the pages


@pytest.mark.parametrize("seed", [11, 12])
def test_tallies_always_equal_a_fresh_count(world, seed):
    random_ledger(world, seed)
    # More moves that change keys: reopen, reassign through decline, merge, void.
    closed = Problem.objects.filter(status=Status.CLOSED).first()
    services.reopen_problem(closed, by=world.office, version=closed.version, reason="抽查未通过")
    assigned = record(world, by=world.office, org=world.dept_a1)
    services.decline_problem(assigned, by=world.handler_a1, version=assigned.version, reason="不是")
    services.review_decline(assigned, by=world.office, version=assigned.version, accept=True)
    services.assign_problem(assigned, by=world.office, version=assigned.version, org=world.dept_b1)
    a, b = Problem.objects.filter(status=Status.RECTIFYING)[:2]
    services.merge_problem(a, into=b, by=world.office, version=a.version)
    assert tallies.stored_counts(world.campaign) == +tallies.fresh_counts(world.campaign)
    call_command("tallies", "check")


def test_tallied_and_live_breakdowns_agree(world):
    random_ledger(world, seed=21)
    today = timezone.localdate()
    for org in (world.city, world.county_a, world.town_a2, world.dept_b1):
        tallied = tallied_breakdown(world.campaign, org, today)
        live = live_breakdown(Problem.objects.filter(campaign=world.campaign), org.path, today)
        assert tallied.overall == live.overall
        assert {k: v for k, v in tallied.by_area.items() if v != type(v)()} == {
            k: v for k, v in live.by_area.items() if v != type(v)()
        }


@pytest.mark.parametrize("username", ["office", "leader_a", "handler_a1"])
def test_every_overdue_grid_cell_equals_its_list(world, username):
    from taizhang.reports.charts import overdue_grid
    from taizhang.reports.stats import child_rows, org_breakdown

    random_ledger(world, seed=5)
    user, today = getattr(world, username), timezone.localdate()
    areas = list(world.campaign.focus_areas.all())
    # A handler looking at the whole county sees only their own unit's rows, in the grid too.
    for org in (world.city, world.county_a):
        breakdown = org_breakdown(world.campaign, org, today, user)
        grid = overdue_grid(world.campaign, org, breakdown, child_rows(org, breakdown), areas)
        for cell in grid["cells"]:
            assert cell["value"] == list_count(user, world.campaign, cell["url"]), cell
        assert sum(c["value"] for c in grid["cells"]) == breakdown.overall.overdue
