"""`taizhang worker`: run queued background tasks (django-tasks' database worker)."""

import logging
import os
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections

from taizhang.core.runner import CLOCKS, run_clock, worker_starting

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
            for clock in CLOCKS.values():
                threading.Thread(
                    target=run_clock, args=(clock,), name=clock.name, daemon=True
                ).start()
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
