from django.urls import reverse

from taizhang.api.tests.test_api import api_for
from taizhang.intake.models import IdentityView, Suggestion, SuggestionStatus


def test_operator_records_and_office_triages_through_the_api(world):
    url = reverse("api_suggestions", args=[world.campaign.slug])
    created = api_for(world.operator).post(
        url,
        {
            "channel": "hotline",
            "title": "供暖不热",
            "text": "室温只有十二度,电话13812345678",
            "name": "赵六",
            "phone": "13812345678",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "received"
    listing = api_for(world.office).get(url).json()
    [row] = listing["results"]
    assert row["phone"] == "138****5678" and row["name"] == "赵*"
    assert "138****5678" in row["text"] and "13812345678" not in row["text"]
    detail = api_for(world.office).get(reverse("api_suggestion", args=[row["id"]])).json()
    assert detail["phone"] == "13812345678"
    assert IdentityView.objects.filter(viewer=world.office, purpose="api").count() == 1
    triage = reverse("api_suggestion_triage", args=[row["id"]])
    converted = api_for(world.office).post(
        triage,
        {
            "action": "convert",
            "version": row["version"],
            "org_code": "141002801",
            "focus_area": world.area2.pk,
            "kind": "immediate",
        },
        format="json",
    )
    assert converted.status_code == 200 and converted.json()["status"] == "converted"
    stale = api_for(world.office).post(
        triage, {"action": "answer", "version": row["version"], "text": "x"}, format="json"
    )
    assert stale.status_code == 409


def test_suggestions_are_closed_to_other_roles(world):
    url = reverse("api_suggestions", args=[world.campaign.slug])
    assert api_for(world.handler_a1).get(url).status_code == 403
    refused = api_for(world.handler_a1).post(
        url, {"channel": "web", "title": "t", "text": "x"}, format="json"
    )
    assert refused.status_code == 403 and not Suggestion.objects.exists()
    s = Suggestion.objects.create(
        campaign=world.campaign,
        receipt_code="0000000000",
        channel="web",
        title="t",
        text="x",
        submitted_at="2026-01-01T00:00:00Z",
        status=SuggestionStatus.RECEIVED,
    )
    assert api_for(world.handler_a1).get(reverse("api_suggestion", args=[s.pk])).status_code == 404


def test_invalid_input_is_a_clear_400(world):
    url = reverse("api_suggestions", args=[world.campaign.slug])
    bad = api_for(world.operator).post(
        url, {"channel": "hotline", "title": "t", "text": "x", "phone": "12"}, format="json"
    )
    assert bad.status_code == 400 and "格式不正确" in bad.json()["detail"][0]
