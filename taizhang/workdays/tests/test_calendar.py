import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from taizhang.testing import record
from taizhang.workdays.calendar import add_workdays, is_workday, workdays_between, year_is_known
from taizhang.workdays.services import load_year, parse_schedule

D = dt.date


@pytest.mark.django_db
def test_spring_festival_2026_is_skipped_and_makeup_saturday_counts():
    # 2026-02-13 is a Friday; 02-14 (Sat) is a make-up working day; 02-16..02-23 are off.
    assert is_workday(D(2026, 2, 14)) == (True, False)
    assert is_workday(D(2026, 2, 17)) == (False, False)
    assert add_workdays(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 14), 1).date == D(2026, 2, 24)


@pytest.mark.django_db
def test_national_day_2026_with_makeup_days():
    # 2026-09-20 (Sunday) is worked; 10-01..10-07 are off; 10-10 (Saturday) is worked.
    assert add_workdays(D(2026, 9, 19), 1).date == D(2026, 9, 20)
    assert add_workdays(D(2026, 9, 30), 1).date == D(2026, 10, 8)
    assert add_workdays(D(2026, 10, 9), 1).date == D(2026, 10, 10)
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 12)) == 4


@pytest.mark.django_db
def test_year_without_schedule_is_provisional_on_weekends_alone():
    answer = add_workdays(D(2026, 12, 30), 3)
    assert answer.provisional
    assert answer.date == D(2027, 1, 4)  # Thu 31, then Fri 1 and Mon 4 by weekends alone


@pytest.mark.django_db
def test_loading_a_year_makes_deadlines_final():
    load_year(year=2027, text="2027-01-01..2027-01-03 元旦\n2027-01-09 补班\n", by=None)
    answer = add_workdays(D(2026, 12, 30), 3)
    assert not answer.provisional
    # 12-31 (Thu), 01-04 (Mon), 01-05 (Tue): New Year's Day is now known to be off.
    assert answer.date == D(2027, 1, 5)
    assert is_workday(D(2027, 1, 9)) == (True, False)
    # Counting days uses the loaded year too: 01-04 … 01-09 (the Saturday worked) is six.
    assert workdays_between(D(2027, 1, 3), D(2027, 1, 9)) == 6


def test_loading_a_year_recomputes_provisional_deadlines(world):
    world.campaign.rules = {"time_limits": {"deadline": 300}}
    world.campaign.save()
    problem = record(world)
    unknown = [
        y for y in range(problem.created_at.year, problem.deadline.year + 1) if not year_is_known(y)
    ]
    if not unknown:
        pytest.skip("the calendar package knows every year up to the deadline")
    assert problem.deadline_provisional
    # Schedules that make the first week of each unknown year a holiday.
    for year in unknown:
        load_year(year=year, text=f"{year}-01-01..{year}-01-07 元旦\n", by=world.office)
    problem.refresh_from_db()
    assert not problem.deadline_provisional
    assert problem.deadline == add_workdays(problem.deadline_basis, 300).date


def test_schedule_errors_name_the_line():
    with pytest.raises(ValidationError, match="第 2 行"):
        parse_schedule(2027, "2027-01-01 元旦\n2027-02-30 春节\n")
    with pytest.raises(ValidationError, match="不在 2027 年"):
        parse_schedule(2027, "2026-12-31 元旦\n")
    with pytest.raises(ValidationError, match="第 1 行无法识别"):
        parse_schedule(2027, "元旦放假三天\n")


def test_counting_working_days_agrees_with_walking_the_calendar(db):
    def walked(start, end):
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += is_workday(day)[0]
        return count

    start = dt.date(2025, 12, 20)
    for span in (0, 1, 2, 7, 10, 40, 200, 400, 800):
        end = start + dt.timedelta(days=span)
        assert workdays_between(start, end) == walked(start, end)
        assert workdays_between(end, start) == -walked(start, end)
