"""定期调度 / 序时进度: report periods on the working-day calendar, a reminder on the report day
and a 催办 after a missed one, 按时报送率 and 本期未报 per unit, and progress against time."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from taizhang.ledger import rhythm, services
from taizhang.ledger.models import Problem, ProgressReport
from taizhang.supervision.models import Notice
from taizhang.supervision.services import run_rules
from taizhang.testing import record


@pytest.mark.django_db
def test_report_days_move_back_off_holidays():
    fridays = rhythm.parse("week:5")
    # 2026: 中秋 Fri 25 Sep moves that week's report day to Thu 24; National Day's Fri 2 Oct
    # to Wed 30 Sep; then Fri 9 Oct.
    assert fridays.period(dt.date(2026, 9, 28)) == (dt.date(2026, 9, 25), dt.date(2026, 9, 30))
    assert fridays.period(dt.date(2026, 10, 5)) == (dt.date(2026, 10, 1), dt.date(2026, 10, 9))
    assert fridays.last_closed(dt.date(2026, 10, 5)) == (dt.date(2026, 9, 25), dt.date(2026, 9, 30))
    # The 31st: Sat 31 Jan moves back to Fri 30; February ends on Sat 28, a working day in 2026
    # (made up for the Spring Festival).
    month_end = rhythm.parse({"every": "month", "day": 31})
    assert month_end.period(dt.date(2026, 2, 10)) == (dt.date(2026, 1, 31), dt.date(2026, 2, 28))
    with pytest.raises(ValidationError, match="weekday 应为 1 到 7"):
        rhythm.parse({"every": "week", "weekday": 9})


@pytest.fixture
def weekly(world):
    world.campaign.rules = {
        **world.campaign.rules,
        "report_rhythm": {"every": "week", "weekday": 5},
    }
    world.campaign.save()
    return world


def _old(world, title, **kwargs):
    problem = record(world, title=title, **kwargs)
    Problem.objects.filter(pk=problem.pk).update(created_at=timezone.now() - dt.timedelta(days=60))
    problem.refresh_from_db()
    return problem


def _reported_on(problem, by, day):
    report = services.report_progress(problem, by=by, percent=50, text="推进中", reported_on=day)
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    ProgressReport.objects.filter(pk=report.pk).update(created_at=noon)


def test_a_missed_report_is_urged_and_a_due_one_reminded(weekly):
    today = timezone.localdate()
    fridays = rhythm.campaign_rhythm(weekly.campaign)
    opened, due = fridays.last_closed(today)
    kept = _old(weekly, "按时报送的")
    missed = _old(weekly, "没有报送的")
    own_rhythm = _old(weekly, "不定期的")
    services.update_problem(own_rhythm, by=weekly.handler_a1, version=own_rhythm.version,
                            report_rhythm="none")  # fmt: skip
    _reported_on(kept, weekly.handler_a1, due)
    run_rules(weekly.campaign, today)
    urged = Notice.objects.filter(key__startswith="report-late:")
    assert [(n.problem_id, n.kind) for n in urged] == [(missed.pk, "urge")]
    assert f"上期({opened} 至 {due})未按时报送" in urged.get().text
    run_rules(weekly.campaign, due)  # the report day itself: who has not yet reported
    # (When today is itself a report day, the first run reminded of today's period too.)
    reminded = Notice.objects.filter(key__startswith="report:", key__endswith=f":{due}")
    assert [(n.problem_id, n.kind) for n in reminded] == [(missed.pk, "reminder")]
    out = StringIO()
    call_command("stats", "--json", "--campaign", weekly.campaign.slug, stdout=out)
    handling = json.loads(out.getvalue())["handling"]
    assert {k: handling[k] for k in ("reports_due", "reports_on_time", "reports_missed",
                                     "reports_on_time_rate", "unreported_now")} == {
        "reports_due": 2, "reports_on_time": 1, "reports_missed": 1,
        "reports_on_time_rate": 50.0, "unreported_now": 2,
    }  # fmt: skip
    assert handling["by_org"]["141002"]["reports_missed"] == 1


def test_progress_is_held_against_its_measures_or_the_time_gone(world, client):
    today = timezone.localdate()
    late = _old(world, "进度落后", deadline=today + dt.timedelta(days=10))
    on_pace = _old(world, "进度正常", deadline=today + dt.timedelta(days=10))
    Problem.objects.filter(pk=on_pace.pk).update(progress=90)
    by_measures = _old(world, "按措施算", deadline=today + dt.timedelta(days=10))
    services.add_measure(by_measures, by=world.handler_a1, content="第一步",
                         deadline=today)  # fmt: skip
    services.add_measure(by_measures, by=world.handler_a1, content="第二步",
                         deadline=today + dt.timedelta(days=5))  # fmt: skip
    Problem.objects.filter(pk=by_measures.pk).update(progress=45)
    assert rhythm.schedule_of(Problem.objects.get(pk=late.pk), today).expected == 86
    assert rhythm.schedule_of(Problem.objects.get(pk=by_measures.pk), today).expected == 50
    out = StringIO()
    call_command("stats", "--json", "--campaign", world.campaign.slug, stdout=out)
    assert json.loads(out.getvalue())["handling"]["behind_schedule"] == 1
    client.force_login(world.handler_a1)
    page = client.get(f"/problems/{late.pk}/").content.decode()
    assert 'id="expected-progress"' in page and "86% · 实际 0%" in page and "滞后" in page
