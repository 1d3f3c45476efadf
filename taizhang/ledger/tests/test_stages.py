"""Closure in stages (分级审核销号): each step approved by whom the campaign names, with its own
limit; a return at any step sends it back with a reason; rectified only after the last; the
applicant approves no step (a role × step matrix)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from taizhang.ledger import services, stages
from taizhang.ledger.errors import NotAllowed
from taizhang.ledger.models import Problem, Source, Status
from taizhang.ledger.permissions import available_actions
from taizhang.notifications.models import Message
from taizhang.testing import PDF, record
from taizhang.todo.services import todo_for
from taizhang.workdays.calendar import add_workdays

USERS = ["office", "city_leader", "leader_a", "admin_a", "inspector_a", "handler_a1",
         "handler_a2", "leader_b", "handler_b1", "operator", "nobody"]  # fmt: skip
STAGES = [
    {"key": "review", "name": "初审", "who": "unit_leader", "days": 3},
    {"key": "verify", "name": "核查", "who": "inspector", "days": 5, "sources": ["inspection"]},
    {"key": "close", "name": "销号", "who": "above", "days": 5},
]
# Who holds each step for a problem of 尧都区发改局 (dept_a1, under county_a, under the city).
HOLDERS = {
    "review": {"leader_a", "city_leader"},
    "verify": {"inspector_a"},
    "close": {"leader_a", "city_leader", "office"},
}


@pytest.fixture
def staged(world):
    world.campaign.rules = {**world.campaign.rules, "closure_stages": STAGES}
    world.campaign.save()
    return world


def _applied(world, source=Source.SELF_FOUND, by=None):
    by = by or world.handler_a1
    if source == Source.INSPECTION:
        problem = record(world, by=world.inspector_a, source=source)
        services.sign_problem(problem, by=world.handler_a1, version=problem.version)
    else:
        problem = record(world, by=by)
    services.add_evidence(problem, by=by, upload=io.BytesIO(PDF), original_name="证明.pdf")
    services.apply_to_close(problem, by=by, version=problem.version, note="已整改")
    return problem


def test_a_finding_goes_through_every_step_and_a_self_found_one_skips_the_check(staged):
    found = _applied(staged, Source.INSPECTION)
    assert (found.closure_stage, found.stage_due) == (
        "review", add_workdays(dt.date.today(), 3).date,
    )  # fmt: skip
    told = Message.objects.filter(user=staged.leader_a).values_list("subject", flat=True)
    assert list(told)[-1].startswith("销号申请待审核(初审)")  # the nearest leader, not the city's
    assert not Message.objects.filter(user=staged.city_leader).exists()
    services.approve_closure(found, by=staged.leader_a, version=found.version, note="初审同意")
    assert (found.status, found.closure_stage) == (Status.PENDING, "verify")
    with pytest.raises(NotAllowed, match=r"核查.*督导组"):
        services.approve_closure(found, by=staged.leader_a, version=found.version)
    services.approve_closure(found, by=staged.inspector_a, version=found.version, note="核查属实")
    assert found.closure_stage == "close" and found.status == Status.PENDING
    services.approve_closure(found, by=staged.office, version=found.version, note="同意销号")
    assert (found.status, found.closure_stage, found.stage_due) == (Status.CLOSED, "", None)
    steps = [(e.action, e.to_status, e.data) for e in found.events.filter(action="approve")]
    assert steps == [
        ("approve", Status.PENDING, {"stage": "review", "next": "verify"}),
        ("approve", Status.PENDING, {"stage": "verify", "next": "close"}),
        ("approve", Status.CLOSED, {}),
    ]
    own = _applied(staged)
    services.approve_closure(own, by=staged.leader_a, version=own.version)
    assert own.closure_stage == "close"  # 核查 is only for what the inspectors found


def test_a_return_at_any_step_needs_a_reason_and_starts_again(staged):
    problem = _applied(staged, Source.INSPECTION)
    services.approve_closure(problem, by=staged.leader_a, version=problem.version)
    with pytest.raises(ValidationError, match="退回理由"):
        services.return_closure(problem, by=staged.inspector_a, version=problem.version,
                                reason="")  # fmt: skip
    services.return_closure(problem, by=staged.inspector_a, version=problem.version,
                            reason="现场核查仍有问题")  # fmt: skip
    assert (problem.status, problem.closure_stage) == (Status.RECTIFYING, "")
    services.apply_to_close(problem, by=staged.handler_a1, version=problem.version, note="再改")
    assert problem.closure_stage == "review"


@pytest.mark.parametrize("source", [Source.INSPECTION, Source.SELF_FOUND])
def test_who_approves_each_step(staged, source):
    """The matrix: every user × every step the problem goes through, as the buttons show it,
    as 我的待办 lists it, and as the service takes it; the applicant holds none."""
    problem = _applied(staged, source)
    keys = [s.key for s in stages.stages_for(problem)]
    assert keys == (["review", "verify", "close"] if source == Source.INSPECTION
                    else ["review", "close"])  # fmt: skip
    for key in keys:
        problem = Problem.objects.get(pk=problem.pk)
        assert problem.closure_stage == key
        for name in USERS:
            user = getattr(staged, name)
            shown = "approve" in available_actions(user, problem)
            assert shown == (name in HOLDERS[key]), (key, name)
            listed = any(
                s.key == "approve" and any(f"/problems/{problem.pk}/" in i.url for i in s.items)
                for s in todo_for(user, staged.campaign)
            )
            assert listed == shown, (key, name)
            if not shown:
                with pytest.raises(NotAllowed):
                    services.approve_closure(problem, by=user, version=problem.version)
                with pytest.raises(NotAllowed):
                    services.return_closure(problem, by=user, version=problem.version, reason="x")
        approver = getattr(staged, sorted(HOLDERS[key])[0])
        services.approve_closure(problem, by=approver, version=problem.version)
    assert Problem.objects.get(pk=problem.pk).status == Status.CLOSED


def test_the_applicant_approves_no_step_even_when_holding_it(staged):
    # The office applies for a county's problem: it holds 销号 there, but not for its own.
    problem = record(staged, by=staged.office, org=staged.county_a)
    services.sign_problem(problem, by=staged.office, version=problem.version)
    services.add_evidence(problem, by=staged.office, upload=io.BytesIO(PDF),
                          original_name="证明.pdf")  # fmt: skip
    services.apply_to_close(problem, by=staged.office, version=problem.version, note="已整改")
    services.approve_closure(problem, by=staged.city_leader, version=problem.version)
    assert problem.closure_stage == "close"
    assert "approve" not in available_actions(staged.office, problem)
    with pytest.raises(NotAllowed, match="申请人"):
        services.approve_closure(problem, by=staged.office, version=problem.version)
    services.approve_closure(problem, by=staged.city_leader, version=problem.version)
    assert problem.status == Status.CLOSED


def test_a_wrong_setting_is_named(world):
    world.campaign.rules = {"closure_stages": [{"key": "a", "who": "mayor"}]}
    with pytest.raises(ValidationError, match="第 1 项:who 应为"):
        stages.campaign_stages(world.campaign)
    world.campaign.rules = {"closure_stages": [{"key": "a", "sources": ["nowhere"]}]}
    with pytest.raises(ValidationError, match="无效的来源或整改类型 nowhere"):
        stages.campaign_stages(world.campaign)


def test_the_page_shows_the_step_and_its_approver(staged, client):
    problem = _applied(staged, Source.INSPECTION)
    client.force_login(staged.leader_a)
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert '<strong>初审</strong> → <span class="muted">核查</span>' in page
    assert "由本单位或上级的领导审核" in page and "初审通过,送下一环节" in page
    response = client.post(f"/problems/{problem.pk}/do/approve/",
                           {"version": problem.version, "reason": "同意"})  # fmt: skip
    assert response.status_code == 302
    client.force_login(staged.inspector_a)
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert "<strong>核查</strong>" in page and "由督导组审核" in page
