"""The console script as an operator runs it: a real process on a real SQLite file."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError

from taizhang.core.management.commands.serve import require_free_port, worker_options
from taizhang.testing import free_port


def run(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "taizhang", *args],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )


def test_demo_then_stats_from_the_command_line(tmp_path):
    built = run(tmp_path, "demo", "--scale", "0.002", "--no-serve")
    assert built.returncode == 0, built.stderr
    assert "taizhang-demo" in built.stdout
    stats = run(tmp_path, "stats", "--json", "--campaign", "linfen-2021", "--org", "141002")
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    assert data["org"] == "141002" and data["problems_total"] > 0
    missing = run(tmp_path, "stats", "--json", "--campaign", "nope")
    assert missing.returncode != 0 and "找不到活动" in missing.stderr
    again = run(tmp_path, "demo", "--no-serve")
    assert again.returncode == 0 and "已存在" in again.stdout


def test_serve_on_postgresql_takes_one_request_at_a_time_per_process(monkeypatch):
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    assert worker_options(None, None, sqlite=False) == {
        "workers": 6,
        "threads": 1,
        "worker_class": "sync",
    }
    assert worker_options(None, None, sqlite=True) == {
        "workers": 2,
        "threads": 4,
        "worker_class": "gthread",
    }
    assert worker_options(3, 8, sqlite=False)["worker_class"] == "gthread"


def test_serve_answers_with_single_threaded_processes(tmp_path):
    """`taizhang serve --threads 1` (PostgreSQL's default) serves the app, static files
    included, and closes each connection after its answer so the next waits for any free
    process."""
    server, port = _serve(tmp_path, "--threads", "1", "--workers", "2", "--no-worker")
    try:
        page = _get_when_up(port, "/login/")
        assert page.status == 200 and "登录" in page.read().decode()
        assert page.getheader("Connection") == "close"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _env(tmp_path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TAIZHANG_VAR_DIR": str(tmp_path),
    }


def _serve(tmp_path, *options: str) -> tuple[subprocess.Popen[bytes], int]:
    """`taizhang serve` on a migrated SQLite file and a free port, as an operator starts it."""
    run(tmp_path, "migrate")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "taizhang", "serve", "--port", str(port), *options],
        env=_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return server, port


def _get_when_up(port: int, path: str) -> http.client.HTTPResponse:
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            return conn.getresponse()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _children(pid: int) -> set[int]:
    listed = subprocess.run(
        ["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return {int(line.split()[0]) for line in listed.splitlines() if "taizhang worker" in line}


def test_serve_restarts_its_task_worker_when_it_dies(tmp_path):
    server, port = _serve(tmp_path, "--threads", "1")
    try:
        _get_when_up(port, "/login/")
        [first] = _children(server.pid)
        os.kill(first, signal.SIGKILL)  # as the kernel's OOM killer or an abort in Rust would
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (_children(server.pid) - {first}):
            time.sleep(0.2)
        assert _children(server.pid) - {first}, "no new worker was started"
        assert _get_when_up(port, "/login/").status == 200
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_serve_refuses_a_body_declared_too_large_before_it_is_sent(tmp_path):
    server, port = _serve(tmp_path, "--threads", "1", "--workers", "1", "--no-worker")
    try:
        _get_when_up(port, "/login/")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.putrequest("POST", "/s/any/")
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(150 * 2**20))
        conn.endheaders()
        conn.send(b"--x\r\n")  # a few bytes of the 150 MB it announced
        started = time.monotonic()
        response = conn.getresponse()
        assert response.status == 413 and "上限" in response.read().decode()
        assert time.monotonic() - started < 5
        assert not list((tmp_path).glob("**/*.upload"))
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_a_worker_outlives_a_database_locked_past_its_busy_timeout(tmp_path):
    """An import's commit, a backup or a VACUUM can hold SQLite's write lock longer than the
    10 s a connection waits: the worker says so in its log and carries on."""
    import sqlite3

    run(tmp_path, "migrate")
    env = _env(tmp_path)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "taizhang", "worker"], env=env, cwd=tmp_path,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            time.sleep(3)
            holder = sqlite3.connect(tmp_path / "cli.sqlite3", isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            time.sleep(13)
            holder.execute("ROLLBACK")
            holder.close()
            time.sleep(2)
            assert worker.poll() is None, log.read_text(errors="replace")[-2000:]
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    assert "database is locked" in log.read_text(errors="replace")


def test_a_busy_port_is_said_in_words_before_anything_starts():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(CommandError, match=f"端口 {port} 已被占用"):
            require_free_port("127.0.0.1", port)
    require_free_port("127.0.0.1", port)  # free again
