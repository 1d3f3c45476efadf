"""Which process runs a background job, so that a job whose process died can be told apart
from one still running on another machine."""

import os
import socket

from django.dispatch import Signal

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
