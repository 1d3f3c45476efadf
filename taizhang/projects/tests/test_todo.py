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
