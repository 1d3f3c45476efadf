"""批量办理: each row through the same service and permission check as by hand, each with its
own history event, every row reported as done, refused (why) or conflicting."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from taizhang.ledger import services
from taizhang.ledger.models import EventAction, Problem, ProblemEvent, Status
from taizhang.supervision.models import Notice
from taizhang.testing import PDF, record
from taizhang.todo import bulk
from taizhang.todo.models import BulkJob


def _applied(world, title, who=None, org=None):
    who = who or world.handler_a1
    p = record(world, by=who, org=org or world.dept_a1, title=title)
    services.add_evidence(p, by=who, upload=io.BytesIO(PDF), original_name="证明.pdf")
    services.apply_to_close(p, by=who, version=p.version, note="已整改")
    p.refresh_from_db()
    return p


def test_each_row_is_done_refused_or_conflicting_never_silently(world):
    mine = _applied(world, "发改局已整改")
    other_county = _applied(world, "侯马已整改", who=world.handler_b1, org=world.dept_b1)
    not_pending = record(world, title="还在整改")
    stale = _applied(world, "被人抢先")
    picked_version = stale.version
    services.return_closure(stale, by=world.office, version=stale.version, reason="先退回")
    rows = [(p.pk, p.version) for p in (mine, other_county, not_pending)]
    rows.append((stale.pk, picked_version))
    job = bulk.start(world.campaign, world.leader_a, "approve", rows, {"reason": "同意"})
    outcome = {r["id"]: (r["outcome"], r["message"]) for r in job.results}
    assert outcome[mine.pk] == ("done", "")
    assert outcome[other_county.pk][0] == "refused"  # the county's leader does not reach it
    assert outcome[not_pending.pk][0] == "refused" and "整改中" in outcome[not_pending.pk][1]
    assert outcome[stale.pk][0] == "conflict"
    assert bulk.tally(job) == {"done": 1, "refused": 2, "conflict": 1}
    mine.refresh_from_db()
    assert mine.status == Status.CLOSED
    assert ProblemEvent.objects.filter(problem=mine, action=EventAction.APPROVE).count() == 1
    assert Problem.objects.get(pk=other_county.pk).status == Status.PENDING


def test_a_request_missing_what_every_row_needs_touches_nothing(world):
    p = record(world, title="逾期的")
    for action, params, why in (("urge", {}, "请填写催办的理由或内容。"),
                                ("assign", {"reason": "x"}, "请填写交办的责任单位。"),
                                ("nope", {}, "不支持的批量操作:nope")):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            bulk.start(world.campaign, world.office, action, [(p.pk, None)], params)
        assert refused.value.messages == [why]
    assert not BulkJob.objects.exists() and not Notice.objects.exists()


def test_urging_every_row_of_a_filter_from_the_list(world):
    for n in range(3):
        record(world, title=f"发改局问题{n}")
    record(world, by=world.handler_b1, org=world.dept_b1, title="侯马问题")
    client = Client()
    client.force_login(world.office)
    listed = client.get(reverse("problem_list", args=[world.campaign.slug]) + "?org=141002801")
    assert 'id="bulk-form"' in listed.text and 'name="pick"' in listed.text
    done = client.post(reverse("bulk_start", args=[world.campaign.slug]),
                       {"action": "urge", "reason": "请于本周内完成", "all": "1",
                        "org": "141002801"})  # fmt: skip
    job = BulkJob.objects.get()
    assert done.url == reverse("bulk_detail", args=[job.pk])
    page = client.get(done.url).text
    assert "已办理 3 条,未办理 0 条,有冲突 0 条" in page
    assert Notice.objects.filter(kind="urge").count() == 3
    assert not Notice.objects.filter(problem__title="侯马问题").exists()
    # Someone else's job is not theirs to read.
    stranger = Client()
    stranger.force_login(world.leader_a)
    assert stranger.get(done.url).status_code == 404


def test_picked_rows_and_an_error_keep_the_filter(world):
    a, b = record(world, title="甲"), record(world, title="乙")
    client = Client()
    client.force_login(world.office)
    url = reverse("bulk_start", args=[world.campaign.slug])
    refused = client.post(url, {"action": "void", "pick": [f"{a.pk}:{a.version}"],
                                "org": "141002801"})  # fmt: skip
    assert refused.url.endswith("?org=141002801")
    client.post(url, {"action": "void", "reason": "重复登记",
                      "pick": [f"{a.pk}:{a.version}", f"{b.pk}:{b.version}"]})  # fmt: skip
    assert set(Problem.objects.values_list("status", flat=True)) == {Status.VOID}
    handler = Client()
    handler.force_login(world.handler_a1)
    listed = handler.get(reverse("problem_list", args=[world.campaign.slug])).text
    assert 'id="bulk-form"' not in listed  # a unit's handler works problems one by one


def test_more_than_a_page_runs_in_the_background(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ps = [record(world, title=f"问题{n}") for n in range(3)]
    old = bulk.BACKGROUND_ROWS
    bulk.BACKGROUND_ROWS = 2
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = bulk.start(world.campaign, world.office, "urge", [(p.pk, None) for p in ps],
                             {"reason": "请加快"})  # fmt: skip
    finally:
        bulk.BACKGROUND_ROWS = old
    job.refresh_from_db()
    assert job.status == "queued" and not Notice.objects.exists()
    client = Client()
    client.force_login(world.office)
    page = client.get(reverse("bulk_detail", args=[job.pk])).text
    assert 'id="bulk-progress"' in page and 'http-equiv="refresh"' in page
    bulk.execute(job.pk)  # what the worker does
    job.refresh_from_db()
    assert job.status == "done" and job.done == 3 and Notice.objects.count() == 3


def test_a_bulk_urge_checks_each_row_as_one_by_hand_would(world):
    from taizhang.supervision import services as supervision
    from taizhang.testing import close

    open_one = record(world, title="在办")
    urged = record(world, title="已催办")
    supervision.issue_notice(urged, by=world.office, kind="urge", text="第一次催办")
    done = close(world, record(world, title="已销号"))
    theirs = record(world, by=world.handler_b1, org=world.dept_b1, title="侯马的")
    rows = [(p.pk, None) for p in (open_one, urged, done, theirs)]
    job = bulk.start(world.campaign, world.inspector_a, "urge", rows, {"reason": "请加快"})
    outcome = {r["id"]: (r["outcome"], r["message"]) for r in job.results}
    assert outcome[open_one.pk] == ("done", "")
    assert outcome[urged.pk] == ("refused", "这个问题已有未回复的催办。")
    assert outcome[done.pk] == ("refused", "问题已办结,不能再督办。")
    assert outcome[theirs.pk][0] == "refused"  # the county's inspector does not reach 侯马
    assert [r["id"] for r in job.results] == [pk for pk, _v in rows]
    assert Notice.objects.filter(problem=open_one, issued_by=world.inspector_a).count() == 1


def test_declines_are_reassigned_and_problems_sent_on_in_bulk(world):
    declined = [record(world, by=world.office, org=world.dept_a1, title=f"退单{i}") for i in (1, 2)]
    for p in declined:
        services.decline_problem(p, by=world.handler_a1, version=p.version, reason="非本单位")
    signed = record(world, by=world.office, org=world.dept_a1, title="已签收")
    services.sign_problem(signed, by=world.handler_a1, version=signed.version)
    rows = [(p.pk, None) for p in (*declined, signed)]
    job = bulk.start(world.campaign, world.office, "reassign", rows, {"org_code": "大阳镇"})
    outcome = {r["id"]: r["outcome"] for r in job.results}
    assert [outcome[p.pk] for p in declined] == ["done", "done"]
    assert outcome[signed.pk] == "refused"  # no decline to accept
    assert set(Problem.objects.filter(pk__in=[p.pk for p in declined])
               .values_list("org__code", flat=True)) == {"141002101"}  # fmt: skip
    county = [record(world, by=world.office, org=world.county_a, title=f"区{i}") for i in (1, 2)]
    job = bulk.start(world.campaign, world.admin_a, "forward", [(p.pk, None) for p in county],
                     {"org_code": "141002801", "reason": "请发改局办理"})  # fmt: skip
    assert bulk.tally(job) == {"done": 2, "refused": 0, "conflict": 0}
    assert ProblemEvent.objects.filter(action=EventAction.FORWARD).count() == 2
