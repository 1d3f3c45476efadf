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


def test_a_unit_is_found_by_its_name_alias_or_short_name(world):
    from taizhang.orgs.models import OrgAlias, OrgKind
    from taizhang.orgs.services import create_org

    OrgAlias.objects.create(org=world.dept_a1, name="区发改")
    for written in ("尧都区发改局", "141002801", "区发改"):
        assert parse_params(world.campaign, {"org": written}).org == world.dept_a1
    create_org(code="141081802", name="侯马市发展和改革局", kind=OrgKind.DEPARTMENT,
               parent=world.county_b)  # fmt: skip
    assert parse_params(world.campaign, {"org": "侯马市发改局"}).org.code == "141081802"
    with pytest.raises(ValidationError, match="可能是"):
        parse_params(world.campaign, {"org": "发改局"})
    with pytest.raises(ValidationError, match="找不到单位“不存在局”"):
        parse_params(world.campaign, {"org": "不存在局"})


def test_the_list_puts_what_needs_attention_first_and_leaves_out_void_ones(world):
    import datetime as dt

    from taizhang.ledger import services
    from taizhang.testing import close

    today = timezone.localdate()
    closed = close(world, record(world, title="早已整改"))
    later = record(world, title="下月到期")
    overdue = record(world, title="已逾期")
    Problem.objects.filter(pk=overdue.pk).update(deadline=today - dt.timedelta(days=3))
    Problem.objects.filter(pk=later.pk).update(deadline=today + dt.timedelta(days=30))
    void = record(world, title="重复登记")
    services.void_problem(void, by=world.office, version=void.version, reason="重复")
    query = parse_params(world.campaign, {})
    listed = apply_filters(Problem.objects.all(), world.campaign, query, today, counted_only=True)
    assert [p.title for p in listed] == ["已逾期", "下月到期", "早已整改"]
    asked = parse_params(world.campaign, {"status": "void"})
    assert [p.pk for p in apply_filters(Problem.objects.all(), world.campaign, asked, today,
                                        counted_only=True)] == [void.pk]  # fmt: skip
    assert closed.pk in {p.pk for p in apply_filters(Problem.objects.all(), world.campaign,
                                                     query, today)}  # fmt: skip
