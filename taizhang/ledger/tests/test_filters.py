"""The list's filters: `own=1` keeps a unit's own problems, without the units below it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.ledger.filters import apply_filters, parse_params
from taizhang.ledger.models import Problem
from taizhang.testing import record


def _numbers(world, params):
    query = parse_params(world.campaign, params)
    problems = Problem.objects.filter(campaign=world.campaign)
    return {p.number for p in apply_filters(problems, world.campaign, query, timezone.localdate())}


def test_own_keeps_the_units_own_problems_only(world):
    own = record(world, by=world.office, org=world.county_a)
    below = record(world, by=world.handler_a1, org=world.dept_a1)
    assert _numbers(world, {"org": "141002"}) == {own.number, below.number}
    assert _numbers(world, {"org": "141002", "own": "1"}) == {own.number}


@pytest.mark.parametrize("params", [{"own": "1"}, {"org": "141002", "own": "yes"}])
def test_own_needs_a_unit_and_the_value_1(world, params):
    with pytest.raises(ValidationError):
        parse_params(world.campaign, params)
