"""派单签收 figures: 按时签收率, 退单率, 改派 per unit, each linked to the hops it counts."""

import datetime as dt
import json
import re
from io import StringIO

from django.core.management import call_command

from taizhang.ledger import services
from taizhang.ledger.models import Dispatch, Part
from taizhang.reports.handling import HOP_FIGURES, PART_FIGURES, REPORT_FIGURE_LABELS
from taizhang.reports.hotline import HOTLINE_FIGURE_LABELS
from taizhang.testing import record


def _ledger(world):
    today = dt.date.today()
    yesterday = today - dt.timedelta(days=1)
    on_time = record(world, by=world.office, org=world.dept_a1, title="按时")
    services.sign_problem(on_time, by=world.handler_a1, version=on_time.version)
    late = record(world, by=world.office, org=world.dept_a1, title="超时签收")
    Dispatch.objects.filter(problem=late).update(sign_by=yesterday)
    services.sign_problem(late, by=world.handler_a1, version=late.version)
    unsigned = record(world, by=world.office, org=world.town_a2, title="超时未签")
    Dispatch.objects.filter(problem=unsigned).update(sign_by=yesterday)
    record(world, by=world.office, org=world.town_a2, title="未到时限")
    moved = record(world, by=world.office, org=world.dept_a1, title="退单改派")
    services.decline_problem(moved, by=world.handler_a1, version=moved.version, reason="职能",
                             category="function")  # fmt: skip
    services.review_decline(moved, by=world.office, version=moved.version, accept=True,
                            org=world.dept_b1, note="改派")  # fmt: skip
    voided = record(world, by=world.office, org=world.dept_b1, title="作废")
    services.void_problem(voided, by=world.office, version=voided.version, reason="重复")
    # 协办: town_a2 finishes on time, dept_b1 late, county_a's part is waived
    shared = record(world, title="协办", cooperating_orgs=[world.town_a2, world.dept_b1,
                                                           world.county_a])  # fmt: skip
    for org, handler in ((world.town_a2, world.handler_a2), (world.dept_b1, world.handler_b1)):
        part = shared.parts.get(org=org)
        services.sign_part(part, by=handler)
        if org == world.dept_b1:
            Part.objects.filter(pk=part.pk).update(deadline=yesterday)
            part.refresh_from_db()
        services.finish_part(part, by=handler, note="已完成")
    services.waive_part(shared.parts.get(org=world.county_a), by=world.leader_a, reason="不涉及")


def test_the_figures_count_hops_by_their_definitions(world):
    _ledger(world)
    out = StringIO()
    call_command("stats", "--json", "--campaign", world.campaign.slug, stdout=out)
    handling = json.loads(out.getvalue())["handling"]
    # hops: dept_a1 ×3 (on time, late, declined), town_a2 ×2, dept_b1 ×1 (the voided one ended)
    assert {k: handling[k] for k in ("dispatched", "sign_due", "signed_on_time", "signed_late",
                                     "waiting_late", "declined", "reassigned")} == {
        "dispatched": 6, "sign_due": 3, "signed_on_time": 1, "signed_late": 1,
        "waiting_late": 1, "declined": 1, "reassigned": 1,
    }  # fmt: skip
    assert handling["signed_on_time_rate"] == 33.3
    assert handling["decline_rate"] == 16.7
    county_a = handling["by_org"]["141002"]
    assert (county_a["dispatched"], county_a["decline_rate"]) == (5, 20.0)
    assert handling["by_org"]["141081"]["signed_on_time_rate"] is None  # nothing due yet
    assert {k: handling[k] for k in ("parts", "parts_due", "parts_on_time", "parts_late",
                                     "parts_waived", "parts_on_time_rate")} == {
        "parts": 3, "parts_due": 2, "parts_on_time": 1, "parts_late": 1, "parts_waived": 1,
        "parts_on_time_rate": 50.0,
    }  # fmt: skip
    assert handling["by_org"]["141081"]["parts_on_time_rate"] == 0.0
    out = StringIO()
    call_command("stats", "--json", "--org", "141002", stdout=out)
    assert json.loads(out.getvalue())["handling"]["dispatched"] == 5


def test_every_figure_opens_the_rows_it_counts(world, client):
    _ledger(world)
    client.force_login(world.office)
    page = client.get(f"/c/{world.campaign.slug}/handling/?org=141000").content.decode()
    links = re.findall(r'href="([^"]*handling/rows/[^"]*)">(\d+)</a>', page)
    names = {re.search(r"figure=(\w+)", url).group(1) for url, _ in links}
    assert names == (
        set(HOP_FIGURES) | set(PART_FIGURES) | set(REPORT_FIGURE_LABELS)
        | set(HOTLINE_FIGURE_LABELS)
    )  # fmt: skip
    for url, shown in links:
        listed = client.get(url.replace("&amp;", "&")).content.decode()
        count = int(re.search(r'id="result-count">共 (\d+) 条', listed).group(1))
        assert count == int(shown), url
    client.force_login(world.handler_b1)  # outside the county it asks for
    assert client.get(f"/c/{world.campaign.slug}/handling/?org=141002").status_code == 404
