import datetime as dt
import json
import random
from decimal import Decimal
from functools import partial
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from taizhang.evaluation.models import Snapshot
from taizhang.projects import services
from taizhang.projects.models import STAGES, Pool, Project, ProjectKind, ProjectStatus, Stage
from taizhang.projects.schedule import late_month
from taizhang.projects.tests.helpers import make
from taizhang.reports.brief import gather, paragraphs
from taizhang.reports.projects import (
    COUNT_LABELS,
    figure_rows,
    held_project_figures,
    project_figures,
)
from taizhang.reports.snapshots import take_snapshots

YEAR = dt.date.today().year


def _random_pipeline(w, seed: int) -> list[Project]:
    rng = random.Random(seed)
    units = [w.city, w.county_a, w.dept_a1, w.town_a2, w.county_b, w.dept_b1]
    made = []
    for i in range(40):
        total = Decimal(rng.randint(100, 90000))
        project = make(
            w,
            org=rng.choice(units),
            name=f"项目{i}",
            year=rng.choice([YEAR, YEAR, YEAR, YEAR - 1]),
            investment_total=total,
            investment_annual=(total * Decimal(rng.uniform(0, 0.5))).quantize(Decimal("1")),
            pool=rng.choice(list(Pool.values)),
            kind=rng.choice(list(ProjectKind.values)),
            industry=rng.choice(["新材料", "交通", ""]),
            stage=rng.choice(STAGES),
            start_planned=dt.date(YEAR, rng.randint(1, 12), 1),
        )
        done = (project.investment_annual * Decimal(rng.uniform(0, 1))).quantize(Decimal("1"))
        Project.objects.filter(pk=project.pk).update(
            done_year=done,
            done_total=done,
            last_month=rng.choice([None, late_month(w.campaign, dt.date.today())]),
            created_at=project.created_at - dt.timedelta(days=400),
            status=ProjectStatus.VOID if rng.random() < 0.1 else ProjectStatus.ACTIVE,
        )
        made.append(project)
    return made


def _fresh(projects, org, **cut) -> dict:
    """The figures counted again from the rows, without the figures layer."""
    rows = [
        p
        for p in Project.objects.filter(pk__in=[p.pk for p in projects])
        if p.org_path.startswith(org.path)
        and p.year == YEAR
        and p.status == ProjectStatus.ACTIVE
        and all(getattr(p, k) == v for k, v in cut.items())
    ]
    return {
        "projects_total": len(rows),
        "projects_started": sum(STAGES.index(p.stage) >= STAGES.index(Stage.STARTED) for p in rows),
        "projects_signed": sum(STAGES.index(p.stage) >= STAGES.index(Stage.SIGNED) for p in rows),
        "investment_total_yi": float(
            (sum((p.investment_total for p in rows), Decimal(0)) / 10000).quantize(Decimal("0.01"))
        ),
        "investment_annual_done_yi": float(
            (sum((p.done_year for p in rows), Decimal(0)) / 10000).quantize(Decimal("0.01"))
        ),
    }


def test_the_roll_up_equals_a_fresh_count_for_every_unit_and_cut(world):
    for seed in (1, 2):
        Project.objects.all().delete()
        projects = _random_pipeline(world, seed)
        city = project_figures(world.campaign, world.city, year=YEAR)
        for org in (world.city, world.county_a, world.dept_a1, world.county_b):
            own = project_figures(world.campaign, org, year=YEAR)
            fresh = _fresh(projects, org)
            assert {k: own[k] for k in fresh} == fresh
            if org.parent_id == world.city.pk:  # the city's row for the unit is the same
                assert {k: city["by_org"][org.code][k] for k in fresh} == fresh
        for pool in Pool.values:
            assert {k: city["by_pool"][pool][k] for k in fresh} == _fresh(
                projects, world.city, pool=pool
            )
        for stage in STAGES:
            assert (
                city["by_stage"][stage]["projects_total"]
                == _fresh(projects, world.city, stage=stage)["projects_total"]
            )


def test_every_count_equals_the_rows_its_list_shows(world, client):
    _random_pipeline(world, 3)
    today = dt.date.today()
    city = project_figures(world.campaign, world.city, year=YEAR, today=today)
    client.force_login(world.office)
    for name in COUNT_LABELS:
        rows = figure_rows(world.campaign, world.office, year=YEAR, today=today, figure=name)
        assert rows.count() == city[name], name
        url = reverse("project_list", args=[world.campaign.slug])
        page = client.get(url, {"figure": name, "year": YEAR}).content.decode()
        assert f"共 {city[name]} 个项目" in page, name
    for pool, figures in city["by_pool"].items():
        page = client.get(url, {"pool": pool, "year": YEAR}).content.decode()
        assert f"共 {figures['projects_total']} 个项目" in page


def test_a_reader_sees_the_figures_of_their_own_units_only(world):
    make(world, org=world.dept_a1, name="尧都项目", investment_total=Decimal("20000"))
    make(world, org=world.dept_b1, name="侯马项目", investment_total=Decimal("30000"))
    seen = project_figures(world.campaign, world.city, user=world.leader_b, year=YEAR)
    assert seen["projects_total"] == 1 and seen["investment_total_yi"] == 3.0
    assert list(services.visible_projects(world.leader_b)) == [Project.objects.get(name="侯马项目")]


def test_stats_json_has_the_projects_section(world):
    make(world, org=world.dept_a1, investment_total=Decimal("20000"),
         investment_annual=Decimal("8000"), stage=Stage.STARTED)  # fmt: skip
    out = StringIO()
    call_command("stats", "--json", "--campaign", world.campaign.slug, stdout=out)
    projects = json.loads(out.getvalue())["projects"]
    assert projects["projects_total"] == 1 and projects["investment_total_yi"] == 2.0
    assert projects["investment_annual_planned_yi"] == 0.8 and projects["started_rate"] == 100.0
    assert set(projects["by_pool"]) == set(Pool.values)
    assert set(projects["by_stage"]) == set(STAGES)
    out = StringIO()
    call_command("stats", "--json", "--campaign", world.campaign.slug, "--org", "141081",
                 stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["projects"]["projects_total"] == 0


def test_the_figures_are_frozen_with_the_day_and_reach_the_brief_overview_and_wall(world, client):
    make(world, org=world.dept_a1, investment_total=Decimal("20000"),
         investment_annual=Decimal("8000"))  # fmt: skip
    today = dt.date.today()
    take_snapshots(world.campaign, today)
    make(world, org=world.dept_a1, name="快照之后的项目")  # not in the frozen day
    frozen = Snapshot.objects.get(campaign=world.campaign, org=world.city, day=today)
    assert frozen.figures["projects"]["projects_total"] == 1
    text = "".join(paragraphs(gather(world.campaign, today)))
    assert "在库项目1个" in text and "总投资2亿元" in text
    client.force_login(world.office)
    overview = reverse("campaign_overview", args=[world.campaign.slug])
    page = client.get(overview).content.decode()
    assert 'id="project-strip"' in page and ">2</a>" in page
    assert 'id="wall-projects">2<' in client.get(overview, {"wall": "1"}).content.decode()


def test_the_held_figures_follow_every_write(world):
    project = make(world, org=world.dept_a1, investment_annual=Decimal("10000"))
    today = dt.date.today()
    held = partial(held_project_figures, world.campaign, world.city, user=world.office, today=today)
    assert held()["investment_annual_done_yi"] == 0.0
    services.report_month(project, by=world.handler_a1, month=today.replace(day=1), done="5000",
                          progress_note="主体施工")  # fmt: skip
    assert held()["investment_annual_done_yi"] == 0.5
    services.void_project(project, by=world.office, version=project.version + 1, reason="重复")
    assert held()["projects_total"] == 0 == project_figures(world.campaign)["projects_total"]
