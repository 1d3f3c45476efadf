"""Dispatch hops (派单): 签收时限, 转派 onward, 退单 reviewed by the dispatcher, 会商 after a
repeated decline, and who may take each step (a role × step matrix)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from taizhang.ledger import services
from taizhang.ledger.errors import NotAllowed, TransitionError
from taizhang.ledger.models import Dispatch, EventAction, HopState, Problem, Status
from taizhang.ledger.permissions import available_actions
from taizhang.notifications.models import Message
from taizhang.testing import PDF, record
from taizhang.workdays.calendar import add_workdays

USERS = ["office", "city_leader", "leader_a", "admin_a", "inspector_a", "handler_a1",
         "handler_a2", "leader_b", "handler_b1", "operator", "nobody"]  # fmt: skip


def _told(user):
    return list(Message.objects.filter(user=user).order_by("pk").values_list("subject", flat=True))


def _hops(problem):
    return [(h.org.code, h.state) for h in problem.dispatches.select_related("org")]


def test_each_hop_has_its_signing_limit_and_is_signed_on_time_or_late(world):
    today = dt.date.today()
    problem = record(world, by=world.office, org=world.dept_a1, title="交办")
    hop = problem.dispatches.get()
    assert hop.state == HopState.WAITING and hop.assigned_by == world.office
    assert hop.sign_by == problem.sign_by == add_workdays(today, 1).date
    urgent = record(world, by=world.office, org=world.dept_a1, title="急", urgent=True)
    assert urgent.sign_by == today  # 重大紧急: signed the same day
    services.sign_problem(problem, by=world.handler_a1, version=problem.version)
    hop.refresh_from_db()
    assert (hop.state, hop.on_time) == (HopState.SIGNED, True)
    assert Problem.objects.get(pk=problem.pk).sign_by is None
    Dispatch.objects.filter(problem=urgent).update(sign_by=today - dt.timedelta(days=2))
    services.sign_problem(urgent, by=world.handler_a1, version=urgent.version)
    assert urgent.dispatches.get().on_time is False


def test_a_county_sends_it_on_to_a_township_with_a_hop_of_its_own(world):
    problem = record(world, by=world.office, org=world.county_a, title="转派")
    with pytest.raises(NotAllowed):  # a handler does not dispatch
        services.forward_problem(
            problem, by=world.handler_a1, version=problem.version, org=world.town_a2
        )
    with pytest.raises(ValidationError, match="下级单位"):
        services.forward_problem(
            problem, by=world.office, version=problem.version, org=world.dept_b1
        )
    services.forward_problem(
        problem, by=world.admin_a, version=problem.version, org=world.town_a2, reason="属地"
    )
    assert (problem.status, problem.org, problem.org_path) == (
        Status.ASSIGNED, world.town_a2, world.town_a2.path,
    )  # fmt: skip
    assert _hops(problem) == [("141002", HopState.FORWARDED), ("141002101", HopState.WAITING)]
    assert problem.dispatches.first().on_time is True
    assert _told(world.handler_a2)[-1].startswith("转派,请签收")
    services.sign_problem(problem, by=world.handler_a2, version=problem.version)
    assert problem.events.filter(action=EventAction.FORWARD).get().data == {
        "from": "141002", "to": "141002101",
    }  # fmt: skip


def test_a_decline_is_reviewed_and_rejected_keeps_the_clock_running(world):
    problem = record(world, by=world.office, org=world.county_a, title="退单")
    services.forward_problem(problem, by=world.admin_a, version=problem.version, org=world.town_a2)
    sign_by = problem.sign_by
    with pytest.raises(ValidationError, match="退单原因"):
        services.decline_problem(
            problem, by=world.handler_a2, version=problem.version, reason="x", category="nope"
        )
    services.decline_problem(
        problem,
        by=world.handler_a2,
        version=problem.version,
        reason="该路段属于开发区",
        category="territory",
        upload=io.BytesIO(PDF),
        file_name="权属图.pdf",
    )
    hop = problem.dispatches.get(state=HopState.DECLINING)
    assert (hop.decline_reason, hop.consult, hop.decline_evidence.original_name) == (
        "territory", False, "权属图.pdf",
    )  # fmt: skip
    assert _told(world.admin_a)[-1].startswith("退单待审核")  # who sent it on reviews it
    assert available_actions(world.handler_a2, problem) & {"sign", "decline"} == set()
    with pytest.raises(NotAllowed, match="等待审核"):
        services.sign_problem(problem, by=world.handler_a2, version=problem.version)
    with pytest.raises(ValidationError, match="驳回理由"):
        services.review_decline(problem, by=world.admin_a, version=problem.version, accept=False)
    services.review_decline(
        problem, by=world.admin_a, version=problem.version, accept=False, note="属镇域范围"
    )
    hop.refresh_from_db()
    assert (hop.state, hop.accepted, hop.sign_by) == (HopState.WAITING, False, sign_by)
    assert not problem.declining and problem.sign_by == sign_by
    assert _told(world.handler_a2)[-1].startswith("退单未通过")
    services.sign_problem(problem, by=world.handler_a2, version=problem.version)
    assert problem.status == Status.RECTIFYING


def test_an_accepted_decline_reassigns_and_a_second_goes_to_consultation(world):
    problem = record(world, by=world.office, org=world.dept_a1, title="会商")
    services.decline_problem(
        problem, by=world.handler_a1, version=problem.version, reason="不是本局职责",
        category="function",
    )  # fmt: skip
    services.review_decline(
        problem, by=world.office, version=problem.version, accept=True, org=world.town_a2,
        note="改派属地",
    )  # fmt: skip
    assert (problem.status, problem.org) == (Status.ASSIGNED, world.town_a2)
    assert _hops(problem) == [("141002801", HopState.DECLINED), ("141002101", HopState.WAITING)]
    assert _told(world.handler_a2)[-1].startswith("改派,请签收")
    assert _told(world.handler_a1)[-1].startswith("退单已通过")
    services.decline_problem(
        problem, by=world.handler_a2, version=problem.version, reason="仍不是", category="other"
    )
    hop = problem.dispatches.get(state=HopState.DECLINING)
    assert hop.consult  # the second decline: 会商 by the campaign office
    assert _told(world.office)[-1].startswith("再次退单,请会商")
    with pytest.raises(NotAllowed, match="会商"):
        services.review_decline(
            problem, by=world.admin_a, version=problem.version, accept=True, org=world.dept_a1,
            note="x",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="确定责任单位"):
        services.review_decline(problem, by=world.office, version=problem.version, accept=True,
                                note="会商")  # fmt: skip
    services.review_decline(
        problem, by=world.office, version=problem.version, accept=True, org=world.dept_a1,
        note="会商确定由发改局牵头",
    )  # fmt: skip
    final = problem.dispatches.get(state=HopState.WAITING)
    assert final.binding and final.org == world.dept_a1
    assert "decline" not in available_actions(world.handler_a1, problem)
    with pytest.raises(NotAllowed, match="会商确定"):
        services.decline_problem(
            problem, by=world.handler_a1, version=problem.version, reason="再退"
        )
    assert [e.action for e in problem.events.order_by("pk")] == [
        "create", "decline", "decline_accept", "decline", "decline_accept",
    ]  # fmt: skip


def test_void_ends_the_waiting_hop(world):
    problem = record(world, by=world.office, org=world.dept_a1)
    services.void_problem(problem, by=world.office, version=problem.version, reason="重复")
    hop = problem.dispatches.get()
    assert (hop.state, hop.on_time) == (HopState.ENDED, None)


def _declined(world, *, twice: bool) -> Problem:
    problem = record(world, by=world.office, org=world.dept_a1, title="矩阵")
    services.decline_problem(problem, by=world.handler_a1, version=problem.version, reason="a")
    if twice:
        services.review_decline(problem, by=world.office, version=problem.version,
                                accept=False, note="继续办")  # fmt: skip
        services.decline_problem(problem, by=world.handler_a1, version=problem.version,
                                 reason="b")  # fmt: skip
    return problem


@pytest.mark.parametrize(
    ("consult", "allowed"),
    [(False, {"office", "admin_a"}), (True, {"office"})],
    ids=["dispatcher-review", "consultation"],
)
def test_who_reviews_a_decline(world, consult, allowed):
    """The matrix: every user of the world × review, shown and refused alike."""
    problem = _declined(world, twice=consult)
    for name in USERS:
        user = getattr(world, name)
        shown = "review_decline" in available_actions(user, problem)
        assert shown == (name in allowed), name
        if name in allowed:
            continue
        with pytest.raises((NotAllowed, TransitionError)):
            services.review_decline(problem, by=user, version=problem.version, accept=False,
                                    note="不行")  # fmt: skip
    services.review_decline(problem, by=world.office, version=problem.version, accept=False,
                            note="由原单位办理")  # fmt: skip
    assert not Problem.objects.get(pk=problem.pk).declining


def test_the_daily_run_reminds_on_the_signing_day_and_urges_after_it(world):
    from taizhang.supervision.models import Notice
    from taizhang.supervision.services import run_rules

    today = dt.date.today()
    due = record(world, by=world.office, org=world.dept_a1, title="今日签收")
    late = record(world, by=world.office, org=world.town_a2, title="超时未签")
    signed = record(world, by=world.office, org=world.dept_b1, title="已签收")
    Dispatch.objects.filter(problem=due).update(sign_by=today)
    Dispatch.objects.filter(problem__in=[late, signed]).update(sign_by=today - dt.timedelta(1))
    services.sign_problem(signed, by=world.handler_b1, version=signed.version)
    run_rules(world.campaign, today)
    run_rules(world.campaign, today)  # once per hop and kind, however often it runs
    sign_notices = Notice.objects.filter(key__startswith="sign:")
    assert sorted((n.problem_id, n.kind, n.org_id) for n in sign_notices) == sorted(
        [(due.pk, "reminder", world.dept_a1.pk), (late.pk, "urge", world.town_a2.pk)]
    )
    assert "超过签收时限" in sign_notices.get(kind="urge").text


def test_decline_and_review_through_the_page(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    problem = record(world, by=world.office, org=world.dept_a1, title="页面退单")
    client.force_login(world.handler_a1)
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert "退单原因" in page and "职能不符" in page and 'id="sign-by"' in page
    url = f"/problems/{problem.pk}/do/decline/"
    refused = client.post(url, {"version": problem.version, "category": "function", "reason": ""})
    assert refused.status_code == 400  # the reason is required; the choice is kept
    assert 'value="function" selected' in refused.content.decode().replace(" required", "")
    sent = client.post(url, {
        "version": problem.version, "category": "function", "reason": "不是本局职责",
        "file": SimpleUploadedFile("依据.pdf", PDF, content_type="application/pdf"),
    })  # fmt: skip
    assert sent.status_code == 302
    problem.refresh_from_db()
    assert problem.declining
    client.force_login(world.office)
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert 'id="review-decline"' in page and "依据.pdf" in page
    reviewed = client.post(f"/problems/{problem.pk}/do/review_decline/", {
        "version": problem.version, "accept": "1", "org_code": "大阳镇", "reason": "改派属地",
    })  # fmt: skip
    assert reviewed.status_code == 302
    problem.refresh_from_db()
    assert (problem.org, problem.status) == (world.town_a2, Status.ASSIGNED)
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert 'id="dispatches"' in page and "退单通过" in page and "职能不符" in page


def test_the_consultation_form_asks_for_the_unit(world, client):
    problem = _declined(world, twice=True)
    client.force_login(world.office)
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert "会商确定责任单位" in page and "会商须确定责任单位。" in page
    assert "留空则退回待交办" not in page
