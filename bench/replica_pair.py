"""A PostgreSQL primary and its streaming replica on this machine, holding a copy of a demo
database: what bench/load.py --replica measures against.

    .venv/bin/python bench/replica_pair.py start --source postgres://postgres@127.0.0.1:5432/taizhang_search
    .venv/bin/python bench/replica_pair.py stop

`start` makes a cluster of its own (initdb, port 5441), restores the source database into it
(pg_dump | pg_restore, as `taizhang_load`), takes `pg_basebackup -R` of it to port 5442 and
starts that as a streaming replica; it prints the two URLs. `stop` stops both and removes them.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

FOLDER = Path("/tmp/taizhang-bench-replica")
BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
PORTS = (5441, 5442)
DB = "taizhang_load"


def as_postgres(*command: str, **kwargs: object) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, **kwargs)  # type: ignore[call-overload]


def wait(port: int) -> None:
    for _ in range(600):
        ready = subprocess.run([f"{BIN}/pg_isready", "-h", "127.0.0.1", "-p", str(port)],
                               capture_output=True)  # fmt: skip
        if ready.returncode == 0:
            return
        time.sleep(0.1)
    raise TimeoutError(port)


def start(source: str) -> None:
    FOLDER.mkdir(mode=0o755)
    if os.geteuid() == 0:
        shutil.chown(FOLDER, "postgres")
    primary, replica = FOLDER / "primary", FOLDER / "replica"
    as_postgres(f"{BIN}/initdb", "-D", str(primary), "-A", "trust", "-U", "postgres",
                "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8", capture_output=True)  # fmt: skip
    with open(primary / "postgresql.conf", "a") as conf:
        conf.write(f"port = {PORTS[0]}\nlisten_addresses = '127.0.0.1'\n"
                   f"unix_socket_directories = '{FOLDER}'\nwal_level = replica\n"
                   "shared_buffers = 1GB\nmax_connections = 200\n")  # fmt: skip
    as_postgres(f"{BIN}/pg_ctl", "-D", str(primary), "-l", str(FOLDER / "primary.log"), "-w",
                "start", capture_output=True)  # fmt: skip
    wait(PORTS[0])
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["createdb", *pg, "-p", str(PORTS[0]), DB], check=True)
    dump = subprocess.Popen(["pg_dump", "-Fc", source], stdout=subprocess.PIPE)
    subprocess.run(["pg_restore", *pg, "-p", str(PORTS[0]), "-d", DB, "--no-owner"],
                   stdin=dump.stdout, check=True)  # fmt: skip
    dump.wait()
    subprocess.run(["psql", *pg, "-p", str(PORTS[0]), "-d", DB, "-c", "VACUUM ANALYZE"],
                   check=True, capture_output=True)  # fmt: skip
    as_postgres(f"{BIN}/pg_basebackup", "-h", "127.0.0.1", "-p", str(PORTS[0]), "-U",
                "postgres", "-D", str(replica), "-R", "-X", "stream")  # fmt: skip
    with open(replica / "postgresql.auto.conf", "a") as conf:
        conf.write(f"port = {PORTS[1]}\nhot_standby_feedback = on\n")
    as_postgres(f"{BIN}/pg_ctl", "-D", str(replica), "-l", str(FOLDER / "replica.log"), "-w",
                "start", capture_output=True)  # fmt: skip
    wait(PORTS[1])
    for port in PORTS:
        print(f"postgres://postgres@127.0.0.1:{port}/{DB}")


def stop() -> None:
    for data in (FOLDER / "replica", FOLDER / "primary"):
        if data.exists():
            as_postgres(f"{BIN}/pg_ctl", "-D", str(data), "-m", "fast", "stop",
                        capture_output=True)  # fmt: skip
    shutil.rmtree(FOLDER, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--source", default="postgres://postgres@127.0.0.1:5432/taizhang_search")
    args = parser.parse_args()
    start(args.source) if args.action == "start" else stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
