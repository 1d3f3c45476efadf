"""`taizhang serve`: the production server (gunicorn), with static files served by the app."""

import logging
import multiprocessing
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

log = logging.getLogger(__name__)


def run_server(
    host: str, port: int, workers: int | None = None, threads: int | None = None
) -> None:
    from gunicorn.app.base import BaseApplication

    from taizhang.wsgi import application

    options = {
        "bind": f"{host}:{port}",
        **worker_options(workers, threads, sqlite=_on_sqlite()),
        "accesslog": None,
        # A single-threaded process says nothing to gunicorn while it answers, and gunicorn
        # restarts one silent this long: room for the longest answer, a whole ledger exported
        # in one request (26 s for the article's 270 000 rows, so minutes for ten times that).
        "timeout": 900,
    }

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()


def _on_sqlite() -> bool:
    return bool(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"))


def worker_options(workers: int | None, threads: int | None, *, sqlite: bool) -> dict[str, Any]:
    """How many processes serve requests, and how.

    On PostgreSQL: single-threaded processes, three per core, each taking a connection only
    when it is free. Every request then waits its turn in one queue (the kernel's), so under a
    burst all clients are served alike. Threaded processes keep each client's connection
    open for its next request, and the clients one process happened to accept wait behind
    one another however idle the others are (docs/benchmarks.md: p99 337 ms against 202 ms
    for the same burst). On SQLite, which writes one at a time anyway, two processes of four
    threads. `--threads N` asks for threaded processes on either.
    """
    if threads is None:
        threads = 4 if sqlite else 1
    default_workers = 2 if sqlite else 3 * multiprocessing.cpu_count()
    return {
        "workers": workers or default_workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
    }


class Command(BaseCommand):
    help = "启动生产服务器 (Start the production web server)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="threads per process (default: 1 on PostgreSQL, 4 on SQLite)",
        )

        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a background-task worker (run `taizhang worker` elsewhere)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"taizhang: http://{options['host']}:{options['port']}/")
        serve(
            options["host"],
            options["port"],
            options["workers"],
            options["threads"],
            with_worker=not options["no_worker"],
        )


def serve(
    host: str,
    port: int,
    workers: int | None = None,
    threads: int | None = None,
    with_worker: bool = True,
) -> None:
    """The web server and, unless told not to, one background-task worker beside it."""
    require_free_port(host, port)
    worker = WorkerSupervisor() if with_worker else None
    if worker is not None:
        worker.start()
        # The worker indexes new suggestions and writes search entries in batches; requests
        # need not (see settings).
        settings.TRIAGE_ON_ARRIVAL = "deferred"
        settings.SEARCH_ON_WRITE = "deferred"
    try:
        run_server(host, port, workers, threads)
    finally:
        if worker is not None:
            worker.stop()


def require_free_port(host: str, port: int) -> None:
    """Say in words when another program has the port, before the server's own log does."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(
                f"端口 {port} 已被占用或不可用({exc.strerror}):请关闭占用它的程序,"
                f"或换一个端口:taizhang serve --port 8001(示范:make demo PORT=8001)。"
                f" (Port {port} on {host} is not free: choose another with --port.)"
            ) from exc


# Background work yields the cores to people's requests when both want them (a burst of
# submissions is indexed a little later instead of making every submission slower).
WORKER_NICENESS = 10


def start_worker() -> subprocess.Popen[bytes]:
    """One process that runs queued background tasks (clustering, training, large imports)."""
    command = [sys.executable, "-m", "taizhang", "worker", "--nice", str(WORKER_NICENESS)]
    return subprocess.Popen(command)


class WorkerSupervisor:
    """Keeps one task worker running beside the web server: a worker that dies (killed, out of
    memory, a crash in a library) is started again, at once the first time and then after a
    pause that doubles up to a minute while it keeps dying young. The new worker marks the
    jobs its predecessor left running as failed."""

    HEALTHY_AFTER = 60.0
    MAX_PAUSE = 60.0
    POLL = 0.5

    def __init__(self, start: Callable[[], subprocess.Popen[bytes]] = start_worker) -> None:
        self._start = start
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        with self._lock:
            if not self._stopping.is_set():
                self.process = self._start()

    def _watch(self) -> None:
        pause = 0.0
        while not self._stopping.is_set():
            process = self.process
            if process is None:
                return
            started = time.monotonic()
            # Polled, not waited for: a thread blocked in waitpid() keeps gunicorn's arbiter
            # from reaping its own workers at shutdown, which then takes its whole grace time.
            while (code := process.poll()) is None:
                if self._stopping.wait(self.POLL):
                    return
            pause = 0.0 if time.monotonic() - started > self.HEALTHY_AFTER else pause
            log.error("the task worker (pid %s) exited with %s; restarting it", process.pid, code)
            if self._stopping.wait(pause):
                return
            pause = min(self.MAX_PAUSE, max(1.0, pause * 2))
            self.restarts += 1
            self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self._thread.join(timeout=5)
