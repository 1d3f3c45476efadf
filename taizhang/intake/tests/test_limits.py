"""Time limits on suggestions: 答复/转办 and 办结 on working days, per channel and campaign."""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taizhang.intake import limits
from taizhang.intake import services as intake
from taizhang.intake.models import Channel, Suggestion
from taizhang.ledger import services as ledger
from taizhang.reports.stats import campaign_stats
from taizhang.testing import close
from taizhang.todo.services import todo_for

D = dt.date


def _arrived(world, channel, on: dt.date, title="路灯不亮"):
    s = intake.submit_suggestion(world.campaign, channel=channel, title=title,
                                 text=f"{title},请处理", rate_limited=False)  # fmt: skip
    at = dt.datetime.combine(on, dt.time(9, 30), tzinfo=timezone.get_current_timezone())
    Suggestion.objects.filter(pk=s.pk).update(submitted_at=at)
    s.refresh_from_db()
    return s


def test_limits_follow_the_official_calendar_and_the_channel(world):
    # Arrived on the last working day before National Day 2026 (10-01 … 10-07 off, 10-10 a
    # make-up Saturday): the hotline's 2 working days end on 10-09, a web message's 5 on 10-13.
    call = _arrived(world, Channel.HOTLINE, D(2026, 9, 30))
    letter = _arrived(world, Channel.LETTER, D(2026, 9, 30))
    web = _arrived(world, Channel.WEB, D(2026, 9, 30))
    on = D(2026, 10, 8)
    assert limits.clock(call, on).due == D(2026, 10, 9)
    assert limits.clock(web, on).due == D(2026, 10, 13)
    assert limits.clock(letter, on).due == D(2026, 10, 27)
    assert limits.clock(call, D(2026, 9, 30)).age == 0
    assert limits.clock(call, on).age == 1  # the holiday counts for nothing


def test_the_late_filter_and_each_clock_agree(world):
    today = timezone.localdate()
    made = [
        _arrived(world, channel, today - dt.timedelta(days=back), f"第{i}条")
        for i, (channel, back) in enumerate(
            (c, b) for c in (Channel.HOTLINE, Channel.WEB, Channel.LETTER)
            for b in (0, 1, 2, 3, 4, 6, 8, 12, 20, 25, 40)
        )
    ]  # fmt: skip
    late = set(Suggestion.objects.filter(limits.late(world.campaign, limits.ANSWER, today))
               .values_list("pk", flat=True))  # fmt: skip
    by_clock = {s.pk for s in made if limits.clock(s, today).late}
    assert late == by_clock and 0 < len(late) < len(made)
    fresh = made[0]
    assert limits.clock(fresh, today).left == 2 and not limits.clock(fresh, today).late


def test_a_campaign_sets_its_own_limits(world):
    world.campaign.rules = {"suggestion_limits": {"answer": {"hotline": 1}}}
    world.campaign.save()
    call = _arrived(world, Channel.HOTLINE, D(2026, 11, 2))  # a Monday
    assert limits.clock(call, D(2026, 11, 2)).due == D(2026, 11, 3)
    # The defaults still hold for what the campaign did not name.
    assert limits.days_for(world.campaign, limits.ANSWER, Channel.LETTER) == 15
    assert limits.days_for(world.campaign, limits.CLOSE, Channel.HOTLINE) == 15


def test_a_converted_suggestion_runs_the_closing_clock_until_its_problems_close(world):
    today = timezone.localdate()
    s = _arrived(world, Channel.HOTLINE, today - dt.timedelta(days=40))
    problem = intake.convert_to_problem(s, by=world.office, version=s.version,
                                        org=world.dept_a1, focus_area=world.area,
                                        kind="deadline")  # fmt: skip
    s.refresh_from_db()
    clock = limits.clock(s, today)
    assert clock is not None and clock.stage == limits.CLOSE and clock.late
    counts = limits.late_counts(world.campaign, today)
    assert counts["suggestions_late_close"] == 1 and counts["suggestions_late_answer"] == 0
    assert campaign_stats(world.campaign)["suggestions"] == counts  # taizhang stats --json
    ledger.sign_problem(problem, by=world.handler_a1, version=problem.version)
    problem.refresh_from_db()
    close(world, problem)
    assert limits.clock(s, today) is None
    assert limits.late_counts(world.campaign, today)["suggestions_late_close"] == 0


def test_the_queue_is_first_in_first_out_with_age_and_countdown(world):
    today = timezone.localdate()
    old = _arrived(world, Channel.HOTLINE, today - dt.timedelta(days=20), "早到的井盖")
    new = _arrived(world, Channel.WEB, today, "今天的路灯")
    client = Client()
    client.force_login(world.office)
    url = reverse("suggestion_queue", args=[world.campaign.slug])
    page = client.get(url).text
    assert page.index("早到的井盖") < page.index("今天的路灯")
    assert "超时" in page and 'id="late-link"' in page
    late = client.get(url + "?late=1").text
    assert "早到的井盖" in late and "今天的路灯" not in late
    newest = client.get(url + "?order=newest").text
    assert newest.index("今天的路灯") < newest.index("早到的井盖")
    todo = {s.key: s for s in todo_for(world.office, world.campaign)}
    first = todo["suggestions"].items[0]
    assert first.title == old.title and "超时" in first.note
    assert new.title in [i.title for i in todo["suggestions"].items]
