import datetime as dt
from decimal import Decimal

from django.urls import reverse

from taizhang.api.tests.test_api import api_for
from taizhang.projects.models import Project


def test_projects_through_the_api(world):
    slug = world.campaign.slug
    admin = api_for(world.admin_a)
    body = {"name": "尧都区物流园区项目", "org": "尧都区", "investment_total": "30000",
            "investment_annual": "9000", "pool": "investment", "needs": ["land"]}  # fmt: skip
    created = admin.post(reverse("api_projects", args=[slug]), body, format="json")
    assert created.status_code == 201, created.json()
    project = created.json()
    assert project["org"] == "141002" and project["needs"] == ["land"]
    refused = admin.post(reverse("api_projects", args=[slug]),
                         {**body, "investment_annual": "90000"}, format="json")  # fmt: skip
    assert refused.status_code == 400 and "不能大于总投资" in refused.json()["detail"][0]
    month = dt.date.today().strftime("%Y-%m")
    report = admin.post(
        reverse("api_project_report", args=[project["id"]]),
        {"month": month, "done": "1500", "progress_note": "场平", "version": project["version"]},
        format="json",
    )
    assert report.status_code == 201 and Decimal(report.json()["done_year"]) == Decimal("1500")
    stale = admin.post(
        reverse("api_project_report", args=[project["id"]]),
        {"month": month, "done": "1", "progress_note": "x", "version": project["version"]},
        format="json",
    )
    assert stale.status_code == 409
    listed = admin.get(reverse("api_projects", args=[slug]), {"pool": "investment"}).json()
    assert listed["count"] == 1 and listed["results"][0]["number"] == project["number"]
    other_pool = admin.get(reverse("api_projects", args=[slug]), {"pool": "key"}).json()
    assert other_pool["count"] == 0
    figures = admin.get(reverse("api_project_figures", args=[slug])).json()
    assert figures["projects_total"] == 1 and figures["investment_annual_done_yi"] == 0.15
    # Outside the caller's units: not found, and not counted.
    other = api_for(world.leader_b)
    assert other.get(reverse("api_project", args=[project["id"]])).status_code == 404
    assert other.get(reverse("api_project_figures", args=[slug])).json()["projects_total"] == 0
    assert Project.objects.count() == 1
