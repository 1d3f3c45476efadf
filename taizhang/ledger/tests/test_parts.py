"""主办 / 协办: co-operating units sign and finish their own parts; the lead unit closes only
once every part is done or waived; who may take each step (a role × step matrix)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from taizhang.ledger import services
from taizhang.ledger.errors import NotAllowed, TransitionError
from taizhang.ledger.models import EventAction, Part, PartState
from taizhang.ledger.permissions import part_actions
from taizhang.notifications.models import Message
from taizhang.testing import PDF, close, record

USERS = ["office", "city_leader", "leader_a", "admin_a", "inspector_a", "handler_a1",
         "handler_a2", "leader_b", "handler_b1", "operator", "nobody"]  # fmt: skip


def _told(user):
    return list(Message.objects.filter(user=user).order_by("pk").values_list("subject", flat=True))


def test_a_part_is_signed_worked_and_finished_before_the_lead_closes(world):
    problem = record(world, cooperating_orgs=[world.town_a2])
    part = problem.parts.get()
    assert (part.state, part.deadline) == (PartState.WAITING, problem.deadline)
    assert _told(world.handler_a2)[-1].startswith("协办任务,请签收")
    with pytest.raises(ValidationError, match="请先签收"):
        services.add_measure(problem, by=world.handler_a2, content="配合排查", part=part)
    services.sign_part(part, by=world.handler_a2)
    measure = services.add_measure(
        problem, by=world.handler_a2, content="配合排查", part=part,
        deadline=problem.deadline - dt.timedelta(days=1),
    )  # fmt: skip
    services.report_progress(problem, by=world.handler_a2, percent=100, text="已排查",
                             measure=measure)  # fmt: skip
    services.report_part(part, by=world.handler_a2, percent=60, text="已排查一半")
    evidence = services.add_evidence(problem, by=world.handler_a2, upload=io.BytesIO(PDF),
                                     original_name="协办.pdf", part=part)  # fmt: skip
    assert evidence.part == part and measure.part == part
    with pytest.raises(NotAllowed):  # the lead unit's own measures are not the helper's
        services.add_measure(problem, by=world.handler_a2, content="越权")
    services.add_evidence(problem, by=world.handler_a1, upload=io.BytesIO(PDF),
                          original_name="证明.pdf")  # fmt: skip
    with pytest.raises(TransitionError, match="尧都区大阳镇"):
        services.apply_to_close(problem, by=world.handler_a1, version=problem.version, note="好")
    services.finish_part(part, by=world.handler_a2, note="已配合完成排查")
    part.refresh_from_db()
    assert (part.state, part.on_time, part.progress) == (PartState.DONE, True, 100)
    assert _told(world.handler_a1)[-1].startswith("协办单位已完成协办任务")
    close(world, problem)
    actions = [e.action for e in problem.events.order_by("pk")]
    assert actions[:7] == ["create", "part_sign", "measure", "progress", "progress",
                           "evidence", "evidence"]  # fmt: skip
    assert "part_done" in actions and actions[-1] == "approve"


def test_the_level_above_waives_a_part_with_a_reason(world):
    problem = record(world, cooperating_orgs=[world.dept_b1])
    part = problem.parts.get()
    with pytest.raises(NotAllowed):
        services.waive_part(part, by=world.handler_a1, reason="不需要")
    with pytest.raises(ValidationError, match="豁免理由"):
        services.waive_part(part, by=world.leader_a, reason=" ")
    services.waive_part(part, by=world.leader_a, reason="经核实不涉及教育部门")
    close(world, problem)  # the waived part no longer stops the closure
    assert problem.events.filter(action=EventAction.PART_WAIVE).get().reason.startswith("经核实")


def test_co_operating_units_are_set_in_history_and_parts_follow(world):
    problem = record(world)
    services.set_cooperating(problem, by=world.handler_a1, version=problem.version,
                             orgs=[world.town_a2, world.dept_b1])  # fmt: skip
    assert {p.org for p in problem.parts.all()} == {world.town_a2, world.dept_b1}
    done = problem.parts.get(org=world.dept_b1)
    services.sign_part(done, by=world.handler_b1)
    services.finish_part(done, by=world.handler_b1, note="完成")
    services.set_cooperating(problem, by=world.handler_a1, version=problem.version,
                             orgs=[world.dept_b1])  # fmt: skip
    states = dict(problem.parts.values_list("org__code", "state"))
    assert states == {"141002101": PartState.WITHDRAWN, "141081801": PartState.DONE}
    assert list(problem.cooperating_orgs.all()) == [world.dept_b1]
    event = problem.events.filter(action=EventAction.COOPERATE).last()
    assert event.data == {"before": ["尧都区大阳镇", "侯马市教育局"], "after": ["侯马市教育局"]}
    with pytest.raises(ValidationError, match="没有变化"):
        services.set_cooperating(problem, by=world.handler_a1, version=problem.version,
                                 orgs=[world.dept_b1])  # fmt: skip
    services.set_cooperating(problem, by=world.handler_a1, version=problem.version,
                             orgs=[world.dept_b1, world.town_a2])  # fmt: skip
    assert problem.parts.get(org=world.town_a2).state == PartState.WAITING  # back again
    with pytest.raises(NotAllowed):
        services.set_cooperating(problem, by=world.handler_b1, version=problem.version, orgs=[])


def test_a_late_part_is_urged_as_itself(world):
    from taizhang.supervision.models import Notice
    from taizhang.supervision.services import run_rules

    problem = record(world, cooperating_orgs=[world.town_a2])
    Part.objects.filter(problem=problem).update(deadline=dt.date.today() - dt.timedelta(days=1))
    run_rules(world.campaign, dt.date.today())
    urge = Notice.objects.get(key__startswith="part:")
    assert (urge.org, urge.kind, urge.problem) == (world.town_a2, "urge", problem)
    assert "协办任务" in urge.text


@pytest.mark.parametrize("state", ["waiting", "working"])
def test_who_takes_each_step_on_a_part(world, state):
    """The matrix: every user × every part step, as the page shows it and as the service
    takes it."""
    problem = record(world, cooperating_orgs=[world.town_a2])
    part = problem.parts.get()
    if state == "working":
        services.sign_part(part, by=world.handler_a2)
    expected = {
        # the part's own unit, and the admins and office above it
        "handler_a2": {"sign"} if state == "waiting" else {"measure", "report", "evidence",
                                                           "finish"},
        "admin_a": set(), "office": set(),
        # the lead unit sets its deadline; deciders above the lead unit waive it
        "handler_a1": {"deadline"}, "leader_a": {"waive"}, "city_leader": {"waive"},
    }  # fmt: skip
    worker = expected["handler_a2"]
    expected["admin_a"] = worker | {"deadline"}  # also an admin above the lead unit
    expected["office"] = worker | {"deadline", "waive"}
    for name in USERS:
        user = getattr(world, name)
        part.refresh_from_db()
        shown = part_actions(user, problem, [part])[part.pk]
        assert shown == expected.get(name, set()), name
        if "sign" not in shown and state == "waiting":
            with pytest.raises((NotAllowed, ValidationError)):
                services.sign_part(part, by=user)
        if "finish" not in shown and state == "working":
            with pytest.raises((NotAllowed, ValidationError)):
                services.finish_part(part, by=user, note="x")
        if "waive" not in shown:
            with pytest.raises((NotAllowed, ValidationError)):
                services.waive_part(part, by=user, reason="x")
        if "report" not in shown:
            with pytest.raises((NotAllowed, ValidationError, TransitionError)):
                services.report_part(part, by=user, percent=10, text="x")
        if "measure" not in shown:
            with pytest.raises((NotAllowed, ValidationError, TransitionError)):
                services.add_measure(problem, by=user, content="x", part=part)
        if "deadline" not in shown:
            with pytest.raises((NotAllowed, ValidationError)):
                services.set_part_deadline(part, by=user, deadline=problem.deadline)


def test_parts_through_the_page(world, client):
    problem = record(world, by=world.office, org=world.dept_a1)
    client.force_login(world.office)
    url = f"/problems/{problem.pk}/cooperating/"
    refused = client.post(url, {"version": problem.version, "units": "没有这个单位"})
    assert refused.status_code == 400 and 'value="没有这个单位"' in refused.content.decode()
    assert client.post(url, {"version": problem.version, "units": "大阳镇"}).status_code == 302
    part = problem.parts.get()
    client.force_login(world.handler_a2)
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    assert f'id="part-{part.pk}"' in page and "签收协办任务" in page
    base = f"/problems/{problem.pk}/parts/{part.pk}/"
    assert client.post(base + "sign/").status_code == 302
    assert client.post(base + "report/", {"percent": "50", "text": "推进中"}).status_code == 302
    assert client.post(base + "finish/", {"note": ""}).status_code == 400
    assert client.post(base + "finish/", {"note": "已完成"}).status_code == 302
    part.refresh_from_db()
    assert (part.state, part.progress) == (PartState.DONE, 100)
