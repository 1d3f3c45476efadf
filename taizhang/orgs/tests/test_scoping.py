"""The permission matrix: every role × in scope / out of scope × read / write / decide."""

import pytest

from taizhang.ledger import permissions
from taizhang.ledger.models import Problem
from taizhang.orgs.scoping import visible_orgs
from taizhang.testing import record

READ = {
    "office": {"a1", "a2b", "b1"},
    "city_leader": {"a1", "a2b", "b1"},
    "operator": {"a1", "a2b", "b1"},
    "leader_a": {"a1", "a2b"},
    "admin_a": {"a1", "a2b"},
    "inspector_a": {"a1", "a2b"},
    "handler_a1": {"a1"},
    "handler_a2": {"a2b"},
    "leader_b": {"b1"},
    "handler_b1": {"b1"},
    "nobody": set(),
}
WRITE = {
    "office": {"a1", "a2b", "b1"},
    "admin_a": {"a1", "a2b"},
    "handler_a1": {"a1"},
    "handler_b1": {"b1"},
}
DECIDE = {
    "office": {"a1", "a2b", "b1"},
    "city_leader": {"a1", "a2b", "b1"},
    "leader_a": {"a1", "a2b"},
    "leader_b": {"b1"},
}


@pytest.fixture
def problems(world) -> dict[str, Problem]:
    return {
        "a1": record(world, by=world.handler_a1, org=world.dept_a1),
        "a2b": record(world, by=world.admin_a, org=world.branch_a2),
        "b1": record(world, by=world.handler_b1, org=world.dept_b1),
    }


@pytest.mark.parametrize("username", sorted(READ))
def test_each_role_sees_exactly_its_subtrees(world, problems, username):
    user = getattr(world, username)
    visible = set(permissions.visible_problems(user).values_list("pk", flat=True))
    expected = {problems[name].pk for name in READ[username]}
    assert visible == expected
    for name, problem in problems.items():
        assert permissions.can_view(user, problem) is (name in READ[username])


@pytest.mark.parametrize("username", sorted(READ))
def test_each_role_may_change_exactly_its_own_units(world, problems, username):
    user = getattr(world, username)
    for name, problem in problems.items():
        assert permissions.can_edit(user, problem) is (name in WRITE.get(username, set())), name


@pytest.mark.parametrize("username", sorted(READ))
def test_only_the_level_above_decides(world, problems, username):
    user = getattr(world, username)
    for name, problem in problems.items():
        assert permissions.can_decide(user, problem) is (name in DECIDE.get(username, set())), name


def test_cooperating_unit_sees_the_problem(world):
    problem = record(world, by=world.handler_a1, cooperating_orgs=[world.dept_b1])
    assert permissions.can_view(world.handler_b1, problem)
    assert not permissions.can_edit(world.handler_b1, problem)
    # The co-operating unit's view adds one row, not one per matching path.
    assert permissions.visible_problems(world.office).filter(pk=problem.pk).count() == 1


def test_visible_orgs_follow_the_tree(world):
    codes = set(visible_orgs(world.handler_a2).values_list("code", flat=True))
    assert codes == {"141002101", "141002101201"}
    assert not visible_orgs(world.nobody).exists()
