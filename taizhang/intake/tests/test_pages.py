import re

from django.test import Client
from django.urls import reverse

from taizhang.core import receipts
from taizhang.intake import services
from taizhang.intake.models import Channel, IdentityView, Suggestion, SuggestionStatus


def submit_through_the_page(world, client: Client, **fields) -> str:
    data = {
        "title": "公交站没有雨棚",
        "text": "<script>alert(1)</script>下雨天等车淋雨",
        "address": "",
        "name": "李四",
        "phone": "13912345678",
        "website": "",
    }
    data.update(fields)
    response = client.post(
        reverse("public_submit", args=[world.campaign.slug]), data, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302, response.content.decode()[:500]
    page = client.get(response["Location"]).content.decode()
    found = re.search(r'id="receipt-code">([^<]+)<', page)
    assert found, page[:500]
    return found[1]


def test_citizen_submits_tracks_and_rates_without_an_account(world):
    citizen = Client()
    code = submit_through_the_page(world, citizen)
    track = reverse("public_track", args=[world.campaign.slug])
    wrong = citizen.post(track, {"code": code, "phone_last4": "0000"})
    assert "没有找到" in wrong.content.decode()
    page = citizen.post(track, {"code": code.lower(), "phone_last4": "5678"}).content.decode()
    assert "公交站没有雨棚" in page and "已受理" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "13912345678" not in page and "李四" not in page
    s = Suggestion.objects.get()
    services.answer_suggestion(s, by=world.office, version=s.version, text="已增设雨棚")
    page = citizen.post(track, {"code": code, "phone_last4": "5678"}).content.decode()
    assert "已增设雨棚" in page and 'id="rate-form"' in page
    assert '<option value="" selected>请选择</option>' in page  # no rating chosen for them
    unrated = citizen.post(
        reverse("public_rate", args=[world.campaign.slug]),
        {"code": code, "phone_last4": "5678", "comment": "好"},
        follow=True,
    )
    assert "请选择评价" in unrated.content.decode() and Suggestion.objects.get().rating is None
    rated = citizen.post(
        reverse("public_rate", args=[world.campaign.slug]),
        {"code": code, "phone_last4": "5678", "rating": 5, "comment": "好"},
    )
    assert "感谢您的评价" in rated.content.decode()
    assert Suggestion.objects.get().rating == 5


def test_typo_in_code_is_caught_before_lookup(world):
    code = submit_through_the_page(world, Client())
    typo = ("X" if code[0] != "X" else "Y") + code[1:]
    page = (
        Client()
        .post(
            reverse("public_track", args=[world.campaign.slug]),
            {"code": typo, "phone_last4": "5678"},
        )
        .content.decode()
    )
    assert "回执码有误" in page


def test_honeypot_stores_nothing(world):
    response = Client().post(
        reverse("public_submit", args=[world.campaign.slug]),
        {"title": "t", "text": "x", "website": "http://spam.example"},
    )
    assert response.status_code == 404 and not Suggestion.objects.exists()


def test_queue_masks_identity_except_for_roles_that_need_it(world):
    s = services.submit_suggestion(
        world.campaign,
        channel=Channel.WEB,
        title="t",
        text="x",
        name="王五",
        phone="13712345678",
        confidential=True,
    )
    url = reverse("suggestion_detail", args=[s.pk])
    operator, office = Client(), Client()
    operator.force_login(world.operator)
    office.force_login(world.office)
    page = operator.get(url).content.decode()
    assert "137****5678" in page and "13712345678" not in page and "王*" in page
    assert not IdentityView.objects.exists()
    page = office.get(url).content.decode()
    assert "13712345678" in page
    assert IdentityView.objects.filter(viewer=world.office, suggestion=s).count() == 1
    outsider = Client()
    outsider.force_login(world.handler_a1)
    assert outsider.get(url).status_code == 404
    assert outsider.get(reverse("suggestion_queue", args=[world.campaign.slug])).status_code == 403


def test_office_converts_from_the_detail_page(world):
    s = services.submit_suggestion(world.campaign, channel=Channel.WEB, title="t", text="x")
    office = Client()
    office.force_login(world.office)
    office.post(
        reverse("suggestion_triage", args=[s.pk]),
        {
            "version": s.version,
            "action": "convert",
            "org_code": "141002801",
            "focus_area": world.area.pk,
            "kind": "deadline",
            "text": "",
        },
    )
    s.refresh_from_db()
    assert s.status == SuggestionStatus.CONVERTED and s.problems.get().org == world.dept_a1


def test_operator_records_a_call_and_sees_the_callers_history(world):
    services.submit_suggestion(
        world.campaign, channel=Channel.WEB, title="上次的事", text="x", phone="13612345678"
    )
    operator = Client()
    operator.force_login(world.operator)
    url = reverse("suggestion_entry", args=[world.campaign.slug])
    lookup = operator.post(url, {"phone": "136 1234 5678", "lookup": "1"}).content.decode()
    assert "上次的事" in lookup
    response = operator.post(
        url,
        {
            "channel": "hotline",
            "title": "噪音扰民",
            "text": "夜间施工",
            "phone": "13612345678",
            "name": "",
            "address": "",
        },
        follow=True,
    )
    assert "回执码" in response.content.decode()
    latest = Suggestion.objects.order_by("-pk").first()
    assert latest.channel == "hotline" and latest.recorded_by == world.operator
    assert receipts.normalise(latest.receipt_code) == latest.receipt_code


def test_photos_are_shown_only_to_staff(world):
    import io

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    s = services.submit_suggestion(
        world.campaign,
        channel=Channel.WEB,
        title="t",
        text="x",
        photos=[(io.BytesIO(png), "p.png")],
    )
    url = reverse("suggestion_photo", args=[s.pk, s.photos.get().pk])
    office = Client()
    office.force_login(world.office)
    response = office.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == png
    assert Client().get(url).status_code == 302  # to the login page
    handler = Client()
    handler.force_login(world.handler_a1)
    assert handler.get(url).status_code == 404
