"""我的待办: what waits for each user, as the pages would let them act on it."""

import datetime as dt
import io
import json

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.ledger import services
from taizhang.ledger.models import Problem
from taizhang.testing import PDF, record
from taizhang.todo.services import todo_for


def _keys(user, world):
    return {s.key: s.count for s in todo_for(user, world.campaign)}


def test_each_user_sees_what_waits_for_them(world):
    assigned = record(world, by=world.office, org=world.dept_a1, title="交办给发改局的问题")
    assert assigned.status == "assigned"  # the office records it for the unit: 待签收
    overdue = record(world, title="已逾期的问题")
    Problem.objects.filter(pk=overdue.pk).update(deadline=dt.date.today() - dt.timedelta(days=2))
    pending = record(world, title="申请销号的问题")
    services.add_evidence(pending, by=world.handler_a1, upload=io.BytesIO(PDF),
                          original_name="证明.pdf")  # fmt: skip
    services.apply_to_close(pending, by=world.handler_a1, version=pending.version, note="已整改")
    handler = _keys(world.handler_a1, world)
    assert handler.get("urgent") == 1 and "approve" not in handler
    assert handler.get("sign") == 1
    leader = _keys(world.leader_a, world)
    assert leader.get("approve") == 1 and "urgent" not in leader
    assert "sign" not in _keys(world.handler_b1, world)  # not their unit
    # Returned: the leader sends the application back; it waits for the handler again.
    pending.refresh_from_db()
    services.return_closure(pending, by=world.leader_a, version=pending.version, reason="证据不足")
    assert _keys(world.handler_a1, world).get("returned") == 1
    assert "approve" not in _keys(world.leader_a, world)


def test_the_home_page_is_the_todo_list_with_a_count_in_the_nav(world):
    overdue = record(world, title="已逾期的问题")
    Problem.objects.filter(pk=overdue.pk).update(deadline=dt.date.today() - dt.timedelta(days=2))
    client = Client()
    client.force_login(world.handler_a1)
    home = client.get("/")
    assert home.url == reverse("todo", args=[world.campaign.slug])
    page = client.get(home.url).content.decode()
    assert "我的待办" in page and "已逾期的问题" in page and 'id="todo-urgent"' in page
    nav = page.split('id="todo-link"')[1].split("</a>")[0]
    assert '<span class="badge">1</span>' in nav
    nobody_waits = Client()
    nobody_waits.force_login(world.handler_b1)
    assert 'id="nothing-to-do"' in nobody_waits.get(home.url).content.decode()


def test_a_units_own_steps_are_not_the_offices_to_do(world):
    overdue = record(world, title="已逾期的问题")
    Problem.objects.filter(pk=overdue.pk).update(deadline=dt.date.today() - dt.timedelta(days=2))
    record(world, by=world.office, org=world.dept_a1, title="交办给发改局的问题")
    office = _keys(world.office, world)
    assert "urgent" not in office and "sign" not in office  # the office may, but need not
    assert _keys(world.handler_a1, world).keys() >= {"urgent", "sign"}


def test_the_command_prints_the_list_as_the_page_shows_it(world):
    record(world, by=world.office, org=world.dept_a1, title="交办给发改局的问题")
    out = io.StringIO()
    call_command("todo", "--user", "handler_a1", "--json", stdout=out)
    listing = json.loads(out.getvalue())
    sign = next(s for s in listing["sections"] if s["kind"] == "sign")
    assert sign["count"] == 1 and sign["oldest"]["title"].endswith("交办给发改局的问题")
    assert listing["total"] == sum(s["count"] for s in listing["sections"])
    page = Client()
    page.force_login(world.handler_a1)
    assert sign["oldest"]["url"] in page.get(reverse("todo", args=[world.campaign.slug])).text
    text = io.StringIO()
    call_command("todo", "--user", "handler_a1", stdout=text)
    assert "待签收\t1\t" in text.getvalue()


def test_a_citizens_problem_waits_to_be_contacted_once_signed(world):
    s = intake.submit_suggestion(
        world.campaign, channel=Channel.HOTLINE, title="路灯坏了", text="小区路灯坏了一个月",
        phone="13800000001", name="张三", rate_limited=False,
    )  # fmt: skip
    p = intake.convert_to_problem(
        s, by=world.office, version=s.version, org=world.dept_a1, focus_area=world.area,
        kind="deadline",
    )  # fmt: skip
    record(world, by=world.office, org=world.dept_a1, title="督导发现")  # no citizen to call
    assert "contacts" not in _keys(world.handler_a1, world)  # not signed yet
    services.sign_problem(p, by=world.handler_a1, version=p.version)
    p.refresh_from_db()
    contacts = next(x for x in todo_for(world.handler_a1, world.campaign) if x.key == "contacts")
    assert contacts.count == 1 and contacts.items[0].title.endswith("路灯坏了")
    assert contacts.items[0].due == p.dispatches.get().contact_by
    assert "contacts" not in _keys(world.handler_b1, world)
    services.contact_citizen(p, by=world.handler_a1, way="phone", note="约定周五修复")
    assert "contacts" not in _keys(world.handler_a1, world)
