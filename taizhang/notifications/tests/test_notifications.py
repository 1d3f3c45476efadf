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
                               "/x/", sms=True)  # fmt: skip
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
        services.notify([world.handler_a1], "督办", "请回复", sms=True)
        raise RuntimeError("the step failed after telling")
    assert mail.outbox == [] and outbox == [] and not Message.objects.exists()
