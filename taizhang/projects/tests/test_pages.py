import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from taizhang.projects.models import ChangeStatus, Project, ProjectEvent, Stage
from taizhang.projects.tests.helpers import make
from taizhang.testing import PDF


def test_an_admin_enters_a_project_and_a_mistake_keeps_what_was_typed(world, client):
    client.force_login(world.admin_a)
    url = reverse("project_new", args=[world.campaign.slug]) + "?org=141002"
    assert "登记项目" in client.get(url).content.decode()
    data = {
        "name": "尧都区城中村改造项目", "org": "尧都区", "year": str(dt.date.today().year),
        "investment_total": "80000", "investment_annual": "90000", "kind": "livelihood",
        "pool": "key", "needs": ["land", "funding"], "location": "尧都区东关",
    }  # fmt: skip
    refused = client.post(url, data)
    page = refused.content.decode()
    assert refused.status_code == 400 and "不能大于总投资" in page
    assert "尧都区城中村改造项目" in page and "尧都区东关" in page
    assert 'value="funding" checked' in page
    saved = client.post(url, {**data, "investment_annual": "20000"})
    project = Project.objects.get()
    assert saved.url == reverse("project_detail", args=[project.pk])
    assert project.need_list == ["land", "funding"] and project.org == world.county_a
    # Editing a stale copy conflicts and keeps the edit on the page.
    edit = reverse("project_edit", args=[world.campaign.slug, project.pk])
    form = {**data, "investment_annual": "25000", "version": str(project.version)}
    assert client.post(edit, form).status_code == 302
    stale = client.post(edit, {**form, "location": "旧版本"})
    assert stale.status_code == 400 and "他人修改" in stale.content.decode()


def test_the_project_page_reports_a_month_and_moves_a_stage_with_evidence(world, client):
    project = make(world, org=world.dept_a1, stage=Stage.SIGNED)
    client.force_login(world.handler_a1)
    detail = reverse("project_detail", args=[project.pk])
    page = client.get(detail).content.decode()
    assert "月度报送" in page and "提交上级确认" in page
    month = dt.date.today().strftime("%Y-%m")
    act = lambda action: reverse("project_act", args=[project.pk, action])  # noqa: E731
    refused = client.post(act("report"), {"month": month, "done": "abc", "progress_note": "钢结构"})
    assert refused.status_code == 400 and "钢结构" in refused.content.decode()
    ok = client.post(act("report"), {"month": month, "done": "800", "progress_note": "钢结构",
                                     "version": project.version})  # fmt: skip
    assert ok.status_code == 302
    project.refresh_from_db()
    assert project.done_year == Decimal("800")
    evidence = SimpleUploadedFile("施工许可证.pdf", PDF, content_type="application/pdf")
    client.post(act("stage"), {"to_stage": "started", "on": dt.date.today().isoformat(),
                               "evidence": evidence, "version": project.version})  # fmt: skip
    change = project.stage_changes.get()
    assert change.status == ChangeStatus.PENDING
    assert client.get(reverse("stage_evidence", args=[change.evidence.get().pk])).status_code == 200
    client.force_login(world.handler_b1)  # outside the unit: neither the page nor the file
    assert client.get(detail).status_code == 404
    assert client.get(reverse("stage_evidence", args=[change.evidence.get().pk])).status_code == 404
    client.force_login(world.leader_a)
    assert "确认" in client.get(detail).content.decode()
    client.post(act("confirm"), {"change": change.pk})
    project.refresh_from_db()
    assert project.stage == Stage.STARTED


def test_the_overview_links_every_figure_and_the_list_exports(world, client):
    make(world, org=world.dept_a1, name="甲项目", stage=Stage.STARTED)
    make(world, org=world.dept_b1, name="乙项目")
    client.force_login(world.city_leader)
    page = client.get(reverse("project_overview", args=[world.campaign.slug])).content.decode()
    assert 'id="projects-total"' in page and ">2</a>" in page and "尧都区" in page
    assert "开工率" in page and "50.0%" in page
    listed = client.get(reverse("project_list", args=[world.campaign.slug]),
                        {"org": "尧都区"}).content.decode()  # fmt: skip
    assert "甲项目" in listed and "乙项目" not in listed
    xlsx = client.get(reverse("project_list", args=[world.campaign.slug]), {"format": "xlsx"})
    assert xlsx.status_code == 200 and b"PK" in b"".join(xlsx.streaming_content)[:4]
    # A county's leader sees the county's projects only.
    client.force_login(world.leader_b)
    page = client.get(reverse("project_overview", args=[world.campaign.slug])).content.decode()
    assert "侯马市" in page and "甲项目" not in page


def test_obstacles_are_recorded_from_the_project_page(world, client):
    project = make(world)
    client.force_login(world.admin_a)
    client.post(
        reverse("project_act", args=[project.pk, "obstacle"]),
        {"title": "施工用电未接入", "focus_area": world.area.pk, "org": "尧都区发改局"},
    )
    problem = project.obstacles.get()
    assert problem.org == world.dept_a1
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert problem.number in page and "施工用电未接入" in page
    # The problem's page names the project it blocks.
    problem_page = client.get(reverse("problem_detail", args=[problem.pk])).content.decode()
    assert 'id="blocked-projects"' in problem_page and project.name in problem_page


def test_what_the_system_did_shows_as_such(world, client):
    project = make(world, org=world.dept_a1)
    ProjectEvent.objects.create(project=project, action="report_missed", at=timezone.now())
    client.force_login(world.handler_a1)
    page = client.get(reverse("project_detail", args=[project.pk]))
    assert page.status_code == 200 and "系统 · 月报逾期提醒" in page.content.decode()


def test_a_unit_that_cannot_be_found_is_said_so(world, client):
    make(world, org=world.dept_a1)
    client.force_login(world.office)
    page = client.get(reverse("project_list", args=[world.campaign.slug]), {"org": "尧都"})
    assert page.status_code == 200 and "共 1 个项目" in page.content.decode()
    missing = client.get(reverse("project_list", args=[world.campaign.slug]), {"org": "不存在县"})
    assert "找不到单位“不存在县”" in missing.content.decode()
