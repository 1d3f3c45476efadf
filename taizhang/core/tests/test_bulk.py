"""Bulk inserts: rows stream in from a generator, a failure midway leaves nothing, and ids
reserved for explicit inserts are not given to anyone else."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from taizhang.core.bulk import insert_rows, reserve_ids
from taizhang.ledger.models import EventAction, Measure, Problem, ProblemEvent
from taizhang.testing import record

MEASURE = ("problem_id", "order", "content", "deadline", "progress")


def test_a_generator_that_fails_midway_leaves_nothing_and_the_connection_works(world):
    problem = record(world)

    def rows():
        yield (problem.pk, 1, "精简环节", None, 0)
        yield (problem.pk, 2, "一窗受理", None, 0)
        raise ValueError("第 3 行有误")

    with pytest.raises(ValueError, match="第 3 行有误"), transaction.atomic():
        insert_rows(Measure, MEASURE, rows())
    assert not Measure.objects.filter(problem=problem).exists()
    insert_rows(Measure, MEASURE, ((problem.pk, n, f"措施{n}", None, 0) for n in (1, 2, 3)))
    stored = Measure.objects.filter(problem=problem).order_by("order")
    assert [m.content for m in stored] == ["措施1", "措施2", "措施3"]


def test_a_generator_s_json_and_dates_are_stored_as_values(world):
    problem = record(world)
    now = timezone.now()
    columns = ("problem_id", "at", "actor_id", "action", "from_status", "to_status", "reason")
    rows = (
        (problem.pk, now, None, EventAction.UPDATE, "", "", "导入更新", {"第": n}) for n in (1, 2)
    )
    insert_rows(ProblemEvent, (*columns, "data"), rows)
    stored = ProblemEvent.objects.filter(problem=problem, reason="导入更新").order_by("pk")
    assert [e.data for e in stored] == [{"第": 1}, {"第": 2}]
    assert stored[0].at == now
    insert_rows(ProblemEvent, (*columns, "data"), iter(()))  # nothing to insert: no error


def test_reserved_ids_are_not_taken_by_someone_recording_meanwhile(world):
    first = reserve_ids(Problem, 50)
    recorded = record(world)
    if connection.vendor == "postgresql":
        assert recorded.pk > first + 49
    else:  # one writer at a time: the first free id is the reservation
        assert recorded.pk == first
