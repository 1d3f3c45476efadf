"""Which process runs a background job, so that a job whose process died can be told apart
from one still running on another machine."""

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections
from django.dispatch import Signal

log = logging.getLogger(__name__)

# Sent by `taizhang worker` as it starts, before it takes any task: each app that runs jobs
# marks those left running by a dead process as failed.
worker_starting = Signal()


def this_runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def is_dead(runner: str) -> bool:
    """True for a runner on this machine whose process is gone, or for a job that names no
    runner (it was started before runners were recorded); never for another machine's."""
    if not runner:
        return True
    host, _sep, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class Clock:
    """Work the task worker does on its own every `every` seconds (apps register theirs in
    their AppConfig.ready: the daily run's queueing, triage's batches)."""

    name: str
    every: float
    tick: Callable[[], object]


CLOCKS: dict[str, Clock] = {}


def register_clock(name: str, every: float, tick: Callable[[], object]) -> None:
    CLOCKS[name] = Clock(name, every, tick)


def run_clock(clock: Clock) -> None:
    """Forever: tick, then wait. A bad moment (the database restarting, say) is logged and
    does not stop the clock."""
    while True:
        try:
            clock.tick()
        except Exception:
            log.exception("clock %s failed", clock.name)
        finally:
            close_old_connections()
        time.sleep(clock.every)
