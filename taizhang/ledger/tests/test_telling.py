"""A step that hands work to someone tells them (inbox and mail), and nobody else."""

import datetime as dt
import io

from django.core import mail

from taizhang.ledger import services
from taizhang.ledger.models import Status
from taizhang.notifications.models import Message
from taizhang.testing import PDF, record


def _told(user) -> list[str]:
    return list(Message.objects.filter(user=user).order_by("pk").values_list("subject", flat=True))


def test_each_step_that_hands_work_on_tells_who_must_act(world, django_capture_on_commit_callbacks):
    world.handler_a1.email = "handler@example.org"
    world.handler_a1.save()
    problem = record(world, by=world.office, org=world.county_a, title="待交办的问题")
    problem.status = Status.DRAFT
    problem.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_problem(problem, by=world.office, version=problem.version,
                                org=world.dept_a1)  # fmt: skip
    assert _told(world.handler_a1) == [f"交办,请签收:{problem.number} 待交办的问题"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["handler@example.org"]
    problem.refresh_from_db()
    services.decline_problem(problem, by=world.handler_a1, version=problem.version,
                             reason="不是本单位职责")  # fmt: skip
    assert _told(world.office)[-1].startswith("退单待审核")
    assert len(_told(world.handler_a1)) == 1  # the one who declined is not told of it

    work = record(world, title="整改中的问题")
    services.add_evidence(work, by=world.handler_a1, upload=io.BytesIO(PDF),
                          original_name="证明.pdf")  # fmt: skip
    services.apply_to_close(work, by=world.handler_a1, version=work.version, note="已整改")
    services.return_closure(work, by=world.leader_a, version=work.version, reason="证据不足")
    assert _told(world.handler_a1)[-1] == f"销号申请被退回:{work.number} 整改中的问题"
    services.apply_to_close(work, by=world.handler_a1, version=work.version, note="已补充")
    services.approve_closure(work, by=world.leader_a, version=work.version)
    assert _told(world.handler_a1)[-1].startswith("销号审核通过")
    services.reopen_problem(work, by=world.leader_a, version=work.version, reason="抽查不通过")
    assert _told(world.handler_a1)[-1].startswith("重新整改")
    work.refresh_from_db()
    asked = services.request_extension(work, by=world.handler_a1,
                                       new_deadline=work.deadline + dt.timedelta(days=30),
                                       reason="需协调")  # fmt: skip
    services.decide_extension(asked, by=world.leader_a, version=work.version, approve=False,
                              note="时限不变")  # fmt: skip
    assert _told(world.handler_a1)[-1].startswith("延期申请未批准")
    # The deciding leader is told of the applications that wait for them (the nearest level
    # above), and nothing of their own acts.
    assert _told(world.leader_a) == [f"销号申请待审核(销号审核):{work.number} 整改中的问题"] * 2
