"""One consistent archive of everything a city would need to start again (`taizhang backup`), and
bringing it back on a fresh machine (`taizhang restore`).

The archive (a .tar.gz) holds the database (SQLite: an online copy made with SQLite's backup
API; PostgreSQL: `pg_dump` of one snapshot), then the evidence files (written before the rows
that name them commit and never removed, so every file the database names is there), the
secret key (the keyed hashes of phone numbers and addresses depend on it) and a manifest: what
was saved, row counts per table, the history chains' heads and a summary of the settings.
Taken while the server runs; nothing is locked for writers beyond what SQLite's backup or
PostgreSQL's snapshot needs.
"""

import datetime as dt
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.ledger.models import ChainHead

FORMAT = "taizhang-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
SECRET_FILE = "secret_key"
DATA_KEY_FILE = "data_key"
EVIDENCE_DIR = "evidence"
# What the manifest says of the settings: enough to set the new machine up alike, no secrets.
SETTINGS_SHOWN = ("TIME_ZONE", "LANGUAGE_CODE", "TAIZHANG_HISTORY_HASH", "UPLOAD_RETENTION_HOURS",
                  "SMS_BACKEND", "ALLOWED_HOSTS")  # fmt: skip


@dataclass
class Restored:
    manifest: dict[str, Any]
    tables: dict[str, int]
    evidence_files: int
    secret_key_written: bool
    mismatched: dict[str, tuple[int, int]] = field(default_factory=dict)


def model_tables() -> list[str]:
    """The tables of the application's models (and Django's own)."""
    return sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)})


def table_counts(cursor: Any = None, existing: set[str] | None = None) -> dict[str, int]:
    """Rows in every model table: here, or through `cursor` (a copy being saved)."""
    if cursor is None:
        with connection.cursor() as own:
            return table_counts(own, set(connection.introspection.table_names()))
    counts = {}
    for table in model_tables():
        if existing is None or table in existing:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _evidence_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def backup(out: Path) -> dict[str, Any]:
    """Write the archive to `out` (0600); returns the manifest."""
    if out.exists():
        raise ValidationError(_("文件已存在,不覆盖:%(f)s") % {"f": out})
    if not out.parent.is_dir():
        raise ValidationError(_("目录不存在:%(d)s") % {"d": out.parent})
    vendor = connection.vendor
    with tempfile.TemporaryDirectory(prefix="taizhang-backup-") as folder:
        work = Path(folder)
        # The database first: every evidence file it names exists by then.
        database = work / (SQLITE_FILE if vendor == "sqlite" else POSTGRES_FILE)
        # The manifest describes what was saved, not the database a moment later: SQLite's
        # facts are read from the copy, PostgreSQL's in the snapshot pg_dump saves.
        facts = _dump_sqlite(database) if vendor == "sqlite" else _dump_postgres(database)
        manifest = _manifest(vendor, database.name, facts)
        evidence = _evidence_files(Path(settings.EVIDENCE_ROOT))
        size = sum(p.stat().st_size for p in evidence)
        manifest["evidence"] = {"files": len(evidence), "bytes": size}
        partial = out.with_name(out.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
                tar.add(database, arcname=database.name)
                _add_bytes(tar, SECRET_FILE, settings.SECRET_KEY)
                _add_bytes(tar, DATA_KEY_FILE, settings.DATA_KEY)
                root = Path(settings.EVIDENCE_ROOT)
                for path in evidence:
                    tar.add(path, arcname=f"{EVIDENCE_DIR}/{path.relative_to(root)}")
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _dump_sqlite(target: Path) -> dict[str, Any]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # one step: a consistent copy while others write
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return _facts(cursor, {row[0] for row in cursor.fetchall()})
    finally:
        copy.close()


def _postgres_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
            "-U", db.get("USER") or "postgres"]  # fmt: skip
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _dump_postgres(target: Path) -> dict[str, Any]:
    tool = shutil.which("pg_dump")
    if tool is None:
        raise ValidationError(_("备份 PostgreSQL 需要 pg_dump(Debian 软件包 postgresql-client)。"))
    args, env = _postgres_env()
    with transaction.atomic(), connection.cursor() as cursor:
        # One snapshot, exported to pg_dump, in which the manifest's facts are read too.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = _facts(cursor, set(connection.introspection.table_names(cursor)))
        done = subprocess.run(
            [tool, *args, "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             "-f", str(target), connection.settings_dict["NAME"]],
            env=env, capture_output=True, text=True, timeout=24 * 3600,
        )  # fmt: skip
    if done.returncode:
        raise ValidationError(_("pg_dump 失败:%(e)s") % {"e": done.stderr.strip()[:500]})
    return facts


def _facts(cursor: Any, existing: set[str]) -> dict[str, Any]:
    """Row counts, migrations and history-chain heads, read through `cursor` in plain SQL."""
    cursor.execute("SELECT app, name FROM django_migrations")
    migrations: dict[str, str] = {}
    for app, name in cursor.fetchall():
        migrations[app] = max(migrations.get(app, ""), name)
    cursor.execute(
        f"SELECT c.slug, h.seq, h.algorithm, h.digest FROM {ChainHead._meta.db_table} h "
        "JOIN campaigns_campaign c ON c.id = h.campaign_id"
    )
    chains = {slug: [seq, name, digest] for slug, seq, name, digest in cursor.fetchall()}
    return {
        "tables": table_counts(cursor, existing),
        "migrations": dict(sorted(migrations.items())),
        "chains": dict(sorted(chains.items())),
    }


def _manifest(vendor: str, database: str, facts: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "made_at": timezone.now().isoformat(),
        "host": socket.gethostname(),
        "vendor": vendor,
        "database": database,
        **facts,
        "settings": {name: getattr(settings, name, None) for name in SETTINGS_SHOWN},
    }


def _add_bytes(tar: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(dt.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def read_manifest(archive: Path) -> dict[str, Any]:
    if not archive.is_file():
        raise ValidationError(_("找不到备份文件:%(f)s") % {"f": archive})
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else {}
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as exc:
        raise ValidationError(
            _("%(f)s 不是 taizhang 备份文件(%(e)s)。") % {"f": archive.name, "e": exc}
        ) from None
    if manifest.get("format") != FORMAT:
        raise ValidationError(
            _("%(f)s 的格式为 %(v)s,本版本只能恢复 %(w)s。")
            % {"f": archive.name, "v": manifest.get("format"), "w": FORMAT}
        )
    return manifest


def restore(archive: Path) -> Restored:
    """Bring an archive back into this machine's empty database and evidence folder, with its
    secret key; refuses, before writing anything, to write over what is already there."""
    manifest = read_manifest(archive)
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise ValidationError(
            _("备份来自 %(a)s,这里配置的是 %(b)s:请按备份的数据库类型配置 DATABASE_URL。")
            % {"a": manifest["vendor"], "b": vendor}
        )
    evidence_root = Path(settings.EVIDENCE_ROOT)
    if _evidence_files(evidence_root):
        raise ValidationError(
            _("证明材料目录 %(d)s 不是空的,不覆盖:请换一个空目录(TAIZHANG_EVIDENCE_ROOT)。")
            % {"d": evidence_root}
        )
    tables = _require_empty_database()
    with tempfile.TemporaryDirectory(prefix="taizhang-restore-") as folder:
        work = Path(folder)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")
        key = (work / SECRET_FILE).read_text().strip()
        data_key = (work / DATA_KEY_FILE).read_text().strip()
        _check_secret(key, "TAIZHANG_SECRET_KEY")
        _check_secret(data_key, "TAIZHANG_DATA_KEY")
        _drop_everything(tables)  # a fresh install's empty, migrated tables
        database = work / manifest["database"]
        if vendor == "sqlite":
            _load_sqlite(database)
        else:
            _load_postgres(database)
        files = _move_evidence(work / EVIDENCE_DIR, evidence_root)
        written = _write_secret(key, "TAIZHANG_SECRET_KEY", "secret_key")
        _write_secret(data_key, "TAIZHANG_DATA_KEY", "data_key")
    counts = table_counts()
    mismatched = {t: (n, counts.get(t, 0)) for t, n in manifest["tables"].items()
                  if counts.get(t, 0) != n}  # fmt: skip
    return Restored(manifest, counts, files, written, mismatched)


def _require_empty_database() -> set[str]:
    """The tables here, provided none holds a user or a campaign."""
    tables = set(connection.introspection.table_names())
    held = {}
    with connection.cursor() as cursor:
        for table in ("auth_user", "campaigns_campaign"):
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                held[table] = int(cursor.fetchone()[0])
    if any(held.values()):
        raise ValidationError(
            _("这里的数据库已有数据(%(u)d 个用户、%(c)d 个活动),不覆盖:恢复须在空数据库上进行。")
            % {"u": held.get("auth_user", 0), "c": held.get("campaigns_campaign", 0)}
        )
    return tables


def _drop_everything(tables: set[str]) -> None:
    if not tables:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            return
        cursor.execute("PRAGMA foreign_keys = OFF")
        # A virtual table (the full-text index) first: it drops its own shadow tables, and
        # cannot be dropped once they are gone.
        cursor.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")
        virtual = [row[0] for row in cursor.fetchall()]
        for table in [*virtual, *sorted(tables - set(virtual))]:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")


def _load_sqlite(database: Path) -> None:
    """Copy the saved database into the configured one with SQLite's backup API (the file
    itself may be open, in WAL mode, by this process)."""
    connection.ensure_connection()
    source = sqlite3.connect(database)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _load_postgres(dump: Path) -> None:
    tool = shutil.which("pg_restore")
    if tool is None:
        raise ValidationError(
            _("恢复 PostgreSQL 需要 pg_restore(Debian 软件包 postgresql-client)。")
        )
    args, env = _postgres_env()
    done = subprocess.run(
        [tool, *args, "--no-owner", "--no-privileges", "--exit-on-error", "-d",
         connection.settings_dict["NAME"], str(dump)],
        env=env, capture_output=True, text=True, timeout=24 * 3600,
    )  # fmt: skip
    if done.returncode:
        raise ValidationError(_("pg_restore 失败:%(e)s") % {"e": done.stderr.strip()[:500]})


def _move_evidence(source: Path, root: Path) -> int:
    if not source.exists():
        return 0
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    moved = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        target = root / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.move(str(path), target)
        target.chmod(0o600)
        moved += 1
    return moved


def _check_secret(key: str, variable: str) -> None:
    """With the key set in the environment, it must be the saved one: phone searches and
    sessions depend on the secret key, reading names and numbers on the data key."""
    given = os.environ.get(variable)
    if given and given != key:
        raise ValidationError(
            _("%(v)s 与备份中的不同:请把它设为备份中的值(归档内的 %(f)s)后再恢复。")
            % {"v": variable, "f": variable.removeprefix("TAIZHANG_").lower()}
        )


def _write_secret(key: str, variable: str, name: str) -> bool:
    """The saved key replaces the one a fresh install made for itself (unless the key comes
    from the environment); returns whether it was written."""
    if os.environ.get(variable):
        return False
    path = Path(settings.VAR_DIR) / name
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return True
