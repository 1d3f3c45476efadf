"""The tamper-evident history: each campaign's history rows form a hash chain that `taizhang
verify` follows, naming every row changed, inserted or deleted behind the application's back,
and every problem row changed without a history row."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import Snapshot
from taizhang.ledger import chain, services
from taizhang.ledger.models import ChainHead, Problem, ProblemEvent, Status
from taizhang.ledger.verify import CHANGED, DELETED, INSERTED, NO_HISTORY, REWRITTEN, ROW_CHANGED
from taizhang.ledger.verify import verify as check
from taizhang.reports import snapshots
from taizhang.reports.brief import make_brief
from taizhang.sheets.problem_import import import_problems
from taizhang.sheets.tests.test_import import good_rows, workbook
from taizhang.testing import close, record


def _ledger(world) -> list[Problem]:
    first, second = record(world, title="路灯不亮"), record(world, title="道路破损")
    close(world, first)
    services.add_measure(second, by=world.handler_a1, content="更换路面",
                         deadline=second.deadline)  # fmt: skip
    third = record(world, by=world.office, org=world.dept_a1, title="交办的问题")
    services.sign_problem(third, by=world.handler_a1, version=third.version)
    return [first, second, third]


def _kinds(world) -> list[str]:
    return [f.kind for f in check(world.campaign).findings]


def _verify(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify", *args, stdout=out)
    except CommandError as exc:
        return 1, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_the_services_write_one_intact_chain_per_campaign(world):
    _ledger(world)
    report = check(world.campaign)
    assert report.intact and report.algorithm == "sha256"
    seqs = list(ProblemEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1)) and report.rows == len(seqs)
    head = ChainHead.objects.get(campaign=world.campaign)
    last = ProblemEvent.objects.get(seq=head.seq)
    assert (report.head_seq, report.head_digest) == (head.seq, head.digest) == (
        last.seq, last.digest)  # fmt: skip
    assert len(head.digest) == 64
    code, out = _verify("--campaign", world.campaign.slug)
    assert code == 0 and "未发现改动" in out and head.digest in out


def test_a_history_row_edited_in_the_database_is_named(world):
    problems = _ledger(world)
    event = ProblemEvent.objects.filter(problem=problems[0], action="approve").get()
    ProblemEvent.objects.filter(pk=event.pk).update(reason="领导同意")  # behind the services
    found = check(world.campaign).findings
    assert [(f.kind, f.event, f.seq) for f in found] == [(CHANGED, event.pk, event.seq)]
    assert problems[0].number in found[0].text
    code, out = _verify("--campaign", world.campaign.slug)
    assert code == 1 and f"第 {event.seq} 条办理记录 #{event.pk}" in out


def test_deleted_and_inserted_history_rows_are_named(world):
    problems = _ledger(world)
    gone = ProblemEvent.objects.filter(problem=problems[1], action="measure").get()
    with connection.cursor() as cursor:  # as someone with database access would
        cursor.execute(f"DELETE FROM {ProblemEvent._meta.db_table} WHERE id = %s", [gone.pk])
    ProblemEvent.objects.bulk_create(
        [ProblemEvent(problem=problems[2], at=timezone.now(), action="approve", reason="补录")]
    )
    found = check(world.campaign).findings
    assert {f.kind for f in found} == {DELETED, INSERTED}
    deleted = next(f for f in found if f.kind == DELETED)
    assert deleted.seq == gone.seq and f"第 {gone.seq} 至 {gone.seq} 条" in deleted.text
    assert next(f for f in found if f.kind == INSERTED).problem == problems[2].number


def test_the_last_rows_deleted_are_found_by_the_head(world):
    _ledger(world)
    head = ChainHead.objects.get(campaign=world.campaign)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ProblemEvent._meta.db_table} WHERE seq = %s", [head.seq])
    assert DELETED in _kinds(world)


def test_a_problem_changed_without_a_history_row_is_named_with_its_fields(world):
    problems = _ledger(world)
    Problem.objects.filter(pk=problems[1].pk).update(status=Status.CLOSED, org=world.dept_b1)
    planted = Problem.objects.get(pk=problems[2].pk)
    planted.pk, planted.number = None, "LINFEN-999999"
    Problem.objects.bulk_create([planted])  # a row no service wrote
    found = {f.problem: f for f in check(world.campaign).findings}
    assert found[problems[1].number].kind == ROW_CHANGED
    text = found[problems[1].number].text
    assert "状态 记录为 整改中,现为 已销号" in text
    assert f"责任单位 记录为 尧都区发改局(#{world.dept_a1.pk}),现为 侯马市教育局" in text
    assert found["LINFEN-999999"].kind == NO_HISTORY
    assert set(found) == {problems[1].number, "LINFEN-999999"}


def test_a_chain_rewritten_after_a_frozen_day_is_caught_by_its_head(world, tmp_path):
    """Someone who changes a row and recomputes every digest after it (and the head) leaves an
    intact-looking chain; the head frozen with the day's figures, and the one the brief
    printed, no longer match it."""
    problems = _ledger(world)
    day = dt.date.today()
    snapshots.take_snapshots(world.campaign, day)
    brief = make_brief(world.campaign, day, "xlsx", tmp_path / "brief.xlsx")
    assert brief.check_code.endswith(f"{brief.chain_seq}:{brief.chain_digest}")
    assert brief.chain_seq == ChainHead.objects.get(campaign=world.campaign).seq
    event = ProblemEvent.objects.filter(problem=problems[0], action="approve").get()
    ProblemEvent.objects.filter(pk=event.pk).update(reason="领导同意")
    _reseal(world.campaign)
    assert check(world.campaign).intact  # the chain alone no longer tells
    report = check(world.campaign, snapshots.frozen_heads(world.campaign))
    assert [f.kind for f in report.findings] == [REWRITTEN]
    code, out = _verify("--campaign", world.campaign.slug, "--json")
    assert code == 1 and json.loads(out.split("\n")[0])[0]["findings"][0]["kind"] == REWRITTEN
    # A head published in the brief is checked the same way (here: no snapshot to match).
    Snapshot.objects.all().delete()
    code, out = _verify("--campaign", world.campaign.slug, "--head",
                        f"{brief.chain_seq}:{brief.chain_digest}")  # fmt: skip
    assert code == 1 and "发布的通报记录的链头" in out


def _reseal(campaign: Campaign) -> None:
    """What a careful forger would do: recompute every digest and the head."""
    digest = chain.genesis(campaign.pk)
    for e in ProblemEvent.objects.filter(problem__campaign=campaign).order_by("seq"):
        row = (e.problem_id, e.at, e.actor_id, e.action, e.from_status, e.to_status, e.reason,
               e.data)  # fmt: skip
        digest = chain.link("sha256", digest, chain.content(campaign.pk, e.seq or 0, row, e.state))
        ProblemEvent.objects.filter(pk=e.pk).update(digest=digest)
    ChainHead.objects.filter(campaign=campaign).update(digest=digest)


@override_settings(TAIZHANG_HISTORY_HASH="sm3")
def test_a_chain_can_be_sealed_with_sm3(world):
    _ledger(world)
    head = ChainHead.objects.get(campaign=world.campaign)
    assert head.algorithm == "sm3"
    report = check(world.campaign)
    assert report.intact and report.algorithm == "sm3"
    e = ProblemEvent.objects.get(seq=1)
    row = (e.problem_id, e.at, e.actor_id, e.action, e.from_status, e.to_status, e.reason, e.data)
    body = chain.content(world.campaign.pk, 1, row, e.state)
    assert e.digest == chain.link("sm3", chain.genesis(world.campaign.pk), body)
    assert e.digest != chain.link("sha256", chain.genesis(world.campaign.pk), body)


def test_an_imported_ledger_and_its_reimport_join_the_chain(world, tmp_path):
    rows = good_rows(world)
    import_problems(workbook(tmp_path, rows), campaign=world.campaign)
    rows[0][2] = "企业开办环节多、时限长"
    result = import_problems(workbook(tmp_path, rows, name="again.xlsx"), campaign=world.campaign)
    assert result.updated == 1
    report = check(world.campaign)
    assert report.intact and report.problems == 3, [f.text for f in report.findings]


@pytest.mark.django_db
def test_nothing_to_check_says_so():
    with pytest.raises(CommandError, match="还没有任何活动"):
        call_command("verify", stdout=StringIO())
    with pytest.raises(CommandError, match="找不到活动"):
        call_command("verify", "--campaign", "nowhere", stdout=StringIO())
