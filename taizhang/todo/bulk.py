"""批量办理: one step taken on many problems. Each row goes through the same service and
permission check as the step taken by hand, in a transaction of its own with its own history
event; the result names every row as done, refused (with the reason) or conflicting (changed
since it was picked) — never silently partial."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from taizhang.campaigns.models import Campaign
from taizhang.ledger.errors import ConflictError
from taizhang.ledger.models import ExtensionRequest, ExtensionStatus, Problem
from taizhang.ledger.permissions import visible_problems
from taizhang.ledger.services import decide_extension
from taizhang.ledger.transitions import take_step
from taizhang.supervision.models import NoticeKind
from taizhang.supervision.services import issue_notice, issue_notices, telling_at_the_end
from taizhang.todo.models import BulkJob, BulkStatus

# Larger selections are run by the worker, with progress on the result page.
BACKGROUND_ROWS = 500
# Rows read at a time (and progress reported after each), and rows per commit: a commit per
# row would cost PostgreSQL a WAL flush each (10 000 urges: 55 s instead of 15).
CHUNK = 250
COMMIT_EVERY = 50
# At most this many rows in one action (a county's whole ledger fits; the city's does not).
MAX_ROWS = 20_000
DONE, REFUSED, CONFLICT = "done", "refused", "conflict"


def _urge(problem: Problem, user: Any, data: dict[str, Any]) -> Any:
    return issue_notice(problem, by=user, kind=NoticeKind.URGE, text=data.get("reason", ""))


def _urge_many(problems: list[Problem], user: Any, data: dict[str, Any]) -> dict[int, Exception]:
    return issue_notices(problems, by=user, kind=NoticeKind.URGE, text=data.get("reason", ""))


def _extension(approve: bool) -> Callable[[Problem, Any, dict[str, Any]], Any]:
    def decide(problem: Problem, user: Any, data: dict[str, Any]) -> Any:
        asked = ExtensionRequest.objects.filter(
            problem=problem, status=ExtensionStatus.REQUESTED
        ).first()
        if asked is None:
            raise ValidationError(_("这个问题没有待审批的延期申请。"))
        return decide_extension(asked, by=user, version=data["version"], approve=approve,
                                note=data.get("reason", ""))  # fmt: skip

    return decide


@dataclass(frozen=True)
class BulkAction:
    label: Any
    run: Callable[[Problem, Any, dict[str, Any]], Any]
    needs: str = ""  # "reason", "org": what the form must give every row
    # The same step on many rows at once, with the same checks: {id: why refused}.
    many: Callable[[list[Problem], Any, dict[str, Any]], dict[int, Exception]] | None = None


ACTIONS: dict[str, BulkAction] = {
    "assign": BulkAction(gettext_lazy("交办"), lambda p, u, d: take_step("assign", p, u, d), "org"),
    "forward": BulkAction(gettext_lazy("转派下级单位"),
                          lambda p, u, d: take_step("forward", p, u, d), "org"),
    "reassign": BulkAction(gettext_lazy("同意退单并改派"),
                           lambda p, u, d: take_step("review_decline", p, u, {**d, "accept": "1"}),
                           "org"),
    "approve": BulkAction(gettext_lazy("审核通过"), lambda p, u, d: take_step("approve", p, u, d)),
    "return": BulkAction(gettext_lazy("审核退回"), lambda p, u, d: take_step("return", p, u, d),
                         "reason"),
    "urge": BulkAction(gettext_lazy("催办"), _urge, "reason", _urge_many),
    "extension_approve": BulkAction(gettext_lazy("批准延期"), _extension(True)),
    "extension_reject": BulkAction(gettext_lazy("不批准延期"), _extension(False), "reason"),
    "void": BulkAction(gettext_lazy("作废"), lambda p, u, d: take_step("void", p, u, d), "reason"),
}  # fmt: skip


def check_request(action: str, params: dict[str, Any], rows: Sequence[Any]) -> None:
    """What is wrong with the request as a whole (before any row is touched)."""
    if action not in ACTIONS:
        raise ValidationError(_("不支持的批量操作:%(a)s") % {"a": action})
    if not rows:
        raise ValidationError(_("请先勾选要办理的问题。"))
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("一次最多办理 %(m)d 条,现有 %(n)d 条:请缩小筛选范围。")
            % {"m": MAX_ROWS, "n": len(rows)}
        )
    needs = ACTIONS[action].needs
    if needs == "reason" and not str(params.get("reason", "")).strip():
        raise ValidationError(_("请填写%(a)s的理由或内容。") % {"a": ACTIONS[action].label})
    if needs == "org" and not str(params.get("org_code", "")).strip():
        raise ValidationError(_("请填写交办的责任单位。"))


def start(
    campaign: Campaign, user: Any, action: str, rows: Sequence[tuple[int, int | None]],
    params: dict[str, Any],
) -> BulkJob:  # fmt: skip
    """Record the action and run it: at once for a page's worth, in the worker beyond that."""
    check_request(action, params, rows)
    job = BulkJob.objects.create(campaign=campaign, user=user, action=action, params=params,
                                 rows=[list(r) for r in rows])  # fmt: skip
    if len(rows) > BACKGROUND_ROWS:
        transaction.on_commit(lambda: run_bulk_job.enqueue(job.pk))
    else:
        execute(job.pk)
        job.refresh_from_db()
    return job


@task()
def run_bulk_job(job_id: int) -> None:
    execute(job_id)


def execute(job_id: int) -> None:
    if not BulkJob.objects.filter(pk=job_id, status=BulkStatus.QUEUED).update(
        status=BulkStatus.RUNNING
    ):
        return
    job = BulkJob.objects.select_related("campaign", "user").get(pk=job_id)
    step = ACTIONS[job.action]
    visible = visible_problems(job.user, job.campaign)
    results: list[dict[str, Any]] = []
    status = BulkStatus.FAILED
    try:
        with telling_at_the_end(job.campaign):
            for start in range(0, len(job.rows), CHUNK):
                chunk = job.rows[start : start + CHUNK]
                found = visible.select_related("campaign__org", "org").in_bulk(
                    [pk for pk, _version in chunk]
                )
                for at in range(0, len(chunk), COMMIT_EVERY):
                    # Each row's step is a savepoint of its own inside: a refused row rolls
                    # back alone, and what the others did commits together.
                    group = chunk[at : at + COMMIT_EVERY]
                    with transaction.atomic():
                        if step.many is not None:
                            results.extend(_many(step, found, group, job))
                        else:
                            results.extend(_one(step, found.get(pk), pk, version, job)
                                           for pk, version in group)  # fmt: skip
                BulkJob.objects.filter(pk=job_id).update(done=len(results))
        status = BulkStatus.DONE
    finally:
        # Also when a row broke the run (the database gone): what was done stays listed.
        BulkJob.objects.filter(pk=job_id).update(
            status=status, results=results, done=len(results), finished_at=timezone.now()
        )


def _one(
    step: BulkAction, problem: Problem | None, pk: int, version: int | None, job: BulkJob
) -> dict[str, Any]:
    if problem is None:
        return {"id": pk, "number": "", "outcome": REFUSED, "message": _("看不到这个问题。")}
    row = {"id": pk, "number": problem.number, "title": problem.title[:60]}
    if version is not None and problem.version != version:
        return {**row, "outcome": CONFLICT, "message": _("勾选后已被他人办理,请刷新后重试。")}
    try:
        # Every service is atomic: the row's state, tallies and history stand or fall together.
        step.run(problem, job.user, {**job.params, "version": problem.version})
    except ConflictError:
        return {**row, "outcome": CONFLICT, "message": _("办理时已被他人修改,请刷新后重试。")}
    except (ValidationError, PermissionDenied) as exc:
        return {**row, "outcome": REFUSED, "message": _why(exc)}
    return {**row, "outcome": DONE, "message": ""}


def _why(exc: Exception) -> str:
    return "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _many(
    step: BulkAction, found: dict[int, Problem], group: list[Any], job: BulkJob
) -> list[dict[str, Any]]:
    """A group of rows through the step's batch form: one check of each, one write."""
    results: dict[int, dict[str, Any]] = {}
    ready = []
    for pk, version in group:
        problem = found.get(pk)
        if problem is None or (version is not None and problem.version != version):
            results[pk] = _one(step, problem, pk, version, job)  # says why, touches nothing
        else:
            ready.append(problem)
    assert step.many is not None
    refused = step.many(ready, job.user, job.params) if ready else {}
    for problem in ready:
        row = {"id": problem.pk, "number": problem.number, "title": problem.title[:60]}
        exc = refused.get(problem.pk)
        results[problem.pk] = {**row, "outcome": REFUSED if exc else DONE,
                               "message": _why(exc) if exc else ""}  # fmt: skip
    return [results[pk] for pk, _version in group]


def tally(job: BulkJob) -> dict[str, int]:
    counts = {DONE: 0, REFUSED: 0, CONFLICT: 0}
    for r in job.results:
        counts[r["outcome"]] += 1
    return counts
