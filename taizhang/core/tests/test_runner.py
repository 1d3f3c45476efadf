"""The task worker's supervisor, with real processes."""

import subprocess
import time

from taizhang.core.management.commands.serve import WorkerSupervisor


def test_a_worker_that_dies_is_started_again_and_stopped_with_the_server():
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen(["sleep", "60"]))
        return started[-1]

    supervisor = WorkerSupervisor(start)
    supervisor.start()
    started[0].kill()
    deadline = time.monotonic() + 10
    while len(started) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(started) == 2 and supervisor.restarts == 1
    supervisor.stop()
    assert all(p.poll() is not None for p in started)
    time.sleep(0.2)
    assert len(started) == 2  # stopping is not dying: nothing is started again
