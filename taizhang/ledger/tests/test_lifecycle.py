"""The problem lifecycle of DESIGN §3, through the services as every caller uses them."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from taizhang.ledger import services
from taizhang.ledger.errors import ConflictError, NotAllowed, TransitionError
from taizhang.ledger.models import EventAction, ExtensionStatus, Kind, ProblemEvent, Status
from taizhang.testing import PDF, close, record


def statuses(problem):
    return [
        (e.from_status, e.to_status) for e in problem.events.order_by("at", "pk") if e.to_status
    ]


def test_own_unit_records_and_the_level_above_closes(world):
    # given a handler's own problem with a measure, progress and evidence
    problem = record(world, measures=["公布材料清单"])
    assert problem.status == Status.RECTIFYING
    measure = problem.measures.get()
    services.report_progress(
        problem, by=world.handler_a1, percent=100, text="已公布", measure=measure
    )
    # when it is applied for and approved by the county leader
    close(world, problem)
    # then it is closed on time, with the whole history
    problem.refresh_from_db()
    assert problem.status == Status.CLOSED
    assert problem.closed_on_time is True
    assert statuses(problem) == [
        ("", Status.RECTIFYING),
        (Status.RECTIFYING, Status.PENDING),
        (Status.PENDING, Status.CLOSED),
    ]
    measure.refresh_from_db()
    assert measure.progress == 100 and measure.done_on == dt.date.today()


def test_assigned_problem_is_signed_or_declined_and_reassigned(world):
    problem = record(world, by=world.office, org=world.dept_a1, source="assigned")
    assert problem.status == Status.ASSIGNED
    services.decline_problem(
        problem, by=world.handler_a1, version=problem.version, reason="非本单位职责"
    )
    assert problem.status == Status.ASSIGNED and problem.declining
    services.review_decline(problem, by=world.office, version=problem.version, accept=True)
    assert problem.status == Status.DRAFT and not problem.declining
    services.assign_problem(problem, by=world.office, version=problem.version, org=world.town_a2)
    assert problem.org == world.town_a2 and problem.org_path == world.town_a2.path
    services.sign_problem(problem, by=world.handler_a2, version=problem.version)
    assert problem.status == Status.RECTIFYING


def test_decline_needs_a_reason(world):
    problem = record(world, by=world.office, org=world.dept_a1)
    with pytest.raises(ValidationError, match="退回理由"):
        services.decline_problem(problem, by=world.handler_a1, version=problem.version, reason=" ")


def test_applicant_cannot_approve_even_when_above(world):
    # The county admin applies for a branch's problem and is not allowed to approve it;
    # the office above applies for a county problem and may not approve its own application.
    problem = record(world, by=world.office, org=world.county_a)
    services.sign_problem(problem, by=world.office, version=problem.version)
    services.add_evidence(problem, by=world.office, upload=io.BytesIO(PDF), original_name="a.pdf")
    services.apply_to_close(problem, by=world.office, version=problem.version, note="done")
    with pytest.raises(NotAllowed, match="申请人不能审核"):
        services.approve_closure(problem, by=world.office, version=problem.version)
    services.approve_closure(problem, by=world.city_leader, version=problem.version)
    assert problem.status == Status.CLOSED


def test_handler_cannot_approve_and_same_level_leader_cannot(world):
    problem = record(world)
    services.add_evidence(
        problem, by=world.handler_a1, upload=io.BytesIO(PDF), original_name="a.pdf"
    )
    services.apply_to_close(problem, by=world.handler_a1, version=problem.version, note="done")
    for user in (world.handler_a1, world.handler_a2, world.inspector_a, world.leader_b):
        with pytest.raises(NotAllowed):
            services.approve_closure(problem, by=user, version=problem.version)
    assert problem.status == Status.PENDING


def test_closure_needs_evidence_when_the_campaign_says_so(world):
    problem = record(world)
    with pytest.raises(TransitionError, match="佐证材料"):
        services.apply_to_close(problem, by=world.handler_a1, version=problem.version, note="done")
    world.campaign.rules = {"evidence_required": {"deadline": False}}
    world.campaign.save()
    problem = record(world)
    services.apply_to_close(problem, by=world.handler_a1, version=problem.version, note="done")
    assert problem.status == Status.PENDING


def test_return_then_reopen_after_closure(world):
    problem = record(world)
    services.add_evidence(
        problem, by=world.handler_a1, upload=io.BytesIO(PDF), original_name="a.pdf"
    )
    services.apply_to_close(problem, by=world.handler_a1, version=problem.version, note="done")
    services.return_closure(problem, by=world.leader_a, version=problem.version, reason="证据不足")
    assert problem.status == Status.RECTIFYING and problem.applied_by is None
    services.apply_to_close(problem, by=world.handler_a1, version=problem.version, note="补充了")
    services.approve_closure(problem, by=world.leader_a, version=problem.version)
    services.reopen_problem(
        problem, by=world.inspector_a, version=problem.version, reason="抽查未通过"
    )
    problem.refresh_from_db()
    assert problem.status == Status.RECTIFYING
    assert problem.closed_at is None and problem.closed_on_time is None


def test_transition_from_wrong_state_says_why(world):
    problem = record(world)
    with pytest.raises(TransitionError, match=r"整改中.*不能签收"):
        services.sign_problem(problem, by=world.handler_a1, version=problem.version)


def test_void_and_merge_leave_history_and_need_the_level_above(world):
    first, second, third = record(world), record(world), record(world)
    with pytest.raises(NotAllowed):
        services.void_problem(first, by=world.handler_a1, version=first.version, reason="x")
    services.void_problem(first, by=world.admin_a, version=first.version, reason="重复登记")
    services.merge_problem(second, into=third, by=world.office, version=second.version)
    assert (first.status, second.status, second.merged_into) == (Status.VOID, Status.MERGED, third)
    assert third.events.filter(action=EventAction.MERGE).exists()
    with pytest.raises(ValidationError):
        services.merge_problem(third, into=first, by=world.office, version=third.version)


def test_concurrent_change_gets_a_conflict_and_loses_nothing(world):
    problem = record(world)
    stale_copy = type(problem).objects.get(pk=problem.pk)
    services.update_problem(problem, by=world.handler_a1, version=problem.version, title="新标题")
    with pytest.raises(ConflictError):
        services.update_problem(
            stale_copy, by=world.admin_a, version=stale_copy.version, title="另一个标题"
        )
    problem.refresh_from_db()
    assert problem.title == "新标题"
    assert problem.events.filter(action=EventAction.UPDATE).count() == 1


def test_extension_only_through_an_approved_request(world):
    problem = record(world)
    old = problem.deadline
    new = old + dt.timedelta(days=30)
    extension = services.request_extension(
        problem, by=world.handler_a1, new_deadline=new, reason="资金未到位"
    )
    with pytest.raises(TransitionError, match="审批中"):
        services.request_extension(problem, by=world.handler_a1, new_deadline=new, reason="again")
    with pytest.raises(NotAllowed):
        services.decide_extension(
            extension, by=world.handler_a1, version=problem.version, approve=True
        )
    services.decide_extension(extension, by=world.leader_a, version=problem.version, approve=True)
    problem.refresh_from_db()
    assert problem.deadline == new
    assert extension.status == ExtensionStatus.APPROVED


def test_rejected_extension_keeps_the_deadline_and_needs_a_reason(world):
    problem = record(world)
    extension = services.request_extension(
        problem,
        by=world.handler_a1,
        new_deadline=problem.deadline + dt.timedelta(days=5),
        reason="r",
    )
    with pytest.raises(ValidationError, match="驳回理由"):
        services.decide_extension(
            extension, by=world.leader_a, version=problem.version, approve=False
        )
    services.decide_extension(
        extension, by=world.leader_a, version=problem.version, approve=False, note="理由不充分"
    )
    deadline = problem.deadline
    problem.refresh_from_db()
    assert problem.deadline == deadline


def test_bad_input_is_refused_with_nothing_saved(world):
    count = ProblemEvent.objects.count()
    with pytest.raises(ValidationError, match="请填写问题"):
        record(world, title="  ")
    with pytest.raises(ValidationError, match="超出活动期限太远"):
        record(world, deadline=dt.date(2202, 1, 1))
    with pytest.raises(ValidationError, match="早于"):
        record(world, deadline=dt.date(2000, 1, 1))
    with pytest.raises(NotAllowed, match="无权"):
        record(world, by=world.handler_a1, org=world.dept_b1)
    problem = record(world)
    with pytest.raises(ValidationError, match="进度应在"):
        services.report_progress(problem, by=world.handler_a1, percent=120, text="x")
    with pytest.raises(ValidationError, match="进展日期"):
        services.report_progress(
            problem,
            by=world.handler_a1,
            percent=10,
            text="x",
            reported_on=dt.date.today() + dt.timedelta(days=1),
        )
    assert ProblemEvent.objects.count() == count + 1


def test_history_is_append_only(world):
    event = record(world).events.get()
    event.reason = "changed"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_default_deadline_counts_working_days(world):
    from taizhang.workdays.calendar import add_workdays

    problem = record(world, kind=Kind.IMMEDIATE)
    assert problem.deadline == add_workdays(problem.deadline_basis, 10).date
