"""Backup → wipe → restore on a fresh machine: the same figures, rows and evidence files, and
refusals that say what is in the way."""

import datetime as dt
import io
import json
import os
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from taizhang.backup.archive import table_counts
from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.ledger import services
from taizhang.reports import snapshots
from taizhang.testing import PDF, close, record

ROOT = Path(__file__).resolve().parents[3]


def _ledger(world) -> None:
    done = record(world, title="路灯不亮")
    close(world, done)
    open_one = record(world, title="道路破损")
    services.add_evidence(open_one, by=world.handler_a1, upload=io.BytesIO(PDF + b"2"),
                          original_name="现场照片.pdf")  # fmt: skip
    snapshots.take_snapshots(world.campaign, dt.date.today())
    intake.submit_suggestion(world.campaign, channel=Channel.HOTLINE, title="噪音", text="夜间施工",
                             phone="13800000001", name="张三", rate_limited=False)  # fmt: skip


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def fresh_machine(tmp_path):
    """The environment of a second machine: its own database, var folder and evidence folder."""
    env = {**os.environ, "TAIZHANG_VAR_DIR": str(tmp_path / "var2"),
           "TAIZHANG_EVIDENCE_ROOT": str(tmp_path / "evidence2"),
           "DJANGO_SETTINGS_MODULE": "taizhang.settings"}  # fmt: skip
    env.pop("TAIZHANG_SECRET_KEY", None)
    env.pop("TAIZHANG_DATA_KEY", None)
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env
        return
    name = f"taizhang_restore_{os.getpid()}"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True)
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    yield env
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name}"], check=True)


def _taizhang(env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "taizhang", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_the_same_figures_rows_and_files(world, tmp_path, fresh_machine):
    _ledger(world)
    out = StringIO()
    call_command("stats", "--json", "--campaign", world.campaign.slug, stdout=out)
    figures = json.loads(out.getvalue())
    rows, files = table_counts(), _files(Path(settings.EVIDENCE_ROOT))
    assert files  # the evidence is part of what must come back
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "--out", str(archive), stdout=StringIO())
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert {"manifest.json", "secret_key"} <= names and manifest["tables"] == rows
    assert any(n.startswith("evidence/") for n in names)
    # The fresh machine: nothing there yet but an empty, migrated database (as after install).
    migrated = _taizhang(fresh_machine, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    restored = _taizhang(fresh_machine, "restore", str(archive))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "行数与备份一致" in restored.stdout
    again = _taizhang(fresh_machine, "stats", "--json", "--campaign", world.campaign.slug)
    assert json.loads(again.stdout) == figures
    assert _taizhang(fresh_machine, "verify").returncode == 0
    assert _files(Path(fresh_machine["TAIZHANG_EVIDENCE_ROOT"])) == files
    var = Path(fresh_machine["TAIZHANG_VAR_DIR"])
    assert (var / "secret_key").read_text().strip() == settings.SECRET_KEY
    assert (var / "data_key").read_text().strip() == settings.DATA_KEY
    # Names and numbers, encrypted at rest, read back with the restored data key.
    shell = _taizhang(fresh_machine, "shell", "-c", "from taizhang.intake.models import "
                      "Suggestion; print(Suggestion.objects.get().phone)")  # fmt: skip
    assert shell.stdout.strip().splitlines()[-1] == "13800000001", shell.stderr
    # Restoring twice would write over the first: refused, nothing touched.
    twice = _taizhang(fresh_machine, "restore", str(archive))
    assert twice.returncode != 0 and "不覆盖" in twice.stderr


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_backup_or_a_database_in_use(world, tmp_path):
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="不是 taizhang 备份文件"):
        call_command("restore", str(bogus), stdout=StringIO())
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), stdout=StringIO())
    with pytest.raises(CommandError, match="文件已存在"):
        call_command("backup", "--out", str(bogus), stdout=StringIO())
