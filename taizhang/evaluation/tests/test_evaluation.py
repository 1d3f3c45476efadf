import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from taizhang.evaluation import services
from taizhang.evaluation.models import CallBack, CallReason, CallStatus, Snapshot
from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.ledger.models import Status
from taizhang.reports import ranking, snapshots, verdict
from taizhang.reports.hotline import hotline_figures
from taizhang.supervision.models import Notice, NoticeKind
from taizhang.supervision.services import issue_notice, reply_notice
from taizhang.testing import close, record


def _suggestion(world, phone="13800000001", name="张三", channel=Channel.HOTLINE):
    return intake.submit_suggestion(
        world.campaign, channel=channel, title="路灯坏了", text="小区路灯坏了一个月",
        phone=phone, name=name, rate_limited=False,
    )  # fmt: skip


def _answered(world, **kwargs):
    s = _suggestion(world, **kwargs)
    return intake.answer_suggestion(s, by=world.office, version=s.version, text="已修复。")


def _converted_and_closed(world):
    s = _suggestion(world)
    p = intake.convert_to_problem(
        s, by=world.office, version=s.version, org=world.dept_a1, focus_area=world.area,
        kind="deadline",
    )  # fmt: skip
    from taizhang.ledger import services as ledger

    ledger.sign_problem(p, by=world.handler_a1, version=p.version)
    p.refresh_from_db()
    close(world, p)
    s.refresh_from_db()
    return s, p


def test_the_queue_holds_each_settled_outcome_once(world):
    _answered(world)
    _answered(world, phone="")  # no number, nobody to call
    _converted_and_closed(world)
    assert services.refresh_queue(world.campaign) == 2
    assert services.refresh_queue(world.campaign) == 0
    reasons = sorted(CallBack.objects.values_list("reason", flat=True))
    assert reasons == [CallReason.ANSWERED, CallReason.CLOSED]


def test_a_call_cannot_be_rated_without_being_reached(world):
    _answered(world)
    services.refresh_queue(world.campaign)
    call = CallBack.objects.get()
    with pytest.raises(ValidationError, match="未接通"):
        services.record_call(call, by=world.operator, reached=False, rating=5)
    with pytest.raises(PermissionDenied):
        services.record_call(call, by=world.handler_a1, reached=True)
    for _ in range(3):
        services.record_call(call, by=world.operator, reached=False, notes="无人接听")
        call.refresh_from_db()
    assert call.status == CallStatus.UNREACHABLE and call.attempts == 3


def test_an_unsatisfied_call_reopens_the_problem_and_raises_a_notice(world):
    s, p = _converted_and_closed(world)
    services.refresh_queue(world.campaign)
    call = CallBack.objects.get()
    services.record_call(
        call, by=world.operator, reached=True, solved=False, rating=2, notes="路灯又坏了"
    )
    p.refresh_from_db()
    s.refresh_from_db()
    assert p.status == Status.RECTIFYING and s.rating == 2
    notice = Notice.objects.get(problem=p)
    assert notice.kind == NoticeKind.URGE and "不满意" in notice.text
    # A real-name unsatisfied rating is itself called back, first in the queue.
    assert services.refresh_queue(world.campaign) == 1
    assert services.outstanding_unsatisfied(world.campaign) == 1
    first = services.queue(world.operator, world.campaign).filter(status="pending").first()
    assert first.reason == CallReason.UNSATISFIED and first.priority


def test_figures_count_notices_checks_ratings_and_reopens(world):
    _converted_and_closed(world)
    services.refresh_queue(world.campaign)
    services.record_call(CallBack.objects.get(), by=world.operator, reached=True, rating=1)
    q = record(world, title="另一个问题")
    n = issue_notice(q, by=world.office, kind=NoticeKind.URGE, text="请加快")
    reply_notice(n, by=world.handler_a1, text="本周完成")
    stats = verdict.supervision_figures(world.campaign, world.campaign.org, dt.date.today())
    assert stats["notices_replied_on_time"] >= 1 and stats["notice_reply_rate"] is not None
    assert stats["problems_reopened"] == 1 and stats["reopen_rate"] == 100.0
    assert stats["ratings"] == 1 and stats["satisfaction_rate"] == 0.0
    hotline = hotline_figures(world.campaign, world.campaign.org, dt.date.today())
    # Signed the day it was dispatched, but nobody recorded contacting the citizen: not yet
    # late (its 联系时限 is still to come), so not yet counted either way.
    assert hotline["hotline_total"] == 1 and hotline["hotline_response_due"] == 0
    assert hotline["hotline_satisfaction_rate"] == 0.0


def test_ranking_weighs_the_components_and_names_the_laggards(world):
    for i in range(3):
        close(world, record(world, title=f"尧都{i}"))
    record(world, by=world.handler_b1, org=world.dept_b1, title="侯马未整改")
    rows = ranking.ranking(world.campaign, world.city)
    assert [r["org"] for r in rows] == [world.county_a.code, world.county_b.code]
    top, bottom = rows
    assert top["components"]["rectification_rate"] == 100.0 and top["score"] > bottom["score"]
    assert bottom["below_threshold"] and not top["below_threshold"]


def test_a_unit_is_not_ranked_up_for_a_rate_it_has_no_data_for(world):
    """Before: county B, never rated, had 满意率 dropped and the rest scaled up, and came first."""
    world.campaign.rules = {
        **world.campaign.rules,
        "ranking_min_sample": 1,
        "unsatisfied_reopens": False,
    }
    world.campaign.save()
    s, _problem = _converted_and_closed(world)  # county A: closed, and the citizen is unhappy
    intake.rate_suggestion(s, rating=1, comment="没修好")
    houma = record(world, by=world.handler_b1, org=world.dept_b1, title="侯马已整改")
    close(world, houma, handler=world.handler_b1, approver=world.leader_b)
    rows = {r["org"]: r for r in ranking.ranking(world.campaign, world.city)}
    a, b = rows[world.county_a.code], rows[world.county_b.code]
    assert a["components"]["satisfaction_rate"] == 0.0 and "satisfaction_rate" in b["insufficient"]
    assert b["filled"] == {"satisfaction_rate": 0.0}  # counted at its peers' median
    # Neither rewarded nor punished for not being measured: (0.3·100 + 0.2·100 + 0.15·0) / 0.65.
    assert a["score"] == b["score"] == 76.9
    # With fewer ratings than the campaign asks for, nobody's 满意率 counts.
    world.campaign.rules = {**world.campaign.rules, "ranking_min_sample": 5}
    world.campaign.save()
    rows = {r["org"]: r for r in ranking.ranking(world.campaign, world.city)}
    a, b = rows[world.county_a.code], rows[world.county_b.code]
    assert "satisfaction_rate" in a["insufficient"] and a["filled"] == {} and a["score"] == 100.0


def test_a_unit_without_problems_is_listed_but_not_ranked(world):
    close(world, record(world))
    rows = ranking.ranking(world.campaign, world.city)
    assert [(r["org"], r["rank"]) for r in rows] == [(world.county_a.code, 1),
                                                      (world.county_b.code, None)]  # fmt: skip


def test_snapshots_reproduce_a_past_day_exactly(world, capsys):
    close(world, record(world))
    today = dt.date.today()
    snapshots.take_snapshots(world.campaign, today)
    assert Snapshot.objects.filter(day=today).count() == 3  # the city and its two counties
    call_command("stats", "--json", "--campaign", world.campaign.slug)
    live = json.loads(capsys.readouterr().out)
    record(world, title="快照之后的问题")  # the ledger moves on …
    slug, day = world.campaign.slug, str(today)
    call_command("stats", "--json", "--campaign", slug, "--as-of", day, "--frozen")
    frozen = json.loads(capsys.readouterr().out)
    assert frozen["problems_total"] == live["problems_total"]  # … the frozen figure does not
    assert frozen["supervision"] == live["supervision"]
    # Recomputed from the history: the day so far, and the snapshot checked against it.
    call_command("stats", "--json", "--campaign", slug, "--as-of", day)
    recomputed = json.loads(capsys.readouterr().out)
    assert recomputed["source"] == "history"
    assert recomputed["problems_total"] == live["problems_total"] + 1
    assert recomputed["snapshot"]["agrees"] and recomputed["snapshot"]["day"] == day
    with pytest.raises(CommandError, match=r"自 .* 开始,2020-01-01 时还没有台账"):
        call_command("stats", "--campaign", slug, "--as-of", "2020-01-01")
    with pytest.raises(CommandError, match=r"没有 .* 的数字快照"):
        call_command("stats", "--campaign", slug, "--frozen",
                     "--as-of", str(today - dt.timedelta(days=1)))  # fmt: skip
    # A frozen figure edited behind the application's back no longer matches its history.
    held = Snapshot.objects.get(campaign=world.campaign, org=world.city, day=today)
    Snapshot.objects.filter(pk=held.pk).update(
        figures={**held.figures, "problems_rectified": held.figures["problems_rectified"] + 5}
    )
    with pytest.raises(CommandError, match=r"与 .* 冻结的数字不一致:problems_rectified"):
        call_command("stats", "--campaign", slug, "--as-of", day)
    assert "由办理记录重算;与当日冻结的数字不一致" in capsys.readouterr().out


def test_the_daily_command_is_idempotent(world, capsys):
    p = record(world)
    from taizhang.ledger.models import Problem

    Problem.objects.filter(pk=p.pk).update(deadline=dt.date.today() - dt.timedelta(days=30))
    call_command("supervise", "run", "--campaign", world.campaign.slug)
    first = capsys.readouterr().out
    assert "催办 1" in first and "督办 1" in first
    call_command("supervise", "run", "--campaign", world.campaign.slug)
    assert "催办 0" in capsys.readouterr().out
    assert Notice.objects.count() == 2
    with pytest.raises(CommandError, match="晚于今天"):
        call_command("supervise", "run", "--as-of", "2099-01-01",
                     "--campaign", world.campaign.slug)  # fmt: skip


def test_a_daily_run_with_nothing_to_do_says_so(world, capsys):
    before = (world.campaign.starts_on - dt.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="没有进行中的活动"):
        call_command("supervise", "run", "--as-of", before)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    call_command("supervise", "run", "--as-of", yesterday.isoformat(),
                 "--campaign", world.campaign.slug)  # fmt: skip
    out = capsys.readouterr().out
    assert "冻结数字 0 个单位" in out and "过去的日子不补冻结" in out


def test_frozen_days_rates_become_percentages_once(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("taizhang.evaluation.migrations.0002_snapshot_rates_in_percent")
    old = {
        "rectification_rate": 92.4,
        "score": 0.7312,
        "supervision": {"satisfaction_rate": 0.9382},
        "hotline": {"hotline_response_rate": 0.5},
        "study": {"attendance_rate": 0.75},
    }
    snap = Snapshot.objects.create(
        campaign=world.campaign, org=world.city, day=dt.date.today(), figures=old,
        taken_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    migration.to_percent(apps, None)
    migration.to_percent(apps, None)  # a second run changes nothing
    snap.refresh_from_db()
    f = snap.figures
    assert f["rectification_rate"] == 92.4 and f["score"] == 73.1
    assert f["supervision"]["satisfaction_rate"] == 93.8
    assert f["hotline"]["hotline_response_rate"] == 50.0 and f["study"]["attendance_rate"] == 75.0
    migration.to_fraction(apps, None)
    snap.refresh_from_db()
    assert snap.figures["supervision"]["satisfaction_rate"] == 0.938
