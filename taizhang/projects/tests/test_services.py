import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.ledger.errors import ConflictError
from taizhang.notifications.models import Message
from taizhang.projects import services
from taizhang.projects.models import ChangeStatus, Project, ProjectEvent, ProjectReport, Stage
from taizhang.projects.schedule import due_date, first_of, late_month, owed_month
from taizhang.projects.tests.helpers import make, pdf
from taizhang.testing import record


def _this_month() -> dt.date:
    return first_of(dt.date.today())


def test_a_unit_enters_its_project_and_others_may_not(world):
    project = make(world, by=world.admin_a)
    assert project.number.startswith(f"XM{project.year}-") and project.stage == Stage.PLANNING
    assert project.org_path == world.county_a.path
    assert ProjectEvent.objects.filter(project=project, action="created").exists()
    with pytest.raises(PermissionDenied):
        make(world, by=world.handler_b1, name="别人的项目")
    with pytest.raises(ValidationError, match="年度计划投资"):
        make(world, investment_total=Decimal("100"), investment_annual=Decimal("200"))
    with pytest.raises(ValidationError, match="已存在"):
        make(world, number=project.number)
    with pytest.raises(ValidationError, match="总投资"):
        services.amount("十万", "总投资")
    assert Project.objects.count() == 1


def test_monthly_reports_keep_the_running_totals_and_a_month_reported_again_replaces(world):
    project = make(world)
    month = _this_month()
    services.report_month(
        project, by=world.admin_a, month=month, done="1,200.5", progress_note="主体施工"
    )
    project.refresh_from_db()
    assert project.done_year == Decimal("1200.50") and project.done_total == Decimal("1200.50")
    assert project.last_month == month and project.progress_note == "主体施工"
    services.report_month(project, by=world.admin_a, month=month, done="1000", progress_note="改")
    project.refresh_from_db()
    assert project.done_year == Decimal("1000") and ProjectReport.objects.count() == 1
    # A future month, a negative amount, more than the whole project: refused, nothing kept.
    with pytest.raises(ValidationError, match="之后的月份"):
        services.report_month(
            project, by=world.admin_a, month=dt.date.today() + dt.timedelta(days=40),
            done="1", progress_note="x",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="负数"):
        services.report_month(project, by=world.admin_a, month=month, done="-5", progress_note="x")
    with pytest.raises(ValidationError, match="超过总投资"):
        services.report_month(
            project, by=world.admin_a, month=month, done="60000", progress_note="x"
        )
    with pytest.raises(PermissionDenied):
        services.report_month(
            project, by=world.handler_b1, month=month, done="1", progress_note="x"
        )
    project.refresh_from_db()
    assert project.done_total == Decimal("1000")


def test_a_stale_copy_conflicts(world):
    project = make(world)
    services.report_month(
        project, by=world.admin_a, month=_this_month(), done="1", progress_note="x",
        version=project.version,
    )  # fmt: skip
    with pytest.raises(ConflictError) as caught:
        services.report_month(
            project, by=world.admin_a, month=_this_month(), done="2", progress_note="y",
            version=project.version,
        )  # fmt: skip
    assert "该项目" in str(caught.value)


def test_a_stage_moves_only_with_evidence_and_the_level_above_confirming(world):
    project = make(world, org=world.dept_a1)
    today = dt.date.today()
    with pytest.raises(ValidationError, match="佐证材料"):
        services.request_stage(project, by=world.handler_a1, to_stage=Stage.STARTED, on=today)
    change = services.request_stage(
        project, by=world.handler_a1, to_stage=Stage.STARTED, on=today, files=[pdf()]
    )
    assert change.evidence.count() == 1
    assert Message.objects.filter(user=world.leader_a).exists()  # the unit above is told
    with pytest.raises(ValidationError, match="待确认"):
        services.request_stage(
            project, by=world.handler_a1, to_stage=Stage.COMPLETED, on=today, files=[pdf()]
        )
    with pytest.raises(PermissionDenied):  # the unit itself cannot confirm
        services.decide_stage(change, by=world.handler_a1, confirm=True)
    with pytest.raises(ValidationError, match="意见"):  # returning needs a reason
        services.decide_stage(change, by=world.leader_a, confirm=False)
    services.decide_stage(change, by=world.leader_a, confirm=True)
    project.refresh_from_db()
    assert project.stage == Stage.STARTED
    # Straight to 开工: it was signed that day too.
    assert project.started_on == today and project.signed_on == today
    with pytest.raises(ValidationError, match="之后的阶段"):
        services.request_stage(
            project, by=world.handler_a1, to_stage=Stage.SIGNED, on=today, files=[pdf()]
        )


def test_nobody_confirms_their_own_application(world):
    project = make(world, org=world.county_a)
    change = services.request_stage(
        project, by=world.office, to_stage=Stage.SIGNED, on=dt.date.today(), files=[pdf()]
    )
    with pytest.raises(PermissionDenied, match="自己"):
        services.decide_stage(change, by=world.office, confirm=True)
    services.decide_stage(change, by=world.city_leader, confirm=False, note="合同未盖章")
    change.refresh_from_db()
    project.refresh_from_db()
    assert change.status == ChangeStatus.RETURNED and project.stage == Stage.PLANNING


def test_evidence_that_is_not_what_it_says_is_refused_and_nothing_is_kept(world):
    project = make(world)
    fake = (pdf()[0], "合同.docx")
    with pytest.raises(ValidationError):
        services.request_stage(
            project, by=world.admin_a, to_stage=Stage.SIGNED, on=dt.date.today(), files=[fake]
        )
    assert not project.stage_changes.exists()


def test_obstacles_are_ledger_problems_linked_to_the_project(world):
    project = make(world)
    problem = services.record_obstacle(
        project, by=world.admin_a, title="项目用地指标未落实", focus_area=world.area,
        org=world.dept_a1,
    )  # fmt: skip
    assert problem.org == world.dept_a1 and list(project.obstacles.all()) == [problem]
    other = record(world, by=world.office, org=world.dept_b1)
    with pytest.raises(PermissionDenied):  # not a problem the county sees
        services.link_obstacle(project, other, by=world.admin_a)
    services.link_obstacle(project, other, by=world.office)
    assert project.obstacles.count() == 2


def test_urging_tells_the_unit(world):
    project = make(world, org=world.dept_a1)
    with pytest.raises(PermissionDenied):
        services.urge(project, by=world.handler_a1, note="请加快")
    assert services.urge(project, by=world.leader_a, note="请加快进度") == 1
    assert Message.objects.filter(user=world.handler_a1, subject__contains="催办").exists()


def test_reminders_go_once_to_units_that_owe_the_report(world):
    project = make(world, org=world.dept_a1)
    Project.objects.filter(pk=project.pk).update(
        created_at=project.created_at - dt.timedelta(days=100)
    )
    campaign = world.campaign
    today = dt.date.today()
    owed = owed_month(campaign, today)
    due = due_date(campaign, owed)
    # The day after the report of the month before was due: the unit is told it is late.
    missed = late_month(campaign, today)
    day = due_date(campaign, missed) + dt.timedelta(days=1)
    told = services.remind_reports(campaign, day)
    assert told >= 1
    assert services.remind_reports(campaign, day) == 0  # idempotent
    assert Message.objects.filter(user=world.handler_a1, subject__contains="逾期").exists()
    # Two days before the report now owed is due, a reminder.
    assert services.remind_reports(campaign, due - dt.timedelta(days=1)) >= 1


def test_a_void_project_takes_no_more_steps(world):
    project = make(world)
    services.void_project(project, by=world.admin_a, version=project.version, reason="重复录入")
    with pytest.raises(ValidationError, match="作废"):
        services.report_month(project, by=world.admin_a, month=_this_month(), done="1",
                              progress_note="x")  # fmt: skip
