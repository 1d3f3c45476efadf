import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taizhang.ledger.models import Problem
from taizhang.testing import record
from taizhang.todo.services import todo_for


def _queries(user, campaign) -> int:
    with CaptureQueriesContext(connection) as captured:
        todo_for(user, campaign)
    return len(captured.captured_queries)


@pytest.mark.parametrize("username", ["office", "handler_a1", "leader_a"])
def test_the_todo_list_reads_the_same_number_of_queries_however_many_problems(world, username):
    user = getattr(world, username)
    record(world, title="第一个")
    Problem.objects.update(deadline=dt.date.today() - dt.timedelta(days=1))
    _queries(user, world.campaign)  # what is read once and kept (the calendar, the scope)
    few = _queries(user, world.campaign)
    for i in range(20):
        record(world, title=f"问题{i}")
    Problem.objects.update(deadline=dt.date.today() - dt.timedelta(days=1))
    assert _queries(user, world.campaign) == few
