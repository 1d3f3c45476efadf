"""`taizhang worker`: run queued background tasks (django-tasks' database worker)."""

import datetime as dt
import logging
import os
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections
from django.utils import timezone

from taizhang.core.runner import worker_starting

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "运行后台任务 (Run queued background tasks: clustering, training, large imports)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument(
            "--nice", type=int, default=0, help="lower this process's CPU priority by N (Unix)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        extra = ["--batch"] if options["batch"] else []
        if options["nice"] and hasattr(os, "nice"):
            os.nice(options["nice"])
        worker_starting.send(sender=self.__class__)
        if not options["batch"]:
            threading.Thread(target=_daily_clock, daemon=True).start()
            threading.Thread(target=_triage_clock, daemon=True).start()
        while True:
            try:
                call_command("db_worker", "--interval", "1", "--no-startup-delay", *extra)
                return
            except OperationalError:
                # A database locked past its busy timeout (an import's commit, a backup, a
                # VACUUM), or restarting: wait and go on; the task that was running is failed.
                log.exception("the task worker lost the database; retrying in 5 s")
                close_old_connections()
                time.sleep(5)


def _daily_clock() -> None:
    """Queue the daily supervision run once a day (after 01:00), and once at start-up.

    The run is idempotent, so a restart or a second worker queuing it again does no harm.
    """
    from taizhang.supervision.daily import daily_task

    queued: dt.date | None = None
    while True:
        now = timezone.localtime()
        if queued != now.date() and now.hour >= 1:
            try:
                daily_task.enqueue(now.date().isoformat())
                queued = now.date()
            except OperationalError:
                log.exception("could not queue the daily run; trying again in 5 minutes")
            finally:
                close_old_connections()
        time.sleep(300)


def _triage_clock() -> None:
    """Every two seconds, index and propose for the suggestions that arrived meanwhile (when
    intake defers that work here: settings.TRIAGE_ON_ARRIVAL = "deferred")."""
    from taizhang.triage.services import index_pending

    while True:
        try:
            while index_pending() == 2000:  # a burst: keep going until it is all done
                pass
        except Exception:  # a bad moment (database restarting, say) must not stop the clock
            log.exception("triage batch failed")
        finally:
            close_old_connections()
        time.sleep(2)
