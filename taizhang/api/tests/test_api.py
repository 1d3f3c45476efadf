from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from taizhang.api import tokens
from taizhang.ledger.models import Status
from taizhang.reports.snapshots import take_snapshots
from taizhang.testing import close, record


def api_for(user) -> APIClient:
    client = APIClient()
    _token, key = tokens.issue(user, name="测试")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_client_lists_only_its_scope(world):
    mine, other = record(world), record(world, by=world.handler_b1, org=world.dept_b1)
    data = api_for(world.handler_a1).get(reverse("api_problems", args=[world.campaign.slug])).json()
    numbers = {row["number"] for row in data["results"]}
    assert numbers == {mine.number}
    assert other.number not in numbers
    assert APIClient().get(reverse("api_problems", args=[world.campaign.slug])).status_code == 401


def test_transition_with_stale_version_is_409(world):
    problem = record(world, by=world.office, org=world.dept_a1)
    client = api_for(world.handler_a1)
    url = reverse("api_problem_transition", args=[problem.pk])
    ok = client.post(url, {"action": "sign", "version": problem.version}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == Status.RECTIFYING
    stale = client.post(
        url, {"action": "decline", "version": problem.version, "reason": "x"}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == problem.version + 1


def test_transition_errors_are_clear(world):
    problem = record(world)
    url = reverse("api_problem_transition", args=[problem.pk])
    forbidden = api_for(world.handler_a1).post(
        url, {"action": "approve", "version": problem.version}, format="json"
    )
    assert forbidden.status_code == 403 and "上级" in forbidden.json()["detail"]
    wrong_state = api_for(world.handler_a1).post(
        url, {"action": "sign", "version": problem.version}, format="json"
    )
    assert wrong_state.status_code == 400 and "不能签收" in wrong_state.json()["detail"][0]
    unseen = api_for(world.handler_b1).post(
        url, {"action": "void", "version": problem.version, "reason": "x"}, format="json"
    )
    assert unseen.status_code == 404


def test_stats_endpoint_and_schema(world):
    record(world)
    stats = api_for(world.leader_a).get(reverse("api_stats", args=[world.campaign.slug])).json()
    assert stats["problems_total"] == 1 and stats["campaign"] == "test-2026"
    schema = api_for(world.office).get(reverse("api_schema"))
    assert schema.status_code == 200 and b"/api/problems/{id}/transitions/" in schema.content


def test_stats_as_they_stood_at_a_past_moment(world):
    close(world, record(world))
    record(world, by=world.handler_b1, org=world.dept_b1)
    today = timezone.localdate()
    take_snapshots(world.campaign, today)
    url = reverse("api_stats", args=[world.campaign.slug])
    past = api_for(world.leader_a).get(url, {"as_of": today.isoformat()}).json()
    assert (past["source"], past["org"], past["problems_total"]) == ("history", "141002", 1)
    assert past["problems_rectified"] == 1 and past["snapshot"]["agrees"]
    start = world.campaign.starts_on.isoformat()
    assert api_for(world.office).get(url, {"as_of": start}).json()["problems_total"] == 0
    refused = api_for(world.office).get(url, {"as_of": "2020-01-01"})
    assert refused.status_code == 400 and "还没有台账" in refused.json()["detail"]
    assert api_for(world.office).get(url, {"as_of": "明天"}).status_code == 400


def test_decline_forward_and_review_through_the_api(world):
    problem = record(world, by=world.office, org=world.county_a)
    url = reverse("api_problem_transition", args=[problem.pk])
    sent_on = api_for(world.admin_a).post(url, {
        "action": "forward", "version": problem.version, "org_code": "141002101",
    }, format="json")  # fmt: skip
    assert sent_on.status_code == 200 and sent_on.json()["org"] == "141002101"
    declined = api_for(world.handler_a2).post(url, {
        "action": "decline", "version": sent_on.json()["version"], "category": "territory",
        "reason": "不在本镇",
    }, format="json")  # fmt: skip
    assert declined.status_code == 200 and declined.json()["declining"] is True
    wrong = api_for(world.handler_a2).post(url, {
        "action": "decline", "version": declined.json()["version"], "category": "bogus",
        "reason": "x",
    }, format="json")  # fmt: skip
    assert wrong.status_code == 400
    reviewed = api_for(world.admin_a).post(url, {
        "action": "review_decline", "version": declined.json()["version"], "accept": True,
        "org_code": "141002801", "reason": "改派发改局",
    }, format="json")  # fmt: skip
    assert reviewed.status_code == 200
    assert (reviewed.json()["org"], reviewed.json()["declining"]) == ("141002801", False)
    assert reviewed.json()["sign_by"] is not None


def test_co_operating_units_and_their_parts_through_the_api(world):
    problem = record(world)
    url = reverse("api_problem_transition", args=[problem.pk])
    set_ = api_for(world.handler_a1).post(url, {
        "action": "cooperate", "version": problem.version, "units": ["141002101", "侯马市教育局"],
    }, format="json")  # fmt: skip
    assert set_.status_code == 200 and set(set_.json()["cooperating"]) == {"141002101", "141081801"}
    signed = api_for(world.handler_a2).post(url, {
        "action": "part_sign", "version": set_.json()["version"], "part_org": "141002101",
    }, format="json")  # fmt: skip
    assert signed.status_code == 200
    finished = api_for(world.handler_a2).post(url, {
        "action": "part_finish", "version": set_.json()["version"], "part_org": "大阳镇",
        "reason": "已完成",
    }, format="json")  # fmt: skip
    parts = {p["org"]: p["state"] for p in finished.json()["parts"]}
    assert parts == {"141002101": "done", "141081801": "waiting"}
    refused = api_for(world.handler_a2).post(url, {
        "action": "part_sign", "version": set_.json()["version"], "part_org": "141081801",
    }, format="json")  # fmt: skip
    assert refused.status_code == 403
    listed = api_for(world.office).get(reverse("api_problems", args=[world.campaign.slug]))
    assert listed.json()["results"][0]["parts"][0]["org"] in {"141002101", "141081801"}
