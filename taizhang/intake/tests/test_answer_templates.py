"""答复模板: kept by the office per focus area, filled in for each suggestion, and sent to many
at once from the queue, each answered as by hand and every one reported."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.core import receipts
from taizhang.intake import answers
from taizhang.intake import services as intake
from taizhang.intake.models import AnswerTemplate, Channel, Suggestion, SuggestionStatus

TEXT = (
    "您反映的“{标题}”(回执码 {回执码},{渠道})已收悉,属{领域}范畴,{日期}答复如下:已转有关部门研究。"
)


def _template(world, area=None):
    return AnswerTemplate.objects.create(campaign=world.campaign, focus_area=area,
                                         title="已转研究", text=TEXT)  # fmt: skip


def _suggestion(world, title, area=None):
    s = intake.submit_suggestion(campaign=world.campaign, channel=Channel.HOTLINE, title=title,
                                 text=title + "的具体情况")  # fmt: skip
    if area is not None:
        Suggestion.objects.filter(pk=s.pk).update(focus_area=area)
        s.refresh_from_db()
    return s


def test_placeholders_are_filled_and_a_misspelt_one_is_refused(world):
    s = _suggestion(world, "路灯不亮", world.area)
    filled = answers.fill(_template(world), s)
    today = timezone.localdate().strftime("%Y年%m月%d日")
    assert filled == (f"您反映的“路灯不亮”(回执码 {receipts.display(s.receipt_code)},热线)已收悉,"
                      f"属优化营商环境范畴,{today}答复如下:已转有关部门研究。")  # fmt: skip
    wrong = AnswerTemplate(campaign=world.campaign, title="错", text="您好 {姓名},{回执码}")
    with pytest.raises(ValidationError, match=r"不认识的占位符:\{姓名\}"):
        wrong.full_clean()


def test_the_queue_answers_the_picked_ones_with_a_template(world, client):
    template = _template(world, world.area)
    mine = [_suggestion(world, f"办事难{i}", world.area) for i in (1, 2)]
    other_area = _suggestion(world, "学校拥堵", world.area2)
    done_before = _suggestion(world, "已答复的", world.area)
    intake.answer_suggestion(done_before, by=world.office, version=done_before.version,
                             text="早已答复")  # fmt: skip
    client.force_login(world.office)
    queue = client.get(f"/c/{world.campaign.slug}/suggestions/").content.decode()
    assert 'id="answer-form"' in queue and "已转研究" in queue
    picked = [s.pk for s in (*mine, other_area, done_before)]
    response = client.post(f"/c/{world.campaign.slug}/suggestions/answer/",
                           {"template": template.pk, "pick": picked}, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "已答复 2 条" in page and "这个模板是另一领域的" in page
    states = dict(Suggestion.objects.values_list("pk", "status"))
    assert [states[s.pk] for s in mine] == [SuggestionStatus.ANSWERED] * 2
    assert states[other_area.pk] == SuggestionStatus.RECEIVED
    assert Suggestion.objects.get(pk=mine[0].pk).answer.startswith("您反映的“办事难1”")
    assert Suggestion.objects.get(pk=done_before.pk).answer == "早已答复"  # refused, untouched
    client.force_login(world.operator)  # a hotline operator records, the office answers
    refused = client.post(f"/c/{world.campaign.slug}/suggestions/answer/",
                          {"template": template.pk, "pick": [other_area.pk]})  # fmt: skip
    assert refused.status_code == 403


def test_the_detail_page_answers_with_a_template_and_the_office_keeps_them(world, client):
    template = _template(world)
    s = _suggestion(world, "停车难", world.area)
    client.force_login(world.office)
    assert "已转研究" in client.get(f"/suggestions/{s.pk}/").content.decode()
    sent = {"version": s.version, "action": "answer", "template": template.pk, "text": ""}
    client.post(f"/suggestions/{s.pk}/triage/", sent)
    assert Suggestion.objects.get(pk=s.pk).answer.startswith("您反映的“停车难”")
    url = f"/c/{world.campaign.slug}/answer-templates/"
    bad = client.post(url, {"title": "错", "text": "{名字}您好"})
    assert bad.status_code == 400 and "不认识的占位符" in bad.content.decode()
    assert client.post(url, {"title": "新", "text": "{标题} 已办结",
                             "focus_area": world.area2.pk}).status_code == 302  # fmt: skip
    assert AnswerTemplate.objects.filter(title="新", focus_area=world.area2).exists()
    client.post(url, {"remove": template.pk})
    assert not AnswerTemplate.objects.filter(pk=template.pk).exists()
