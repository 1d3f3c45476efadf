"""Reads on a real PostgreSQL streaming replica that the test makes on this machine: a primary
cluster of its own (initdb), `pg_basebackup -R` of it to a second port, both started with
pg_ctl; the application runs as a gunicorn process against them. What a replica serves is told
apart by pausing its replay, so that it still holds the old rows."""

import glob
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from taizhang.testing import free_port, run_taizhang, seed_campaign, start_gunicorn, wait_for_port

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = [
    pytest.mark.skipif(not BIN, reason="PostgreSQL's server programs are not installed"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="run with the PostgreSQL suite",
    ),
]


def _as_postgres(*command: str) -> None:
    """PostgreSQL's programs refuse to run as root: run them as the postgres user then."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


def _sql(port: int, sql: str, db: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db, "-Atc", sql],
        check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return done.stdout.strip()


def _wait(port: int) -> None:
    for _ in range(300):
        if subprocess.run([f"{BIN[-1]}/pg_isready", "-h", "127.0.0.1", "-p", str(port)],
                          capture_output=True).returncode == 0:  # fmt: skip
            return
        time.sleep(0.1)
    raise TimeoutError(port)


@pytest.fixture(scope="module")
def cluster():
    """(primary port, replica port) of a fresh primary and its streaming replica."""
    # Not under pytest's own temporary folder: the postgres user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="taizhang-replica-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    primary, replica = folder / "primary", folder / "replica"
    ports = free_port(), free_port()
    bin_ = BIN[-1]
    _as_postgres(f"{bin_}/initdb", "-D", str(primary), "-A", "trust", "-U", "postgres",
                 "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8")  # fmt: skip
    settings = [
        f"port = {ports[0]}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{folder}'",
        "wal_level = replica",
        "fsync = off",
    ]
    with open(primary / "postgresql.conf", "a") as conf:
        conf.write("\n".join(settings) + "\n")
    _as_postgres(f"{bin_}/pg_ctl", "-D", str(primary), "-l", str(folder / "primary.log"), "-w",
                 "start")  # fmt: skip
    try:
        _wait(ports[0])
        _as_postgres(f"{bin_}/pg_basebackup", "-h", "127.0.0.1", "-p", str(ports[0]), "-U",
                     "postgres", "-D", str(replica), "-R", "-X", "stream")  # fmt: skip
        with open(replica / "postgresql.auto.conf", "a") as conf:
            conf.write(f"port = {ports[1]}\n")
        _as_postgres(f"{bin_}/pg_ctl", "-D", str(replica), "-l", str(folder / "replica.log"),
                     "-w", "start")  # fmt: skip
        _wait(ports[1])
        assert _sql(ports[1], "SELECT pg_is_in_recovery()") == "t"  # a streaming replica
        yield ports, replica
    finally:
        for data in (replica, primary):
            if data.exists():
                subprocess.run(
                    [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                     f"{bin_}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"],
                    capture_output=True,
                )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def _page(port: int, opener: urllib.request.OpenerDirector | None = None) -> str:
    opener = opener or urllib.request.build_opener()
    with opener.open(f"http://127.0.0.1:{port}/s/rep/", timeout=10) as response:
        return response.read().decode()


def test_reads_go_to_a_replica_unless_it_lags_is_down_or_the_reader_just_wrote(cluster, tmp_path):
    (primary, replica_port), replica_dir = cluster
    _sql(primary, "CREATE DATABASE rep")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "taizhang.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary}/rep",
        "TAIZHANG_VAR_DIR": str(tmp_path / "var"),
        "TAIZHANG_SECRET_KEY": "replica-test-key-" + "x" * 40,
    }
    run_taizhang(env, "migrate", "-v", "0")
    seed_campaign(env, "rep", "主库与从库一致")
    replica_url = f"postgres://postgres@127.0.0.1:{replica_port}/rep"
    servers, ports = [], {}
    for name, max_lag in (("patient", "3600"), ("strict", "1")):
        ports[name] = free_port()
        server_env = {**env, "DATABASE_REPLICA_URLS": replica_url,
                      "TAIZHANG_REPLICA_MAX_LAG": max_lag}  # fmt: skip
        servers.append(start_gunicorn(server_env, ports[name]))
    try:
        for port in ports.values():
            wait_for_port(port)
            assert "主库与从库一致" in _page(port)
        # The replica stops replaying; the primary renames the campaign behind the servers'
        # backs (nothing held in them is told): the replica still has the old name.
        _sql(replica_port, "SELECT pg_wal_replay_pause()", "rep")
        _sql(
            primary, "UPDATE campaigns_campaign SET name = '主库的新名称' WHERE slug = 'rep'", "rep"
        )
        time.sleep(6)  # past the 5 s each server holds a campaign, and past the lag of 1 s
        assert "主库与从库一致" in _page(ports["patient"])  # read from the replica
        assert "主库的新名称" in _page(ports["strict"])  # the replica lags: read from the primary
        # A browser that has just written reads from the primary (once the server's own hold
        # of the campaign, refreshed by the read above, has run out).
        time.sleep(5.5)
        pinned = urllib.request.build_opener()
        pinned.addheaders = [("Cookie", "tz_primary=1")]
        assert "主库的新名称" in _page(ports["patient"], pinned)
        # Replaying again, the replica catches up; then it goes down: the primary answers.
        _sql(replica_port, "SELECT pg_wal_replay_resume()", "rep")
        for _ in range(100):
            if _sql(replica_port, "SELECT name FROM campaigns_campaign", "rep") == "主库的新名称":
                break
            time.sleep(0.1)
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, f"{BIN[-1]}/pg_ctl", "-D", str(replica_dir), "-m", "fast",
                        "stop"], check=True, capture_output=True)  # fmt: skip
        time.sleep(2.5)  # a replica's state is looked at again after 2 s
        for port in ports.values():
            assert "主库的新名称" in _page(port)
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
