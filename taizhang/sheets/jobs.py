"""Imports of large files in the background: progress, cancel, and nothing left behind.

A job runs the same importers as the page and the command, inside one transaction; cancelling
(or any failure) rolls it back whole. Its progress and a request to cancel it travel through
two small files beside the uploads, not the database: what the job writes to the database is
seen by others only when its transaction ends (and SQLite lets nobody else write until then),
and while its rows stream to PostgreSQL its connection can carry nothing else.
"""

import datetime as dt
import json
import logging
import os
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from taizhang.core import runner
from taizhang.sheets.directory_import import import_orgs, import_users
from taizhang.sheets.errors import HeaderNotFound, ImportRefused
from taizhang.sheets.mapping import mapping_choices
from taizhang.sheets.member_import import import_members
from taizhang.sheets.models import ImportJob, ImportKind, JobStatus
from taizhang.sheets.problem_import import Defaults, headers_for, import_problems
from taizhang.sheets.reading import as_uploaded
from taizhang.sheets.suggestion_import import import_suggestions

log = logging.getLogger(__name__)
SHOWN_ERRORS = 200


class Cancelled(Exception):
    pass


def folder(name: str) -> Path:
    path = Path(settings.VAR_DIR) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def start(job: ImportJob) -> ImportJob:
    """Queue a job (once its row is committed: a worker must find it)."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED, cancel_requested=False, done=0, total=0, stage=""
    )
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


def cancel(job: ImportJob) -> None:
    """A queued job is cancelled at once; a running one at its next progress report, which
    rolls back what it wrote. A running job is not written to (on SQLite that would wait for
    the import to end)."""
    if job.status == JobStatus.QUEUED and ImportJob.objects.filter(
        pk=job.pk, status=JobStatus.QUEUED
    ).update(status=JobStatus.CANCELLED, cancel_requested=True, finished_at=timezone.now()):
        return
    if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):  # it may have started meanwhile
        _cancel_file(job.pk).touch()


def live(job: ImportJob) -> ImportJob:
    """The job with the progress its worker last reported, if it is running."""
    if job.status == JobStatus.RUNNING and runner.is_dead(job.runner) and recover_orphans():
        job.refresh_from_db()
    if job.status == JobStatus.RUNNING:
        _with_report(job)
    return job


def _with_report(job: ImportJob) -> None:
    """The progress the job's worker last reported, onto the job."""
    try:
        reported = json.loads(_progress_file(job.pk).read_text(encoding="utf-8"))
        job.stage, job.done, job.total = reported["stage"], reported["done"], reported["total"]
    except (OSError, ValueError, KeyError):
        pass  # not reported yet


def _progress_file(job_id: int) -> Path:
    return folder("import-progress") / f"{job_id}.json"


def _cancel_file(job_id: int) -> Path:
    return folder("import-progress") / f"{job_id}.cancel"


def _report(job_id: int, stage: str, done: int, total: int) -> None:
    path = _progress_file(job_id)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps({"stage": stage, "done": done, "total": total}), "utf-8")
    os.replace(partial, path)  # a reader sees the old report or the new one, never half


@task()
def run_import_job(job_id: int) -> None:
    execute(job_id)


def execute(job_id: int) -> None:
    if not ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, runner=runner.this_runner()
    ):
        return
    job = ImportJob.objects.select_related("campaign", "user").get(pk=job_id)
    path = folder("import-uploads") / job.stored_name

    def progress(stage: str, done: int, total: int) -> None:
        _report(job_id, stage, done, total)
        if _cancel_file(job_id).exists():
            raise Cancelled

    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            outcome = _run(job, path, progress)
            progress("保存", 1, 1)  # the last chance to cancel, before anything is committed
    except Cancelled:
        _finish(job_id, JobStatus.CANCELLED, {})
    except HeaderNotFound as exc:
        options = job.options or {}
        mapping = mapping_choices(
            path, headers_for(job.user), options.get("sheet", ""), options.get("header_row")
        )
        _finish(
            job_id,
            JobStatus.MAPPING,
            {"errors": [str(e) for e in exc.errors], "mapping": mapping},
            keep_file=True,
        )
        return
    except ImportRefused as exc:
        _finish(job_id, JobStatus.REFUSED, _errors([str(e) for e in exc.errors]))
    except ValidationError as exc:
        _finish(
            job_id,
            JobStatus.REFUSED,
            _errors(as_uploaded(exc.messages, job.stored_name, job.file_name)),
        )
    except Exception as exc:
        log.exception("import job %s failed", job_id)
        reason = _("导入出错(%(e)s),没有写入任何数据。可以重新导入再试。") % {
            "e": exc.__class__.__name__
        }
        _finish(job_id, JobStatus.FAILED, {"errors": [reason]})
        return  # the upload is kept for a retry; the cleanup removes it later
    else:
        failed = outcome.get("refused_rows") and not outcome.get("written")
        _finish(job_id, JobStatus.REFUSED if failed else JobStatus.DONE, outcome)
        return
    path.unlink(missing_ok=True)


def show_mapping(
    job: ImportJob, headers: dict[str, tuple[str, ...]], where: tuple[str, int | None] | None
) -> None:
    """Another sheet or header row of a job waiting for its mapping, as the user asked."""
    sheet, row = where or ("", None)
    mapping = mapping_choices(folder("import-uploads") / job.stored_name, headers, sheet, row)
    ImportJob.objects.filter(pk=job.pk).update(result={**job.result, "mapping": mapping})


def can_retry(job: ImportJob) -> bool:
    return job.status == JobStatus.FAILED and (folder("import-uploads") / job.stored_name).exists()


def recover_orphans(**_signal: Any) -> int:
    """Jobs left 导入中 by a process that died (killed, out of memory, the machine restarted)
    become failed, with the reason, and can be retried: their transaction died with them."""
    orphans = [
        job.pk
        for job in ImportJob.objects.filter(status=JobStatus.RUNNING).only("pk", "runner")
        if runner.is_dead(job.runner)
    ]
    reason = _("后台任务进程在导入时意外退出,没有写入任何数据。可以重新导入再试。")
    for job_id in orphans:
        log.warning("import job %s was left running by a dead process", job_id)
        _finish(job_id, JobStatus.FAILED, {"errors": [str(reason)]})
    return len(orphans)


def _errors(messages: list[str]) -> dict[str, Any]:
    return {"errors": messages[:SHOWN_ERRORS], "more_errors": max(0, len(messages) - SHOWN_ERRORS)}


def _finish(job_id: int, status: str, result: dict[str, Any], keep_file: bool = False) -> None:
    job = ImportJob.objects.get(pk=job_id)
    _with_report(job)
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        result=result,
        finished_at=timezone.now(),
        stage=job.stage,
        done=job.done,
        total=job.total,
        cancel_requested=status == JobStatus.CANCELLED,
    )
    _progress_file(job_id).unlink(missing_ok=True)
    _cancel_file(job_id).unlink(missing_ok=True)
    if not keep_file and status in (JobStatus.DONE, JobStatus.REFUSED):
        job = ImportJob.objects.get(pk=job_id)
        (folder("import-uploads") / job.stored_name).unlink(missing_ok=True)


def _run(job: ImportJob, path: Path, progress: Any) -> dict[str, Any]:
    dry_run = job.mode == "check"
    if job.kind == ImportKind.PROBLEMS:
        token = uuid.uuid4().hex
        error_file = folder("import-errors") / f"{token}.xlsx"
        result = import_problems(
            path,
            campaign=job.campaign,
            by=job.user,
            dry_run=dry_run,
            partial=job.mode == "partial",
            error_file=error_file,
            progress=progress,
            defaults=Defaults(**(job.options or {}).get("defaults", {})),
            file_name=job.file_name,
            sheet=(job.options or {}).get("sheet", ""),
            header_row=(job.options or {}).get("header_row"),
        )
        if result.error_file:
            ImportJob.objects.filter(pk=job.pk).update(error_token=token)
        refused = [str(e) for e in result.refused]
        return {
            "created": result.created,
            "updated": result.updated,
            "closed_before_import": result.closed_before_import,
            "skipped": [str(e) for e in result.skipped[:SHOWN_ERRORS]],
            "refused_rows": result.refused_rows,
            "written": result.written,
            **_errors(refused),
        }
    if job.kind == ImportKind.SUGGESTIONS:
        made = import_suggestions(path, campaign=job.campaign, by=job.user, dry_run=dry_run)
        return {"created": made.created, "updated": 0, "written": not dry_run}
    if job.kind == ImportKind.MEMBERS:
        done = import_members(path, by=job.user, dry_run=dry_run)
        return {"created": done.created, "updated": done.updated, "written": not dry_run}
    importer = import_orgs if job.kind == ImportKind.ORGS else import_users
    done = importer(path, by=job.user, dry_run=dry_run)
    return {
        "created": done.created,
        "updated": done.updated,
        "written": not dry_run,
    }


LEFTOVER_FOLDERS = ("import-uploads", "import-errors", "import-progress")


def remove_leftovers(*, now: dt.datetime, **_signal: Any) -> int:
    """Uploads kept for a header mapping or a retry, error workbooks and progress files older
    than UPLOAD_RETENTION_HOURS, and what crashed imports left (``.part`` files): deleted,
    except the files of jobs still queued or running."""
    cutoff = (now - dt.timedelta(hours=settings.UPLOAD_RETENTION_HOURS)).timestamp()
    busy = set(
        ImportJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).values_list(
            "stored_name", flat=True
        )
    )
    removed = 0
    for name in LEFTOVER_FOLDERS:
        for path in folder(name).iterdir():
            if path.is_file() and path.name not in busy and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
