from django.urls import reverse

from taizhang.api.tests.test_api import api_for
from taizhang.evaluation import services as evaluation
from taizhang.evaluation.tests.test_evaluation import _answered
from taizhang.testing import close, record


def test_notices_through_the_api(world):
    p = record(world)
    office = api_for(world.office)
    issued = office.post(
        reverse("api_notice_issue", args=[p.pk]), {"kind": "urge", "text": "请加快"}, format="json"
    )
    assert issued.status_code == 201, issued.json()
    notice = issued.json()
    again = office.post(
        reverse("api_notice_issue", args=[p.pk]), {"kind": "urge", "text": "再催"}, format="json"
    )
    assert again.status_code == 400 and "未回复" in again.json()["detail"][0]
    stranger = api_for(world.handler_b1).post(
        reverse("api_notice_reply", args=[notice["id"]]), {"reply": "x"}, format="json"
    )
    assert stranger.status_code == 404
    replied = api_for(world.handler_a1).post(
        reverse("api_notice_reply", args=[notice["id"]]), {"reply": "本周完成"}, format="json"
    )
    assert replied.json()["status"] == "replied" and replied.json()["replied_on_time"] is True
    listing = api_for(world.leader_a).get(reverse("api_notices", args=[world.campaign.slug]))
    assert listing.json()["count"] == 1
    assert (
        api_for(world.leader_b)
        .get(reverse("api_notices", args=[world.campaign.slug]))
        .json()["count"]
        == 0
    )


def test_callbacks_checks_and_ranking_through_the_api(world):
    _answered(world)
    evaluation.refresh_queue(world.campaign)
    operator = api_for(world.operator)
    [call] = operator.get(reverse("api_callbacks", args=[world.campaign.slug])).json()["results"]
    assert "phone" not in call and "name" not in call
    bad = operator.post(
        reverse("api_callback", args=[call["id"]]), {"reached": False, "rating": 4}, format="json"
    )
    assert bad.status_code == 400
    done = operator.post(
        reverse("api_callback", args=[call["id"]]),
        {"reached": True, "solved": True, "rating": 4},
        format="json",
    )
    assert done.json()["status"] == "done"
    close(world, record(world))
    inspector = api_for(world.inspector_a)
    drawn = inspector.post(
        reverse("api_spot_checks", args=[world.campaign.slug]),
        {"org": world.county_a.code, "count": 1, "seed": 7},
        format="json",
    )
    assert drawn.status_code == 201 and len(drawn.json()["items"]) == 1
    item = drawn.json()["items"][0]
    checked = inspector.post(
        reverse("api_spot_check_item", args=[item["id"]]), {"passed": True}, format="json"
    )
    assert checked.json()["items"][0]["result"] == "passed"
    twice = inspector.post(
        reverse("api_spot_check_item", args=[item["id"]]), {"passed": True}, format="json"
    )
    assert twice.status_code == 400
    ranking = api_for(world.city_leader).get(reverse("api_ranking", args=[world.campaign.slug]))
    assert ranking.json()["units"][0]["org"] == world.county_a.code


def test_teams_and_the_inbox_through_the_api(world, django_capture_on_commit_callbacks):
    office = api_for(world.office)
    created = office.post(
        reverse("api_teams", args=[world.campaign.slug]),
        {"name": "第二巡回指导组", "members": ["nobody"], "orgs": [world.county_b.code]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    team = created.json()
    assert team["members"] == ["nobody"] and team["orgs"] == [world.county_b.code]
    p = record(world, by=world.handler_b1, org=world.dept_b1, title="侯马的问题")
    member = api_for(world.nobody)
    assert member.get(reverse("api_problem", args=[p.pk])).status_code == 200
    moved = office.put(
        reverse("api_team", args=[team["id"]]),
        {"name": "第二巡回指导组", "members": ["nobody"], "orgs": [world.county_a.code]},
        format="json",
    )
    assert moved.json()["orgs"] == [world.county_a.code]
    assert api_for(world.nobody).get(reverse("api_problem", args=[p.pk])).status_code == 404
    assert (
        api_for(world.leader_a).get(reverse("api_teams", args=[world.campaign.slug])).status_code
        == 403
    )
    assert office.delete(reverse("api_team", args=[team["id"]])).status_code == 204
    from taizhang.supervision.services import issue_notice

    with django_capture_on_commit_callbacks(execute=True):
        issue_notice(record(world), by=world.office, kind="urge", text="请加快")
    handler = api_for(world.handler_a1)
    inbox = handler.get(reverse("api_inbox") + "?unread=1").json()
    assert inbox["count"] == 1 and inbox["results"][0]["subject"].startswith("催办")
    assert handler.post(reverse("api_inbox"), {}, format="json").json() == {"marked": 1}
    assert handler.get(reverse("api_inbox") + "?unread=1").json()["count"] == 0
