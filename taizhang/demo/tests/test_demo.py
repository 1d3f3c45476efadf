import json

import pytest
from django.core.management import call_command

from taizhang.campaigns.models import Campaign
from taizhang.demo.builder import DEMO_USERS, SHOWCASE_PROBLEMS, SLUG, build_demo
from taizhang.evaluation.models import Snapshot
from taizhang.ledger.models import Problem, ProblemEvent, Status
from taizhang.ledger.verify import verify
from taizhang.orgs.models import Org
from taizhang.reports.history import against_snapshot, moment
from taizhang.reports.snapshots import frozen_heads


@pytest.mark.django_db
def test_demo_reproduces_the_articles_figures(capsys):
    summary = build_demo(scale=0.004)
    assert summary.problems == 1080
    # …and the problems staged through the services (for the to-do lists, 派单 and 退单), which
    # the generated ledger's shares allow for.
    assert Problem.objects.count() == 1080 + SHOWCASE_PROBLEMS
    call_command("stats", "--json", "--campaign", SLUG)
    stats = json.loads(capsys.readouterr().out)
    assert abs(stats["rectification_rate"] - 92.4) <= 0.5
    assert stats["overdue"] > 0
    assert len(stats["by_focus_area"]) == 6
    county_names = {row["name"] for row in stats["by_org"].values()}
    assert {"尧都区", "侯马市", "汾西县", "临汾经济开发区", "市发改委"} <= county_names
    # Every generated row has a history, and every closed one its approval; a spot check that
    # failed reopened a closed problem (its approval stays in the history).
    assert ProblemEvent.objects.values("problem").distinct().count() == Problem.objects.count()
    closed = Problem.objects.filter(status=Status.CLOSED).count()
    reopened = ProblemEvent.objects.filter(action="reopen").count()
    assert ProblemEvent.objects.filter(action="approve").count() == closed + reopened
    supervision = stats["supervision"]
    assert supervision["notices_issued"] > 0 and supervision["spot_checks_done"] > 0
    assert supervision["satisfaction_rate"] > 85 and supervision["ratings"] > 0
    assert stats["hotline"]["hotline_total"] > 0
    # Built in bulk and through the services alike, the history is one intact chain that
    # every problem row agrees with, and the frozen days recorded its head.
    campaign = Campaign.objects.get(slug=SLUG)
    report = verify(campaign, frozen_heads(campaign))
    assert report.intact, [f.text for f in report.findings[:5]]
    assert report.rows == ProblemEvent.objects.count() and report.snapshots > 0
    # Every frozen day's ledger figures, recomputed from that history alone, are the same.
    snapshots = Snapshot.objects.filter(campaign=campaign).select_related("org")
    assert snapshots.count() > 1
    for snap in snapshots:
        compared = against_snapshot(campaign, snap.org, moment(snap.day.isoformat()))
        assert compared is not None and compared["agrees"], (snap.org.name, compared)


@pytest.mark.django_db
def test_demo_has_a_login_for_every_role_and_a_problem_to_approve():
    build_demo(scale=0.002)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=[u for u, *_ in DEMO_USERS])
    roles = {a.role for u in users for a in u.role_assignments.all()}
    assert roles == {"office", "leader", "admin", "handler", "inspector", "operator"}
    yaodu_dept = Org.objects.get(code="141002801")
    assert Problem.objects.filter(org=yaodu_dept, status=Status.PENDING).exists()
    # The README sends the office to its token page to connect a hotline system.
    from django.test import Client

    office = Client()
    office.force_login(users.get(username="office"))
    made = office.post("/account/tokens/", {"name": "12345 热线系统", "scope": "intake",
                                            "days": 365})  # fmt: skip
    assert 'id="token-key">tz_' in made.content.decode()
    # The security auditor reads a realistic log; the office, an admin, does not.
    assert office.get("/audit/").status_code == 403
    auditor = Client()
    auditor.force_login(get_user_model().objects.get(username="auditor"))
    page = auditor.get("/audit/").content.decode()
    for kind in ("登录成功", "登录失败", "授予", "导出台账", "查看群众姓名和电话"):
        assert kind in page, kind


@pytest.mark.django_db
def test_every_kind_of_demo_problem_page_renders():
    from django.test import Client

    build_demo(scale=0.002)
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="office"))
    for status in Status.values:
        problem = Problem.objects.filter(status=status).first()
        if problem is not None:
            assert client.get(f"/problems/{problem.pk}/").status_code == 200, status
    assert client.get(f"/c/{SLUG}/").status_code == 200
    from taizhang.intake.models import Suggestion

    statuses = set(Suggestion.objects.values_list("status", flat=True))
    assert {"converted", "answered", "duplicate"} <= statuses
    for status in statuses:
        suggestion = Suggestion.objects.filter(status=status).first()
        assert client.get(f"/suggestions/{suggestion.pk}/").status_code == 200, status
    assert client.get(f"/c/{SLUG}/suggestions/?status=converted").status_code == 200
    assert client.get(f"/c/{SLUG}/?org=141002").status_code == 200
