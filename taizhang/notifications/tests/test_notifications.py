import pytest
from django.core import mail

from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.notifications import services
from taizhang.notifications.models import Contact, Message
from taizhang.notifications.sms import MemoryBackend, _backend
from taizhang.testing import close


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "taizhang.notifications.sms.MemoryBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _backend.cache_clear()
    MemoryBackend.outbox = []
    yield MemoryBackend.outbox
    _backend.cache_clear()


def test_inbox_mail_and_sms(world, outbox, django_capture_on_commit_callbacks):
    world.handler_a1.email = "handler@example.gov.cn"
    world.handler_a1.save()
    Contact.objects.create(user=world.handler_a1, mobile="13900000009")
    with django_capture_on_commit_callbacks(execute=True):
        told = services.notify([world.handler_a1, world.leader_a], "督办:问题 1", "请回复",
                               "/x/", urgent=True)  # fmt: skip
    assert told == 2 and Message.objects.count() == 2
    assert [m.to for m in mail.outbox] == [["handler@example.gov.cn"]]
    assert outbox == [("13900000009", "【台账】督办:问题 1")]
    assert services.unread_count(world.handler_a1) == 1
    services.mark_read(world.handler_a1)
    assert services.unread_count(world.handler_a1) == 0


def test_citizens_hear_of_the_answer_and_the_closure_by_receipt_code(
    world, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        s = intake.submit_suggestion(
            world.campaign, channel=Channel.WEB, title="路灯", text="路灯坏了",
            phone="13800000001", rate_limited=False,
        )  # fmt: skip
        problem = intake.convert_to_problem(
            s, by=world.office, version=s.version, org=world.dept_a1,
            focus_area=world.area, kind="deadline",
        )  # fmt: skip
    assert len(outbox) == 1 and "已转交" in outbox[0][1] and "路灯" not in outbox[0][1]
    from taizhang.ledger import services as ledger

    ledger.sign_problem(problem, by=world.handler_a1, version=problem.version)
    problem.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        close(world, problem)
    assert outbox[-1][0] == "13800000001" and "已整改销号" in outbox[-1][1]


def test_a_step_that_rolls_back_sends_no_mail_and_no_text(world, outbox):
    from django.db import transaction

    world.handler_a1.email = "handler@example.gov.cn"
    world.handler_a1.save()
    Contact.objects.create(user=world.handler_a1, mobile="13900000009")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify([world.handler_a1], "督办", "请回复", urgent=True)
        raise RuntimeError("the step failed after telling")
    assert mail.outbox == [] and outbox == [] and not Message.objects.exists()


def _mailbox(world):
    world.handler_a1.email = "handler@example.gov.cn"
    world.handler_a1.save()
    world.leader_a.email = "leader@example.gov.cn"
    world.leader_a.save()


def test_each_user_chooses_mail_and_texts(world, outbox, django_capture_on_commit_callbacks):
    _mailbox(world)
    Contact.objects.create(user=world.handler_a1, mobile="13900000009", mail="none", sms="each")
    Contact.objects.create(user=world.leader_a, mobile="13900000008", mail="daily", sms="urgent")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([world.handler_a1, world.leader_a], "交办:问题 1", "请签收", "/p/1/")
    # Not urgent: the handler who wants every text gets one; the leader waits for the digest.
    assert mail.outbox == [] and outbox == [("13900000009", "【台账】交办:问题 1")]
    assert Message.objects.get(user=world.leader_a).in_digest
    assert not Message.objects.get(user=world.handler_a1).in_digest
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([world.leader_a], "督办:问题 2", "请回复", "/p/2/", urgent=True)
    assert outbox[-1] == ("13900000008", "【台账】督办:问题 2")


def test_the_daily_digest_lists_what_came_in_once(
    world, outbox, django_capture_on_commit_callbacks
):
    _mailbox(world)
    Contact.objects.create(user=world.leader_a, mail="daily")
    for n in (1, 2, 3):
        services.notify([world.leader_a, world.handler_a1], f"交办:问题 {n}", "", f"/p/{n}/")
    assert [m.to for m in mail.outbox] == []  # no commit callbacks ran: nothing sent yet
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_digests()
    assert sent == 1
    digest = mail.outbox[-1]
    assert digest.to == ["leader@example.gov.cn"] and digest.subject == "台账每日摘要:3 条新消息"
    assert "交办:问题 1" in digest.body and "/p/3/" in digest.body
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests() == 0
    assert not Message.objects.filter(in_digest=True).exists()


def test_the_nightly_run_sends_the_digests(world, outbox, django_capture_on_commit_callbacks):
    from taizhang.core.housekeeping import run_nightly

    _mailbox(world)
    Contact.objects.create(user=world.leader_a, mail="daily")
    services.notify([world.leader_a], "退回:问题 1")
    with django_capture_on_commit_callbacks(execute=True):
        done = run_nightly()
    assert done["digest_at_night"] == 1 and mail.outbox[-1].to == ["leader@example.gov.cn"]


def test_a_user_sets_their_own_choices_on_a_page(world, client):
    client.force_login(world.handler_a1)
    page = client.get("/inbox/settings/")
    assert page.status_code == 200 and "每日一封摘要" in page.content.decode()
    bad = client.post("/inbox/settings/", {"mail": "daily", "sms": "each", "mobile": "1390000"})
    assert bad.status_code == 400 and "请填写 11 位手机号码" in bad.content.decode()
    assert 'value="1390000"' in bad.content.decode()  # what was typed stays
    assert not Contact.objects.filter(user=world.handler_a1).exists()
    chosen = {"mail": "daily", "sms": "each", "mobile": "139 0000 0009"}
    done = client.post("/inbox/settings/", chosen)
    assert done.status_code == 302
    saved = Contact.objects.get(user=world.handler_a1)
    assert (saved.mail, saved.sms, saved.mobile) == ("daily", "each", "13900000009")
