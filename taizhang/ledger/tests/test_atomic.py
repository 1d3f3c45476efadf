"""Every ledger write is whole or nothing; numbers are unique under concurrency; a moved unit
takes every copy of its path along; recomputed deadlines are versioned and logged."""

import threading

import pytest
from django.db import DatabaseError, connection

from taizhang.ledger import services, tallies
from taizhang.ledger.errors import NotAllowed
from taizhang.ledger.models import ChainHead, EventAction, Problem, ProblemEvent, Source, Status
from taizhang.meetings.models import MemberTally
from taizhang.meetings.services import add_member
from taizhang.orgs.services import move_org
from taizhang.supervision.services import issue_notice, visible_notices
from taizhang.testing import record


def test_a_failing_history_insert_leaves_the_status_and_tallies_as_they_were(world, monkeypatch):
    problem = record(world)
    before = tallies.stored_counts(world.campaign)
    events, version = ProblemEvent.objects.count(), problem.version
    head = ChainHead.objects.values_list("seq", "digest").get(campaign=world.campaign)

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(ProblemEvent, "save", broken)
    with pytest.raises(DatabaseError):
        services.void_problem(problem, by=world.admin_a, version=problem.version, reason="重复")
    stored = Problem.objects.get(pk=problem.pk)
    assert stored.status == Status.RECTIFYING and stored.version == version
    assert ProblemEvent.objects.count() == events
    assert tallies.stored_counts(world.campaign) == before == tallies.fresh_counts(world.campaign)
    # The history chain's head moved with the row that was never written: it moves back too.
    assert ChainHead.objects.values_list("seq", "digest").get(campaign=world.campaign) == head


@pytest.mark.django_db(transaction=True)
def test_problems_recorded_at_once_get_distinct_numbers(world):
    if connection.vendor == "sqlite":
        # The SQLite test database lives in memory with a shared cache, where a second writer
        # gets "table is locked" at once; a real database file waits (busy_timeout).
        pytest.skip("parallel writers need a database file or PostgreSQL")
    numbers: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(20)

    def one(n: int) -> None:
        try:
            start.wait()
            numbers.append(record(world, title=f"问题{n}").number)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert len(set(numbers)) == 20 == Problem.objects.count()


def test_moving_a_unit_moves_its_notices_members_and_figures(world):
    problem = record(world)
    notice = issue_notice(problem, by=world.office, kind="urge", text="请抓紧整改")
    add_member(world.dept_a1, by=world.admin_a, name="王五")
    move_org(world.dept_a1, world.county_b)
    assert list(visible_notices(world.leader_b, world.campaign)) == [notice]
    assert not visible_notices(world.leader_a, world.campaign).exists()
    assert tallies.stored_counts(world.campaign) == tallies.fresh_counts(world.campaign)
    members = dict(MemberTally.objects.values_list("org_path", "members"))
    assert members[world.county_b.path] == 1 and members.get(world.county_a.path, 0) == 0


def test_recomputed_deadlines_are_versioned_and_logged(world):
    import datetime as dt

    from taizhang.workdays.services import load_year

    problem = record(world)
    # A deadline computed without the year's schedule, from a basis whose answer now changes.
    basis = dt.date.today()
    Problem.objects.filter(pk=problem.pk).update(
        deadline_provisional=True, deadline_basis=basis, deadline=basis
    )
    problem.refresh_from_db()
    load_year(
        year=basis.year, text=f"{basis.year}-10-01..{basis.year}-10-03 国庆节", by=world.office
    )
    stored = Problem.objects.get(pk=problem.pk)
    assert stored.deadline != basis and stored.version == problem.version + 1
    event = ProblemEvent.objects.filter(problem=problem, action=EventAction.RECOMPUTE).get()
    assert event.actor == world.office and event.data["from"] == str(basis)


@pytest.mark.parametrize("source", [Source.INSPECTION, Source.ASSIGNED])
def test_a_handler_cannot_label_their_own_problem_as_found_or_assigned_from_above(world, source):
    with pytest.raises(NotAllowed):
        record(world, by=world.handler_a1, source=source)
    assert not Problem.objects.exists()
    inspected = record(world, by=world.inspector_a, source=Source.INSPECTION)
    assert inspected.source == Source.INSPECTION
    assigned = record(world, by=world.admin_a, source=Source.ASSIGNED)
    assert assigned.source == Source.ASSIGNED and assigned.status == Status.ASSIGNED
