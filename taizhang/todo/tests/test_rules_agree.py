"""The to-do lists choose rows with the ledger's rules as queries; here each list is held to
the per-problem rule the buttons use (`available_actions`), for every user of the test world."""

import datetime as dt
import io

from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.ledger import services
from taizhang.ledger.deadlines import due_soon_cutoff
from taizhang.ledger.models import ExtensionRequest, ExtensionStatus, Part, Problem, Status
from taizhang.ledger.permissions import (
    available_actions,
    is_part_staff,
    is_unit_staff,
    part_actions,
    visible_problems,
)
from taizhang.supervision import services as supervision
from taizhang.supervision.models import Notice, NoticeStatus
from taizhang.testing import PDF, record
from taizhang.todo.services import _returned, todo_for

USERS = ["office", "city_leader", "leader_a", "admin_a", "inspector_a", "handler_a1",
         "handler_a2", "leader_b", "handler_b1", "operator", "nobody"]  # fmt: skip


def _by_rule(user, campaign):
    """The lists as the per-problem rules define them (what the first version computed)."""
    today = dt.date.today()
    seen = list(visible_problems(user, campaign))
    acts = {p.pk: available_actions(user, p) for p in seen}
    staff = {p.pk for p in seen if is_unit_staff(user, p)}
    returned = set(_returned(Problem.objects.filter(pk__in=[p.pk for p in seen]))
                   .values_list("pk", flat=True))  # fmt: skip
    cutoff = due_soon_cutoff(campaign, today)
    lists = {
        "sign": {p.pk for p in seen if "sign" in acts[p.pk] and p.pk in staff},
        "returned": {p.pk for p in seen if p.pk in returned and "apply" in acts[p.pk]
                     and p.pk in staff},
        "approve": {p.pk for p in seen if "approve" in acts[p.pk]},
        "urgent": {p.pk for p in seen if p.pk in staff and acts[p.pk] & {"progress", "sign"}
                   and p.deadline and p.deadline <= cutoff},
        "flagged": {p.pk for p in seen if p.urgent and (
            (p.pk in staff and acts[p.pk] & {"progress", "sign"}) or "approve" in acts[p.pk])},
        "extensions": {x.problem_id for x in ExtensionRequest.objects.filter(
            status=ExtensionStatus.REQUESTED, problem__in=seen)
            if "decide_extension" in acts[x.problem_id]},
        "declines": {p.pk for p in seen if "review_decline" in acts[p.pk]},
        "parts": {part.problem_id for part in Part.objects.filter(problem__in=seen)
                  if is_part_staff(user, part)
                  and part_actions(user, part.problem, [part])[part.pk] & {"sign", "finish"}},
        "contacts": {p.pk for p in seen if "contact" in acts[p.pk] and p.pk in staff},
        "notices": {n.problem_id for n in Notice.objects.filter(status=NoticeStatus.OPEN)
                    if supervision.can_reply(user, n)},
    }  # fmt: skip
    return {k: v for k, v in lists.items() if v}


def _listed(user, campaign):
    found = {}
    for section in todo_for(user, campaign):
        if section.key in ("callbacks", "suggestions", "closures"):
            continue
        if section.key == "notices":
            ids = {Notice.objects.get(pk=int(i.url.strip("/").split("/")[-1])).problem_id
                   for i in section.items}  # fmt: skip
        else:
            ids = {int(i.url.strip("/").split("/")[-1]) for i in section.items}
        assert section.count == len(ids)  # fewer than a page each here
        found[section.key] = ids
    return found


def test_every_list_is_what_the_buttons_allow_for_every_user(world):
    today = dt.date.today()
    overdue = record(world, title="逾期")
    Problem.objects.filter(pk=overdue.pk).update(deadline=today - dt.timedelta(days=3))
    record(world, by=world.office, org=world.dept_a1, title="交办发改局")
    record(world, by=world.office, org=world.town_a2, title="交办大阳镇", urgent=True)
    record(world, by=world.office, org=world.dept_b1, title="交办侯马教育局")
    record(world, by=world.admin_a, org=world.county_a, title="区本级", urgent=True)
    for who, org in ((world.handler_a1, world.dept_a1), (world.handler_a2, world.town_a2),
                     (world.admin_a, world.county_a)):  # fmt: skip
        p = record(world, by=who, org=org, title=f"申请销号 {org.name}", urgent=True)
        services.add_evidence(p, by=who, upload=io.BytesIO(PDF), original_name="证明.pdf")
        services.apply_to_close(p, by=who, version=p.version, note="已整改")
    back = record(world, title="退回的")
    services.add_evidence(back, by=world.handler_a1, upload=io.BytesIO(PDF),
                          original_name="证明.pdf")  # fmt: skip
    services.apply_to_close(back, by=world.handler_a1, version=back.version, note="已整改")
    back.refresh_from_db()
    services.return_closure(back, by=world.leader_a, version=back.version, reason="证据不足")
    later = record(world, title="延期的")
    services.request_extension(later, by=world.handler_a1, reason="工程量大",
                               new_deadline=later.deadline + dt.timedelta(days=10))  # fmt: skip
    supervision.issue_notice(overdue, by=world.office, kind="urge", text="请加快")
    # 退单: one for its dispatcher (an admin above may review it too), one in 会商, one urgent.
    for title, twice, org in (("退单", False, world.dept_a1), ("会商", True, world.town_a2),
                              ("急退单", False, world.dept_b1)):  # fmt: skip
        p = record(world, by=world.office, org=org, title=title, urgent=title == "急退单")
        handler = {world.dept_a1: world.handler_a1, world.town_a2: world.handler_a2,
                   world.dept_b1: world.handler_b1}[org]  # fmt: skip
        services.decline_problem(p, by=handler, version=p.version, reason="不是本单位")
        if twice:
            services.review_decline(p, by=world.office, version=p.version, accept=False,
                                    note="继续办")  # fmt: skip
            services.decline_problem(p, by=handler, version=p.version, reason="仍不是")
    # 协办: a part to sign, one signed (to finish), one done, and one of a problem sent back.
    shared = record(world, by=world.office, org=world.dept_a1, title="协办",
                    cooperating_orgs=[world.town_a2, world.dept_b1, world.county_a])  # fmt: skip
    services.sign_part(shared.parts.get(org=world.dept_b1), by=world.handler_b1)
    done = shared.parts.get(org=world.county_a)
    services.sign_part(done, by=world.admin_a)
    services.finish_part(done, by=world.admin_a, note="已配合完成")
    # 联系群众: a citizen's problem signed (owed), and one contacted already.
    for title, org, handler, contacted in (
        ("热线来电", world.dept_a1, world.handler_a1, False),
        ("已联系", world.town_a2, world.handler_a2, True),
    ):
        s = intake.submit_suggestion(
            world.campaign,
            channel=Channel.HOTLINE,
            title=title,
            text=title,
            phone="13800000001",
            rate_limited=False,
        )
        p = intake.convert_to_problem(
            s, by=world.office, version=s.version, org=org, focus_area=world.area, kind="deadline"
        )
        services.sign_problem(p, by=handler, version=p.version)
        if contacted:
            services.contact_citizen(p, by=handler, way="phone")
    users = {name: getattr(world, name) for name in USERS}
    for name, user in users.items():
        assert _listed(user, world.campaign) == _by_rule(user, world.campaign), name
    assert Problem.objects.filter(status=Status.PENDING).count() == 3
