import datetime as dt

from taizhang.orgs.scoping import scope_of
from taizhang.projects import services
from taizhang.projects.models import Project, Stage
from taizhang.projects.tests.helpers import make, pdf
from taizhang.todo.services import todo_for

USERS = ("office", "city_leader", "leader_a", "admin_a", "handler_a1", "handler_a2",
         "leader_b", "handler_b1", "inspector_a", "operator")  # fmt: skip


def _section(user, campaign, key):
    return next((s for s in todo_for(user, campaign) if s.key == key), None)


def test_the_to_do_lists_hold_to_who_may_report_and_confirm(world):
    owing = make(world, org=world.dept_a1, name="待报送项目")
    Project.objects.filter(pk=owing.pk).update(created_at=owing.created_at - dt.timedelta(days=90))
    applied = make(world, org=world.dept_b1, name="待确认项目", stage=Stage.SIGNED)
    services.request_stage(applied, by=world.handler_b1, to_stage=Stage.STARTED,
                           on=dt.date.today(), files=[pdf()])  # fmt: skip
    for name in USERS:
        user = getattr(world, name)
        reports = _section(user, world.campaign, "project_reports")
        staff = any(
            g.org_id == owing.org_id and g.role in ("handler", "admin")
            for g in scope_of(user).grants
        )
        assert (reports is not None) == staff, name
        if reports is not None:
            assert services.can_manage(user, owing.org)
        stages = _section(user, world.campaign, "project_stages")
        may = services.can_confirm(user, applied) and user != world.handler_b1
        assert (stages is not None) == may, name


def test_the_to_do_asks_for_a_report_once_it_can_be_made(world):
    """The month last due and missed, then the month being collected once it has ended; a
    month not yet over is not asked for (the campaign's report day is the 5th)."""
    old = make(world, org=world.dept_a1, name="老项目")
    new = make(world, org=world.dept_a1, name="新项目")
    at = dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)
    Project.objects.filter(pk=old.pk).update(created_at=at)
    Project.objects.filter(pk=new.pk).update(created_at=dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC))

    def asked(on):
        section = next((s for s in todo_for(world.handler_a1, world.campaign, on)
                        if s.key == "project_reports"), None)  # fmt: skip
        return {item.title.split(" ", 1)[1]: item.note for item in section.items} if section else {}

    assert asked(dt.date(2026, 12, 3)) == {"老项目": "2026-10 月报已逾期"}  # never reported
    for month in (9, 10):
        old.refresh_from_db()
        services.report_month(old, by=world.handler_a1, month=dt.date(2026, month, 1),
                              done="5", progress_note="施工中")  # fmt: skip
    assert asked(dt.date(2026, 12, 3)) == {"老项目": "2026-11 月报"}  # November's, due 12-04
    assert asked(dt.date(2026, 12, 8)) == {"老项目": "2026-11 月报已逾期"}
    old.refresh_from_db()
    services.report_month(old, by=world.handler_a1, month=dt.date(2026, 11, 1), done="10",
                          progress_note="主体完工")  # fmt: skip
    assert asked(dt.date(2026, 12, 8)) == {}  # December is not over: nothing is owed yet
    assert asked(dt.date(2027, 1, 4)) == {"老项目": "2026-12 月报", "新项目": "2026-12 月报"}
