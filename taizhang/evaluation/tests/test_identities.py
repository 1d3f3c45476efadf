"""Who sees a citizen's name and number on call-back pages, and how many a day."""

from django.test import Client
from django.urls import reverse

from taizhang.evaluation import services
from taizhang.evaluation.models import CallBack
from taizhang.evaluation.tests.test_evaluation import _answered
from taizhang.intake import services as intake
from taizhang.intake.models import Channel, IdentityView


def _call_page(user, call):
    client = Client()
    client.force_login(user)
    return client.get(reverse("callback_detail", args=[call.pk])).content.decode()


def test_a_confidential_citizen_is_masked_for_operators_and_shown_to_the_office(world):
    s = intake.submit_suggestion(
        world.campaign, channel=Channel.HOTLINE, title="举报", text="举报某单位",
        phone="13800000077", name="曹先生", confidential=True, by=world.operator,
    )  # fmt: skip
    intake.answer_suggestion(s, by=world.office, version=s.version, text="已查处。")
    services.refresh_queue(world.campaign)
    call = CallBack.objects.get()
    operator_page = _call_page(world.operator, call)
    assert "13800000077" not in operator_page and "曹先生" not in operator_page
    assert "138****0077" in operator_page
    assert "13800000077" in _call_page(world.office, call)
    assert list(IdentityView.objects.values_list("viewer__username", flat=True)) == ["office"]


def test_an_operator_sees_numbers_up_to_the_daily_cap_and_never_on_finished_calls(world):
    world.campaign.rules = {"callback_identities_per_day": 2}
    world.campaign.save(update_fields=["rules"])
    for n in range(3):
        _answered(world, phone=f"1380000010{n}")
    services.refresh_queue(world.campaign)
    calls = list(CallBack.objects.order_by("pk"))
    assert "13800000100" in _call_page(world.operator, calls[0])
    assert "13800000100" in _call_page(world.operator, calls[0])  # the same citizen again
    assert "13800000101" in _call_page(world.operator, calls[1])
    third = _call_page(world.operator, calls[2])
    assert "13800000102" not in third and "已达上限" in third
    services.record_call(calls[0], by=world.operator, reached=True, solved=True, rating=5)
    assert "13800000100" not in _call_page(world.office, calls[0])
    assert IdentityView.objects.filter(viewer=world.operator).count() == 3


def test_a_bad_rating_on_the_call_page_is_refused_not_a_crash(world):
    _answered(world)
    services.refresh_queue(world.campaign)
    call = CallBack.objects.get()
    client = Client()
    client.force_login(world.operator)
    url = reverse("callback_detail", args=[call.pk])
    response = client.post(url, {"reached": "yes", "rating": "x"}, follow=True)
    assert response.status_code == 200 and "评价无效" in response.content.decode()


def test_a_converted_suggestion_reaches_the_ledger_without_its_numbers(world):
    s = intake.submit_suggestion(
        world.campaign, channel=Channel.WEB, title="身份证办理",
        text="我叫王小明,电话13912345678,身份证110101199003077777,办证难",
    )  # fmt: skip
    problem = intake.convert_to_problem(
        s, by=world.office, version=s.version, org=world.dept_a1, focus_area=world.area,
        kind="deadline",
    )  # fmt: skip
    assert "13912345678" not in problem.description
    assert "110101199003077777" not in problem.description
    s.refresh_from_db()
    assert "13912345678" in s.text  # the original stays on the suggestion
