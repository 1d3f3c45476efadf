"""Every supervision, verdict, study and hotline count equals the list its link opens, and
every ranking component is the share of the two lists its cell links to (DESIGN §4)."""

import datetime as dt
import random
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.ledger import services as ledger
from taizhang.ledger.models import Problem, Status
from taizhang.meetings import services as meetings
from taizhang.reports.figures import percent
from taizhang.reports.hotline import HOTLINE_FIGURE_LABELS, hotline_figures
from taizhang.reports.links import RATES, rows_url
from taizhang.reports.ranking import ranking
from taizhang.reports.study import STUDY_FIGURE_LABELS, study_figures
from taizhang.reports.tests.test_figures import random_ledger
from taizhang.reports.verdict import VERDICT_FIGURE_LABELS, supervision_figures
from taizhang.supervision import spotchecks
from taizhang.supervision.models import Notice, NoticeKind
from taizhang.supervision.services import issue_notice, reply_notice
from taizhang.testing import close

COUNT = re.compile(r'id="result-count"[^>]*>\s*共 (\d+) 条')


def verdict_world(world, seed: int) -> None:
    """A ledger in every state, with citizens' ratings, notices replied in time, late or not at
    all, a spot check half done and a branch's meetings, made by the services."""
    rng = random.Random(seed)
    world.campaign.rules = {**world.campaign.rules, "ranking_min_sample": 1}
    world.campaign.save()
    random_ledger(world, seed, size=24)
    units = [
        (world.dept_a1, world.handler_a1, world.leader_a),
        (world.dept_b1, world.handler_b1, world.leader_b),
    ]
    for i in range(8):
        s = intake.submit_suggestion(
            world.campaign, channel=rng.choice([Channel.HOTLINE, Channel.WEB]),
            title=f"诉求{i}", text=f"第{i}条群众诉求", phone=f"1380000{i:04d}", name="张三",
            rate_limited=False,
        )  # fmt: skip
        if rng.random() < 0.3:
            s = intake.answer_suggestion(s, by=world.office, version=s.version, text="已答复。")
        else:
            org, handler, approver = rng.choice(units)
            p = intake.convert_to_problem(
                s, by=world.office, version=s.version, org=org, focus_area=world.area,
                kind="deadline",
            )  # fmt: skip
            ledger.sign_problem(p, by=handler, version=p.version)
            p.refresh_from_db()
            if rng.random() < 0.4:
                continue
            close(world, p, handler=handler, approver=approver)
            s.refresh_from_db()
        if rng.random() < 0.8:
            intake.rate_suggestion(s, rating=rng.choice([1, 2, 3, 4, 5]))
    repliers = [world.handler_a1, world.handler_b1, world.admin_a, world.leader_b]
    for problem in Problem.objects.exclude(status__in=[Status.CLOSED, Status.VOID]):
        try:
            notice = issue_notice(problem, by=world.office, kind=NoticeKind.URGE, text="请加快")
        except (ValidationError, PermissionDenied):
            continue
        step = rng.random()
        if step < 0.3:
            Notice.objects.filter(pk=notice.pk).update(
                reply_due=timezone.localdate() - dt.timedelta(days=2)
            )
        if step < 0.6:
            for by in repliers:
                try:
                    reply_notice(notice, by=by, text="已落实")
                    break
                except PermissionDenied:
                    continue
    for county in (world.county_a, world.county_b):
        try:
            check = spotchecks.draw(world.campaign, county, by=world.office, percent=60)
        except ValidationError:
            continue  # nothing closed to draw from
        for item in check.items.all():
            if rng.random() < 0.7:
                spotchecks.record(item, by=world.office, passed=rng.random() < 0.6,
                                  reason="现场查看")  # fmt: skip
    kinds = {k.code: k for k in meetings.kinds_of(world.campaign)}
    members = [
        meetings.add_member(world.branch_a2, by=world.admin_a, name=n, role="党员")
        for n in ("王一", "李二", "张三", "赵四")
    ]
    for day in range(rng.randint(1, 3)):
        meetings.record_meeting(
            world.campaign, world.branch_a2, by=world.admin_a, kind=kinds["theme_day"],
            held_on=timezone.localdate() - dt.timedelta(days=3 + 7 * day),
            starts_at=dt.time(9), ends_at=dt.time(11), topic=f"学习{day}",
            presence={m.pk: rng.choice(["present", "absent", "excused"]) for m in members},
        )  # fmt: skip


def page_count(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    found = COUNT.search(response.content.decode())
    assert found, url
    return int(found.group(1))


@pytest.mark.parametrize("seed", [1, 2])
def test_every_verdict_study_and_hotline_count_equals_its_list(world, seed):
    verdict_world(world, seed)
    campaign, today = world.campaign, timezone.localdate()
    client = Client()
    client.force_login(world.office)
    units = [world.city, world.county_a, world.county_b, world.dept_a1, world.town_a2,
             world.branch_a2]  # fmt: skip
    checked = 0
    for org in units:
        figures = {
            **supervision_figures(campaign, org, today),
            **study_figures(campaign, org, today),
            **hotline_figures(campaign, org, today),
        }
        for figure in (*VERDICT_FIGURE_LABELS, *STUDY_FIGURE_LABELS, *HOTLINE_FIGURE_LABELS):
            url = rows_url(campaign, org.code, figure)
            assert page_count(client, url) == figures[figure], (org.code, figure)
            checked += figures[figure]
    # The world is not empty: the lists had rows to count.
    assert checked > 50


@pytest.mark.parametrize("seed", [3, 4])
def test_every_ranking_component_is_the_share_of_its_two_lists(world, seed):
    verdict_world(world, seed)
    campaign = world.campaign
    client = Client()
    client.force_login(world.office)
    response = client.get(f"/c/{campaign.slug}/ranking/?org={world.city.code}")
    assert response.status_code == 200
    html = response.content.decode()
    rows = ranking(campaign, world.city)
    assert rows
    for row in rows:
        for rate, value in row["components"].items():
            _section, numerator, denominator = RATES[rate]
            part_url = rows_url(campaign, row["org"], numerator)
            whole_url = rows_url(campaign, row["org"], denominator)
            # The page links the cell to these two lists...
            assert part_url.replace("&", "&amp;") in html, (row["org"], rate)
            assert whole_url.replace("&", "&amp;") in html, (row["org"], rate)
            # ...and they give the rate.
            assert percent(page_count(client, part_url), page_count(client, whole_url)) == value


def test_the_verdict_page_links_its_rates_and_refuses_what_the_reader_cannot_reach(world):
    verdict_world(world, seed=5)
    campaign = world.campaign
    client = Client()
    client.force_login(world.leader_a)
    page = client.get(f"/c/{campaign.slug}/verdict/?org={world.county_a.code}")
    assert page.status_code == 200
    html = page.content.decode()
    figures = supervision_figures(campaign, world.county_a, timezone.localdate())
    for rate in ("notice_reply_rate", "spot_check_pass_rate", "reopen_rate", "satisfaction_rate"):
        assert f'id="figure-{rate}"' in html
        _section, numerator, _denominator = RATES[rate]
        assert rows_url(campaign, world.county_a.code, numerator).replace("&", "&amp;") in html
    assert str(figures["notices_issued"]) in html
    # County B is outside leader A's reach, for the page and for the lists.
    assert client.get(f"/c/{campaign.slug}/verdict/?org={world.county_b.code}").status_code == 404
    url = rows_url(campaign, world.county_b.code, "notices_issued")
    assert client.get(url).status_code == 404
    assert client.get(f"/c/{campaign.slug}/figures/rows/?figure=nonsense").status_code == 404
