"""The console script as an operator runs it: a real process on a real SQLite file."""

import json
import os
import subprocess
import sys


def run(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TAIZHANG_VAR_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "taizhang", *args],
        env=env,
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
