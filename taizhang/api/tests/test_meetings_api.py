import datetime as dt

from django.urls import reverse

from taizhang.api.tests.test_api import api_for


def test_members_and_meetings_through_the_api(world):
    slug = world.campaign.slug
    admin = api_for(world.admin_a)
    ids = []
    for name in ("王书记", "李委员"):
        made = admin.post(
            reverse("api_members", args=[slug]),
            {"org": world.branch_a2.code, "name": name, "role": "党员"},
            format="json",
        )
        assert made.status_code == 201, made.json()
        ids.append(made.json()["id"])
    day = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    body = {
        "org": world.branch_a2.code, "kind": "theme_day", "held_on": day, "starts_at": "09:00",
        "ends_at": "10:00", "topic": "主题党日",
        "attendance": [{"member": ids[0], "presence": "present"},
                       {"member": ids[1], "presence": "excused"}],
        "guests": ["列席 周某"],
    }  # fmt: skip
    created = admin.post(reverse("api_meetings", args=[slug]), body, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["present"], created.json()["excused"]) == (2, 1)
    clash = admin.post(
        reverse("api_meetings", args=[slug]), {**body, "topic": "再开"}, format="json"
    )
    assert clash.status_code == 400 and "同一时间" in clash.json()["detail"][0]
    leader = api_for(world.leader_a)
    listed = leader.get(reverse("api_meetings", args=[slug]) + "?kind=theme_day").json()
    assert listed["count"] == 1
    names = leader.get(reverse("api_members", args=[slug]) + f"?org={world.branch_a2.code}")
    assert [m["name"] for m in names.json()] == ["王**", "李**"]
    assert api_for(world.leader_b).get(reverse("api_meetings", args=[slug])).json()["count"] == 0
    voided = admin.post(
        reverse("api_meeting_void", args=[created.json()["id"]]), {"reason": "误录"}, format="json"
    )
    assert voided.json()["status"] == "void"
    stats = leader.get(reverse("api_stats", args=[slug])).json()
    assert stats["study"]["meetings_total"] == 0 and stats["study"]["members_total"] == 2
