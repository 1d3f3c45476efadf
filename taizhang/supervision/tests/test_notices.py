import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.campaigns.services import create_campaign
from taizhang.ledger.models import Measure, Problem
from taizhang.notifications.models import Message
from taizhang.supervision import services
from taizhang.supervision.models import Notice, NoticeKind, NoticeStatus
from taizhang.testing import close, record

D = dt.date


@pytest.fixture
def autumn(world):
    """A campaign over National Day 2026: 1–7 October off, Saturday 10 October a working day."""
    world.campaign = create_campaign(
        slug="autumn-2026",
        name="秋季活动",
        org=world.city,
        starts_on=D(2026, 9, 1),
        ends_on=D(2026, 12, 31),
        focus_areas=["优化营商环境"],
    )
    world.area = world.campaign.focus_areas.get()
    return world


def _problem(w, deadline, **kwargs):
    p = record(w, **kwargs)
    Problem.objects.filter(pk=p.pk).update(deadline=deadline)
    p.refresh_from_db()
    return p


def _kinds(problem):
    return sorted(problem.notices.values_list("kind", flat=True))


def test_notices_follow_the_official_calendar_around_national_day(autumn):
    p = _problem(autumn, D(2026, 9, 30))
    later = _problem(autumn, D(2026, 10, 9), title="另一个问题")
    # 28 September: 9 October is the 4th working day ahead (1–7 October are off), so it is due
    # soon (5 working days); counted in calendar days it would not be.
    services.run_rules(autumn.campaign, D(2026, 9, 28))
    assert _kinds(later) == ["reminder"] and _kinds(p) == ["reminder"]
    services.run_rules(autumn.campaign, D(2026, 10, 8))
    assert _kinds(p) == ["reminder", "urge"]
    # 8, 9, 10 (the make-up Saturday), 12 October: four working days overdue, no 督办 yet.
    services.run_rules(autumn.campaign, D(2026, 10, 12))
    assert _kinds(p) == ["reminder", "urge"]
    services.run_rules(autumn.campaign, D(2026, 10, 13))
    assert _kinds(p) == ["reminder", "supervise", "urge"]
    supervise = p.notices.get(kind=NoticeKind.SUPERVISE)
    assert supervise.reply_due == D(2026, 10, 16)  # three working days to reply
    assert "逾期" in supervise.text and supervise.org == p.org


def test_running_twice_raises_nothing_twice_and_tells_once(autumn):
    p = _problem(autumn, D(2026, 9, 30))
    first = services.run_rules(autumn.campaign, D(2026, 10, 13))
    assert first.created == {"urge": 1, "supervise": 1}
    told = Message.objects.count()
    # The day's notices as one line to the department's handler and, the department having no
    # leader of its own, one to the county's leader.
    assert told == 2
    assert set(Message.objects.values_list("user__username", flat=True)) == {
        "handler_a1",
        "leader_a",
    }
    line = Message.objects.get(user__username="leader_a")
    assert line.subject == "新的督办通知:催办 1 条、督办 1 条"
    assert p.number in line.body and line.link.endswith("/notices/?status=open")
    again = services.run_rules(autumn.campaign, D(2026, 10, 13))
    assert again.created == {} and again.told == 0
    assert p.notices.count() == 2 and Message.objects.count() == told


def test_a_leader_over_many_late_problems_gets_one_line_a_day(autumn):
    for day in range(1, 31):
        _problem(autumn, D(2026, 9, day))
    services.run_rules(autumn.campaign, D(2026, 10, 13))
    lines = Message.objects.filter(user__username="leader_a")
    assert lines.count() == 1
    assert "……共" in lines.get().body and lines.get().body.count("\n- ") == 10


def test_a_notice_a_person_issues_is_a_line_of_its_own(autumn):
    p = _problem(autumn, D(2026, 9, 30))
    services.run_rules(autumn.campaign, D(2026, 10, 13))
    before = Message.objects.count()
    services.issue_notice(p, by=autumn.office, kind=NoticeKind.LISTED, text="挂牌督办:限期")
    services.tell_recipients(autumn.campaign)
    lines = Message.objects.order_by("pk")[before:]
    assert {m.subject for m in lines} == {f"挂牌督办:{p.number} {p.title}"}
    assert {m.user.username for m in lines} == {"handler_a1", "leader_a"}


def test_a_racing_worker_cannot_duplicate_a_notice(autumn):
    p = _problem(autumn, D(2026, 9, 30))
    # Another worker stored the same notice between our read and our write.
    real_filter = Notice.objects.filter
    calls = {"n": 0}

    def racing_filter(*args, **kwargs):
        if "key__in" in kwargs and calls["n"] == 0:
            calls["n"] += 1
            result = real_filter(*args, **kwargs)
            Notice.objects.bulk_create(
                [
                    Notice(
                        campaign=autumn.campaign,
                        problem=p,
                        org=p.org,
                        org_path=p.org_path,
                        kind=NoticeKind.URGE,
                        key=f"urge:{p.pk}:0:2026-09-30",
                        issued_on=D(2026, 10, 8),
                        issued_at=p.created_at,
                        deadline=p.deadline,
                        text="x",
                        reply_due=D(2026, 10, 13),
                    )
                ]
            )
            return result.none()
        return real_filter(*args, **kwargs)

    Notice.objects.filter = racing_filter
    try:
        services.run_rules(autumn.campaign, D(2026, 10, 8))
    finally:
        del Notice.objects.filter
    assert p.notices.filter(kind=NoticeKind.URGE).count() == 1


def test_measures_get_their_own_notices(autumn):
    p = _problem(autumn, D(2026, 12, 31), measures=["更新办事指南"])
    Measure.objects.filter(problem=p).update(deadline=D(2026, 9, 30))
    services.run_rules(autumn.campaign, D(2026, 10, 8))
    notice = p.notices.get()
    assert notice.kind == NoticeKind.URGE and notice.measure is not None
    assert "整改措施" in notice.text


def test_dates_outside_the_campaign_or_in_the_future_are_refused(autumn):
    with pytest.raises(ValidationError, match="早于活动开始"):
        services.run_rules(autumn.campaign, D(2026, 8, 31))
    with pytest.raises(ValidationError, match="晚于今天"):
        services.run_rules(autumn.campaign, dt.date.today() + dt.timedelta(days=1))


def test_the_unit_replies_on_time_or_late(autumn, monkeypatch):
    p = _problem(autumn, D(2026, 9, 30))
    services.run_rules(autumn.campaign, D(2026, 10, 8))
    notice = p.notices.get()
    with pytest.raises(PermissionDenied):
        services.reply_notice(notice, by=autumn.handler_b1, text="不是我们")
    with pytest.raises(ValidationError, match="回复内容"):
        services.reply_notice(notice, by=autumn.handler_a1, text=" ")
    services.reply_notice(notice, by=autumn.handler_a1, text="已制定整改计划,本周完成。")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED
    assert notice.replied_on_time is False  # reply due 13 October 2026, replied today
    with pytest.raises(ValidationError, match="已经回复过"):
        services.reply_notice(notice, by=autumn.handler_a1, text="再次回复")


def test_people_issue_notices_within_their_rights(world):
    p = record(world)
    listed = services.issue_notice(p, by=world.office, kind=NoticeKind.LISTED, text="挂牌督办")
    assert listed.issued_by == world.office and listed.reply_due > dt.date.today()
    with pytest.raises(PermissionDenied):
        services.issue_notice(p, by=world.inspector_a, kind=NoticeKind.LISTED, text="挂牌")
    urge = services.issue_notice(p, by=world.inspector_a, kind=NoticeKind.URGE, text="请加快")
    assert urge.kind == NoticeKind.URGE
    with pytest.raises(ValidationError, match="未回复"):
        services.issue_notice(p, by=world.office, kind=NoticeKind.URGE, text="再催")
    with pytest.raises(PermissionDenied):
        services.issue_notice(p, by=world.handler_a1, kind=NoticeKind.URGE, text="自己催自己")
    closed = close(world, record(world, title="已整改的问题"))
    with pytest.raises(ValidationError, match="已办结"):
        services.issue_notice(closed, by=world.office, kind=NoticeKind.URGE, text="催")


def test_notices_are_seen_within_scope(world):
    p = record(world)
    services.issue_notice(p, by=world.office, kind=NoticeKind.URGE, text="请加快")
    assert services.visible_notices(world.leader_a, world.campaign).count() == 1
    assert services.visible_notices(world.leader_b, world.campaign).count() == 0


def test_notices_around_the_spring_festival(world):
    """2026: 15–23 February off; Saturdays 14 and 28 February are working days."""
    world.campaign = create_campaign(
        slug="spring-2026", name="春季活动", org=world.city, starts_on=D(2026, 1, 5),
        ends_on=D(2026, 6, 30), focus_areas=["破解民生难题"],
    )  # fmt: skip
    world.area = world.campaign.focus_areas.get()
    p = _problem(world, D(2026, 2, 13))
    services.run_rules(world.campaign, D(2026, 2, 6))  # 9–13 February: five working days
    assert _kinds(p) == ["reminder"]
    services.run_rules(world.campaign, D(2026, 2, 14))  # the make-up Saturday: overdue
    assert _kinds(p) == ["reminder", "urge"]
    assert p.notices.get(kind="urge").reply_due == D(2026, 2, 26)  # 24, 25, 26 February
    services.run_rules(world.campaign, D(2026, 2, 26))  # 14, 24, 25, 26: four working days
    assert "supervise" not in _kinds(p)
    services.run_rules(world.campaign, D(2026, 2, 27))
    assert "supervise" in _kinds(p)


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_at_once_raise_each_notice_once(world):
    """Two real connections, one result (the unique key settles the race)."""
    from django.db import connection as default

    if default.vendor == "sqlite":
        # The SQLite test database lives in memory with a shared cache, where a second writer
        # gets "table is locked" at once; the real database file waits (busy_timeout).
        pytest.skip("needs a database file or PostgreSQL")
    import threading

    from django.db import connection

    p = _problem(world, dt.date.today() - dt.timedelta(days=30))
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            services.run_rules(world.campaign, dt.date.today())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(p.notices.values_list("kind", flat=True)) == ["supervise", "urge"]
    # Each notice told its recipients once, whichever worker claimed it: a worker's summary
    # line counts the notices it claimed ("催办 1 条、督办 1 条"), so each person's lines add
    # up to the two notices, in one line or in one from each worker.
    told: dict[str, int] = {}
    for user, subject in Message.objects.values_list("user__username", "subject"):
        told[user] = told.get(user, 0) + sum(int(n) for n in re.findall(r"(\d+) 条", subject))
    assert told == {"handler_a1": 2, "leader_a": 2}
