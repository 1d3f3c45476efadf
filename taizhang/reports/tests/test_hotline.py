"""The three hotline rates (响应率, 解决率, 满意率) on the campaign's definitions, per unit, with
the 联系群众 step they rest on."""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from taizhang.api.tests.test_api import api_for
from taizhang.evaluation import services as calls
from taizhang.evaluation.models import CallBack, Snapshot
from taizhang.intake import services as intake
from taizhang.intake.models import Channel, IdentityView, Suggestion
from taizhang.ledger import services
from taizhang.ledger.models import Dispatch, EventAction
from taizhang.reports import ranking, snapshots
from taizhang.reports.hotline import definitions, hotline_figures
from taizhang.testing import close, record

YESTERDAY = dt.date.today() - dt.timedelta(days=1)


def _citizen_problem(world, org, phone="13800000001", channel=Channel.HOTLINE, title="路灯坏了"):
    s = intake.submit_suggestion(
        world.campaign, channel=channel, title=title, text="小区路灯坏了一个月",
        phone=phone, name="张三" if phone else "", rate_limited=False,
    )  # fmt: skip
    p = intake.convert_to_problem(
        s, by=world.office, version=s.version, org=org, focus_area=world.area, kind="deadline"
    )
    return s, p


def _handler(world, org):
    return world.handler_a1 if org == world.dept_a1 else world.handler_a2


def _sign(world, p):
    services.sign_problem(p, by=_handler(world, p.org), version=p.version)
    p.refresh_from_db()
    return p


def _ledger(world):
    """dept_a1: responded (contacted in time), not contacted by its 联系时限, not yet due;
    town_a2: responded (no number to call), still waiting after its 签收时限. Plus a problem
    no citizen raised, a duplicate, and a suggestion the office answered itself."""
    a1, a2 = world.dept_a1, world.town_a2
    s1, p1 = _citizen_problem(world, a1)
    _sign(world, p1)
    services.contact_citizen(p1, by=world.handler_a1, way="phone", note="约定周五修复")
    s2, p2 = _citizen_problem(world, a1, title="噪音扰民")
    _sign(world, p2)
    Dispatch.objects.filter(problem=p2).update(contact_by=YESTERDAY)
    _s3, p3 = _citizen_problem(world, a2, phone="")
    _sign(world, p3)
    _s4, p4 = _citizen_problem(world, a2, title="占道经营")
    Dispatch.objects.filter(problem=p4).update(sign_by=YESTERDAY)
    _s5, p5 = _citizen_problem(world, a1, title="井盖缺失")
    _sign(world, p5)
    record(world, by=world.office, org=a1, title="督导发现")  # no citizen behind it
    dup = intake.submit_suggestion(
        world.campaign, channel=Channel.HOTLINE, title="路灯坏了", text="同上",
        phone="13800000009", rate_limited=False,
    )  # fmt: skip
    intake.mark_duplicate(dup, by=world.office, version=dup.version, of=s1)
    s6 = intake.submit_suggestion(
        world.campaign, channel=Channel.WEB, title="咨询政策", text="请问补贴怎么申请",
        phone="13800000006", rate_limited=False,
    )  # fmt: skip
    intake.answer_suggestion(s6, by=world.office, version=s6.version, text="请到窗口申请。")
    # s1 closed and called back: solved, 满意; s6 called back: not solved, 基本满意.
    close(world, p1)
    calls.refresh_queue(world.campaign)
    for s, solved, rating in ((s1, True, 4), (s6, False, 3)):
        call = CallBack.objects.get(suggestion=s)
        calls.record_call(call, by=world.operator, reached=True, solved=solved, rating=rating)
    return {"s1": s1, "s2": s2, "p1": p1, "p2": p2, "p5": p5}


def _stats(world, *args):
    out = StringIO()
    call_command("stats", "--json", "--campaign", world.campaign.slug, *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_three_rates_follow_the_default_definitions(world):
    _ledger(world)
    handling = _stats(world)["handling"]
    # p1 and p3 responded; p2 (not contacted) and p4 (not signed) can no longer be; p5 not due.
    assert {k: handling[k] for k in ("hotline_response_due", "hotline_responded",
                                     "hotline_response_late", "hotline_response_rate")} == {
        "hotline_response_due": 4, "hotline_responded": 2, "hotline_response_late": 2,
        "hotline_response_rate": 50.0,
    }  # fmt: skip
    # 诉求: s1..s5 and s6 (the duplicate left out); answered at call-back: s1 yes, s6 no.
    assert (handling["hotline_total"], handling["hotline_solve_asked"]) == (6, 2)
    assert (handling["hotline_solved"], handling["hotline_solve_rate"]) == (1, 50.0)
    assert (handling["hotline_ratings"], handling["hotline_satisfaction_rate"]) == (2, 100.0)
    county = handling["by_org"]["141002"]
    assert (county["hotline_response_due"], county["hotline_responded"]) == (4, 2)
    # Below the top only the suggestions behind the unit's problems count: not s6.
    assert (county["hotline_total"], county["hotline_solve_rate"]) == (5, 100.0)
    town = _stats(world, "--org", "141002")["handling"]["by_org"][world.town_a2.code]
    assert (town["hotline_response_due"], town["hotline_response_rate"]) == (2, 50.0)
    assert town["hotline_solve_rate"] is None  # nobody there was asked yet
    # The campaign-wide figures are the same under `hotline`, where they always were.
    hotline = _stats(world)["hotline"]
    assert hotline["hotline_response_rate"] == 50.0 and hotline["hotline_solve_rate"] == 50.0


def test_the_campaign_chooses_what_counts(world):
    made = _ledger(world)
    world.campaign.rules = {
        "hotline_rates": {
            "contact_days": None,  # signing alone is 响应
            "solved_from": "unit",  # the unit's 办结, not the citizen's word
            "fairly_satisfied": False,
            "channels": ["hotline"],
        }
    }
    world.campaign.save()
    # s2 has waited past its 办结 limit: it counts against 解决率 by the unit's account.
    Suggestion.objects.filter(pk=made["s2"].pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=120)
    )
    f = hotline_figures(world.campaign, world.campaign.org, dt.date.today())
    # Signed in time: p1, p2, p3, p5; p4 is late.
    assert (f["hotline_response_due"], f["hotline_responded"]) == (5, 4)
    # Hotline only: s6 (web) is out. Settled: s1 (closed); asked: s1 and s2 (past its limit).
    assert (f["hotline_total"], f["hotline_solve_asked"], f["hotline_solved"]) == (5, 2, 1)
    assert f["hotline_solve_rate"] == 50.0
    # s1's 满意 alone is rated among the hotline's: 100; with s6's 基本满意 it would not count.
    assert (f["hotline_ratings"], f["hotline_satisfaction_rate"]) == (1, 100.0)
    words = definitions(world.campaign)
    assert "基本满意不计" in words["hotline_satisfaction_rate"]
    assert "热线" in words["hotline_response_rate"] and "联系" not in words["hotline_response_rate"]
    assert "承办单位办结" in words["hotline_solve_rate"]
    world.campaign.rules = {"hotline_rates": {"fairly_satisfied": False}}
    world.campaign.save()
    f = hotline_figures(world.campaign, world.campaign.org, dt.date.today())
    assert f["hotline_satisfaction_rate"] == 50.0  # s6's 基本满意 no longer satisfied
    # 满意率 in the supervision figures (and so in the ranking) follows the same definition.
    sup = _stats(world)["supervision"]
    assert sup["satisfaction_rate"] == 50.0


def test_contact_is_recorded_once_by_the_unit_on_time_or_late(world):
    _s, p = _citizen_problem(world, world.dept_a1)
    hop = Dispatch.objects.get(problem=p)
    assert hop.contact_by is not None and hop.contact_by >= hop.sign_by
    with pytest.raises(ValidationError):  # not signed yet
        services.contact_citizen(p, by=world.handler_a1, way="phone")
    _sign(world, p)
    with pytest.raises(PermissionDenied):
        services.contact_citizen(p, by=world.handler_b1, way="phone")
    with pytest.raises(ValidationError, match="联系方式"):
        services.contact_citizen(p, by=world.handler_a1, way="carrier-pigeon")
    Dispatch.objects.filter(pk=hop.pk).update(contact_by=YESTERDAY)
    hop = services.contact_citizen(p, by=world.handler_a1, way="visit", note="上门说明")
    assert hop.contact_on_time is False and hop.contacted_by == world.handler_a1
    event = p.events.get(action=EventAction.CONTACT)
    assert event.reason == "上门说明" and event.data == {"way": "visit", "on_time": False}
    with pytest.raises(ValidationError, match="已于"):
        services.contact_citizen(p, by=world.handler_a1, way="phone")
    found = record(world, by=world.office, org=world.dept_a1, title="督导发现")
    _sign(world, found)
    with pytest.raises(ValidationError, match="不是群众反映的"):  # nobody to contact
        services.contact_citizen(found, by=world.handler_a1, way="phone")


def test_the_unit_sees_the_number_to_call_and_the_showing_is_logged(world, client):
    s, p = _citizen_problem(world, world.dept_a1)
    _sign(world, p)
    client.force_login(world.handler_a1)
    page = client.get(f"/problems/{p.pk}/").content.decode()
    assert "登记联系群众" in page and "13800000001" not in page
    shown = client.post(f"/suggestions/{s.pk}/contact/", {"problem": p.pk})
    assert shown.status_code == 200 and "13800000001" in shown.content.decode()
    assert IdentityView.objects.filter(suggestion=s, purpose="contact").count() == 1
    response = client.post(
        f"/problems/{p.pk}/do/contact/", {"version": p.version, "way": "phone", "note": "已约"}
    )
    assert response.status_code == 302
    page = client.get(f"/problems/{p.pk}/").content.decode()
    assert "登记联系群众" not in page and "已约" in page
    client.force_login(world.handler_b1)  # another unit
    assert client.post(f"/suggestions/{s.pk}/contact/", {"problem": p.pk}).status_code == 404
    Suggestion.objects.filter(pk=s.pk).update(confidential=True)
    client.force_login(world.handler_a1)
    assert client.post(f"/suggestions/{s.pk}/contact/", {"problem": p.pk}).status_code == 404


def test_the_api_records_contact(world):
    _s, p = _citizen_problem(world, world.dept_a1)
    _sign(world, p)
    response = api_for(world.handler_a1).post(
        reverse("api_problem_transition", args=[p.pk]),
        {"action": "contact", "version": p.version, "way": "sms", "reason": "短信告知"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Dispatch.objects.get(problem=p).contact_way == "sms"


def test_the_rates_are_frozen_printed_and_ranked(world, client):
    _ledger(world)
    snapshots.take_snapshots(world.campaign, dt.date.today())
    frozen = Snapshot.objects.get(org=world.campaign.org, day=dt.date.today()).figures
    assert frozen["handling"]["hotline_response_rate"] == 50.0
    assert "响应率" in frozen["handling"]["definitions"]["hotline_response_rate"]
    rows = ranking.ranking(world.campaign, world.city)
    county = next(r for r in rows if r["org"] == world.county_a.code)
    assert county["components"]["hotline_response_rate"] == 50.0
    client.force_login(world.office)
    page = client.get(f"/c/{world.campaign.slug}/handling/").content.decode()
    assert 'id="hotline-definitions"' in page and "按时响应的派单" in page
    links = dict(
        (m.group(1), int(m.group(2)))
        for m in re.finditer(r'figure=(hotline_\w+)">(\d+)</a>', page.split("<tfoot>")[1])
    )
    for figure, shown in links.items():
        listed = client.get(f"/c/{world.campaign.slug}/handling/rows/?figure={figure}")
        count = int(re.search(r'id="result-count">共 (\d+) 条', listed.content.decode()).group(1))
        assert count == shown, figure
    assert links["hotline_response_due"] == 4 and links["hotline_total"] == 6
