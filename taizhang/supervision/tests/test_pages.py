import datetime as dt

from django.urls import reverse

from taizhang.evaluation.models import CallBack
from taizhang.evaluation.tests.test_evaluation import _answered
from taizhang.intake.models import IdentityView
from taizhang.ledger.models import Problem
from taizhang.notifications.models import Message
from taizhang.supervision import services
from taizhang.supervision.models import Notice, NoticeStatus, SpotCheck
from taizhang.testing import close, record


def test_notice_cycle_in_the_browser(world, client, django_capture_on_commit_callbacks):
    p = record(world)
    client.force_login(world.office)
    page = client.get(reverse("problem_detail", args=[p.pk])).content.decode()
    assert "发出催办或督办" in page and "挂牌督办" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notice_issue", args=[p.pk]), {"kind": "listed", "text": "挂牌督办"})
    notice = Notice.objects.get()
    # The unit's handler finds it in the inbox and replies.
    client.force_login(world.handler_a1)
    inbox = client.get(reverse("inbox")).content.decode()
    assert "挂牌督办" in inbox
    message = Message.objects.get(user=world.handler_a1)
    assert client.get(reverse("inbox_open", args=[message.pk])).url == reverse(
        "notice_detail", args=[notice.pk]
    )
    client.post(reverse("notice_detail", args=[notice.pk]), {"reply": "已落实整改责任人"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED and notice.replied_on_time
    listing = client.get(reverse("notice_list", args=[world.campaign.slug])).content.decode()
    assert p.number in listing
    # Another county's leader sees neither the list entry nor the notice.
    client.force_login(world.leader_b)
    assert (
        p.number
        not in client.get(reverse("notice_list", args=[world.campaign.slug])).content.decode()
    )
    assert client.get(reverse("notice_detail", args=[notice.pk])).status_code == 404


def test_teams_and_spot_checks_pages(world, client):
    close(world, record(world))
    client.force_login(world.office)
    url = reverse("team_list", args=[world.campaign.slug])
    client.post(url, {"name": "第一组", "members": "nobody", "orgs": world.county_a.code})
    assert "第一组" in client.get(url).content.decode()
    bad = client.post(url, {"name": "第二组", "members": "ghost", "orgs": ""})
    assert "找不到用户" in bad.content.decode()
    client.force_login(world.nobody)
    checks = reverse("check_list", args=[world.campaign.slug])
    response = client.post(checks, {"org": world.county_a.code, "count": "1"})
    check = SpotCheck.objects.get()
    assert response.url == reverse("check_detail", args=[check.pk])
    item = check.items.get()
    page = client.get(reverse("check_detail", args=[check.pk])).content.decode()
    assert '<option value="">请选择结果</option><option value="passed">' in page  # none chosen
    unchosen = client.post(reverse("check_detail", args=[check.pk]), {"item": item.pk}, follow=True)
    assert "请选择抽查结果" in unchosen.content.decode()
    item.refresh_from_db()
    assert item.result == "pending"
    client.post(
        reverse("check_detail", args=[check.pk]),
        {"item": item.pk, "result": "failed", "reason": "未整改到位"},
    )
    item.problem.refresh_from_db()
    assert item.problem.status == "rectifying"
    assert client.get(reverse("team_list", args=[world.campaign.slug])).status_code == 403


def test_callbacks_and_ranking_pages(world, client):
    _answered(world)
    client.force_login(world.operator)
    queue = reverse("callback_queue", args=[world.campaign.slug])
    client.post(queue)
    call = CallBack.objects.get()
    # Found by its receipt code as the caller reads it: lower case, full width, no dashes.
    code = call.suggestion.receipt_code
    typed = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    found = client.get(queue, {"code": typed, "status": "done"}).content.decode()
    shown = f"{code[:4]}-{code[4:8]}-{code[8:]}"
    assert shown in found and f">{code}<" not in found  # shown with its dashes
    wrong = client.get(queue, {"code": code[:-1] + ("0" if code[-1] != "0" else "1")})
    assert "不是有效的回执码" in wrong.content.decode() and shown not in wrong.content.decode()
    page = client.get(reverse("callback_detail", args=[call.pk])).content.decode()
    assert "13800000001" in page and "话术" in page
    assert IdentityView.objects.filter(viewer=world.operator, purpose="callback").exists()
    client.post(
        reverse("callback_detail", args=[call.pk]),
        {"reached": "yes", "solved": "yes", "rating": "5", "notes": "很满意"},
    )
    call.refresh_from_db()
    assert call.status == "done" and call.rating == 5
    client.force_login(world.handler_a1)
    assert client.get(queue).status_code == 403
    client.force_login(world.city_leader)
    ranking = client.get(reverse("ranking", args=[world.campaign.slug])).content.decode()
    assert world.county_a.name in ranking and world.county_b.name in ranking


def test_the_rule_run_reaches_the_inbox(world):
    p = record(world)
    Problem.objects.filter(pk=p.pk).update(deadline=dt.date.today() - dt.timedelta(days=1))
    services.run_rules(world.campaign, dt.date.today())
    assert Message.objects.filter(user=world.handler_a1, subject__contains="催办 1 条").exists()


def test_measures_show_their_own_deadline_state(world, client):
    from taizhang.ledger.models import Measure

    p = record(world, measures=["更新办事指南", "培训窗口人员"])
    first, second = p.measures.order_by("order")
    Measure.objects.filter(pk=first.pk).update(deadline=dt.date.today() - dt.timedelta(days=3))
    Measure.objects.filter(pk=second.pk).update(deadline=dt.date.today() + dt.timedelta(days=90))
    client.force_login(world.handler_a1)
    page = client.get(reverse("problem_detail", args=[p.pk])).content.decode()
    table = page.split('id="measures"')[1].split("</table>")[0]
    assert table.count("state-overdue") == 1 and "state-due_soon" not in table
