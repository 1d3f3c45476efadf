from django.urls import reverse

from taizhang.api.tests.test_api import api_for
from taizhang.triage import jobs
from taizhang.triage.models import Run, RunStatus
from taizhang.triage.tests.test_engine import LAMP, LAMP_VARIANTS, OTHER


def _post(world, text, title="路灯坏了", votes=0):
    response = api_for(world.operator).post(
        reverse("api_suggestions", args=[world.campaign.slug]),
        {"channel": "hotline", "title": title, "text": text, "votes": votes},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_hints_route_and_topics_through_the_api(world):
    world.area2.keywords = "路灯"
    world.area2.save()
    first = _post(world, LAMP, votes=3)
    copy = _post(world, LAMP_VARIANTS[0])
    _post(world, OTHER[0], title="食堂太贵")
    office = api_for(world.office)
    hints = office.get(reverse("api_suggestion_hints", args=[copy["id"]])).json()
    assert hints["proposal"]["area"] == world.area2.pk
    assert hints["proposal"]["area_basis"] == "keywords"
    assert [d["receipt_code"] for d in hints["duplicates"]] == [first["receipt_code"]]
    assert 0.5 < hints["duplicates"][0]["score"] <= 1
    routed = office.post(
        reverse("api_suggestion_route", args=[copy["id"]]),
        {"version": copy["version"], "focus_area": world.area2.pk},
        format="json",
    )
    assert routed.status_code == 200 and routed.json()["focus_area"] == world.area2.pk
    stale = office.post(
        reverse("api_suggestion_route", args=[copy["id"]]),
        {"version": copy["version"], "focus_area": world.area.pk},
        format="json",
    )
    assert stale.status_code == 409

    runs = reverse("api_triage_runs", args=[world.campaign.slug])
    started = office.post(runs, {"kind": "topics"}, format="json")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    jobs.execute(started.json()["id"])  # what the worker does once the request commits
    run = office.get(reverse("api_triage_run", args=[world.campaign.slug, started.json()["id"]]))
    assert run.json()["status"] == "done" and run.json()["percent"] == 100
    topics = office.get(reverse("api_topics", args=[world.campaign.slug])).json()
    top = topics["clusters"][0]
    assert top["rank"] == 1 and top["size"] == 2 and top["votes"] == 3
    assert sorted(top["suggestions"]) == sorted([first["id"], copy["id"]])


def test_runs_can_be_cancelled_and_are_for_the_office_only(world):
    office = api_for(world.office)
    runs = reverse("api_triage_runs", args=[world.campaign.slug])
    run_id = office.post(runs, {"kind": "duplicates"}, format="json").json()["id"]
    again = office.post(runs, {"kind": "duplicates"}, format="json")
    assert again.status_code == 400 and "正在运行" in again.json()["detail"][0]
    cancelled = office.delete(reverse("api_triage_run", args=[world.campaign.slug, run_id]))
    assert cancelled.json()["status"] == "cancelled"
    assert Run.objects.get(pk=run_id).status == RunStatus.CANCELLED
    assert api_for(world.operator).get(runs).status_code == 403
    bad = office.post(runs, {"kind": "train", "target": "nonsense"}, format="json")
    assert bad.status_code == 400
    no_target = office.post(runs, {"kind": "train"}, format="json")
    assert no_target.status_code == 400 and "请选择要训练的模型" in no_target.json()["detail"][0]
