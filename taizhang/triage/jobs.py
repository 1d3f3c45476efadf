"""Background triage work with progress and cancellation: clustering, hot topics, training.

A run's results are written in one transaction at its end, so a cancelled or crashed run
leaves nothing behind but its own row saying so.
"""

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from taizhang.campaigns.models import Campaign
from taizhang.core import runner
from taizhang.core.text import mask_personal_data
from taizhang.intake import permissions
from taizhang.intake.models import Suggestion, SuggestionStatus
from taizhang.triage import dedup, services
from taizhang.triage.models import Cluster, Run, RunKind, RunStatus, Target
from taizhang.triage.topics import Message, group_messages, hot_topics

log = logging.getLogger(__name__)
TOPIC_WINDOW = 20_000  # hot topics look at the most recent suggestions
TOP_TOPICS = 50


class Cancelled(Exception):
    pass


def start_run(campaign: Campaign, kind: str, *, by: Any, target: str = "") -> Run:
    if by is not None and not permissions.can_triage(by, campaign):
        raise PermissionDenied(_("只有活动办公室可以运行分诊任务。"))
    if kind not in RunKind.values:
        raise ValidationError(_("不支持的任务类型:%(k)s") % {"k": kind})
    if kind == RunKind.TRAIN and target not in Target.values:
        raise ValidationError(_("请选择要训练的模型:聚焦领域或责任单位。"))
    if Run.objects.filter(
        campaign=campaign, kind=kind, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).exists():
        raise ValidationError(_("同类任务正在运行,请等待其完成或先取消。"))
    run = Run.objects.create(
        campaign=campaign, kind=kind, target=target, requested_by=by, requested_at=timezone.now()
    )
    transaction.on_commit(lambda: run_job.enqueue(run.pk))
    return run


def cancel_run(run: Run, *, by: Any) -> None:
    if not permissions.can_triage(by, run.campaign):
        raise PermissionDenied(_("只有活动办公室可以取消分诊任务。"))
    Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.CANCELLED, finished_at=timezone.now(), cancel_requested=True
    )
    Run.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(cancel_requested=True)


@task()
def run_job(run_id: int) -> None:
    execute(run_id)


def execute(run_id: int, progress_hook: Callable[[int, int], None] | None = None) -> None:
    claimed = Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, runner=runner.this_runner()
    )
    if not claimed:  # cancelled while queued, or already taken by another worker
        return
    run = Run.objects.select_related("campaign").get(pk=run_id)

    def progress(done: int, total: int) -> None:
        Run.objects.filter(pk=run_id).update(done=done, total=total)
        if progress_hook:
            progress_hook(done, total)
        if Run.objects.filter(pk=run_id, cancel_requested=True).exists():
            raise Cancelled

    try:
        message = _JOBS[RunKind(run.kind)](run, progress)
    except Cancelled:
        _finish(run_id, RunStatus.CANCELLED, _("已取消,未保存任何结果。"))
    except ValidationError as exc:
        _finish(run_id, RunStatus.FAILED, " ".join(exc.messages))
    except Exception as exc:
        log.exception("triage run %s failed", run_id)
        _finish(run_id, RunStatus.FAILED, _("运行出错:%(e)s") % {"e": exc.__class__.__name__})
    else:
        _finish(run_id, RunStatus.DONE, message)


def recover_orphans(**_signal: Any) -> int:
    """Runs left 运行中 by a process that died become failed, with the reason."""
    orphans = [
        run.pk
        for run in Run.objects.filter(status=RunStatus.RUNNING).only("pk", "runner")
        if runner.is_dead(run.runner)
    ]
    for run_id in orphans:
        log.warning("triage run %s was left running by a dead process", run_id)
        _finish(run_id, RunStatus.FAILED, _("后台任务进程意外退出,未保存任何结果,可以重新运行。"))
    return len(orphans)


def _finish(run_id: int, status: str, message: str) -> None:
    Run.objects.filter(pk=run_id).update(status=status, message=message, finished_at=timezone.now())


def _suggestions(campaign: Campaign, limit: int | None = None) -> list[Suggestion]:
    rows = (
        Suggestion.objects.filter(campaign=campaign)
        .exclude(status=SuggestionStatus.INVALID)
        .only("pk", "title", "text", "phone_hash", "votes", "submitted_at", "campaign_id")
        .order_by("-submitted_at", "-pk")
    )
    return list(rows[:limit] if limit else rows)


def _messages(suggestions: list[Suggestion]) -> list[Message]:
    return [
        Message(
            id=str(s.pk),
            title=s.title,
            text=mask_personal_data(s.text),
            user=s.phone_hash,
            likes=s.votes,
            at=s.submitted_at,
        )
        for s in suggestions
    ]


def _topics(run: Run, progress: Any) -> str:
    suggestions = _suggestions(run.campaign, TOPIC_WINDOW)
    messages = _messages(suggestions)
    groups = group_messages(messages, progress=progress)
    topics = hot_topics(messages, top=TOP_TOPICS, now=timezone.now(), groups=groups)
    with transaction.atomic():
        for t in topics:
            _store_cluster(
                run,
                t.rank,
                t.title,
                [suggestions[i] for i in t.members],
                t.users,
                t.likes,
                t.score,
                t.first,
                t.last,
            )
        Run.objects.filter(pk=run.pk).update(size=len(suggestions))
    return _("%(n)d 条意见建议,%(t)d 个热点话题。") % {"n": len(suggestions), "t": len(topics)}


def _duplicates(run: Run, progress: Any) -> str:
    suggestions = _suggestions(run.campaign)
    texts = [services.matching_text(s) for s in suggestions]
    found = dedup.find_duplicates(texts, progress=progress)
    with transaction.atomic():
        for rank, members in enumerate(found.clusters, start=1):
            group = sorted((suggestions[i] for i in members), key=lambda s: (s.submitted_at, s.pk))
            people = {s.phone_hash or f"#{s.pk}" for s in group}
            _store_cluster(
                run,
                rank,
                group[0].title,
                group,
                len(people),
                sum(s.votes for s in group),
                float(len(people)),
                group[0].submitted_at,
                group[-1].submitted_at,
            )
        Run.objects.filter(pk=run.pk).update(size=len(suggestions))
    return _("%(n)d 条意见建议,%(c)d 组重复。") % {"n": len(suggestions), "c": len(found.clusters)}


def _store_cluster(
    run: Run,
    rank: int,
    title: str,
    members: list[Suggestion],
    citizens: int,
    votes: int,
    score: float,
    first: dt.datetime | None,
    last: dt.datetime | None,
) -> None:
    cluster = Cluster.objects.create(
        run=run,
        rank=rank,
        title=title[:200],
        representative=next((s for s in members if s.title == title), members[0]),
        size=len(members),
        citizens=citizens,
        votes=votes,
        score=score,
        first_at=first,
        last_at=last,
    )
    cluster.suggestions.add(*members)


def _train(run: Run, progress: Any) -> str:
    model = services.train(run.campaign, run.target, by=run.requested_by, progress=progress)
    return _("模型 v%(v)d:%(n)d 条样本,交叉验证 macro-F1 %(f).3f。") % {
        "v": model.version,
        "n": model.train_size,
        "f": model.metrics["macro_f1"],
    }


_JOBS = {RunKind.TOPICS: _topics, RunKind.DUPLICATES: _duplicates, RunKind.TRAIN: _train}
