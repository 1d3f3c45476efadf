"""Helpers for tests: make ledger rows through the real services."""

import io
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from taizhang.ledger import services
from taizhang.ledger.models import Kind, Problem

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Marks for a test that drives Debian's Chromium (CI always has it: make test installs it).
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (make test installs it)",
    ),
]


@contextmanager
def chromium_page(**context_options: Any) -> Iterator[Any]:
    """A page in headless Chromium; Playwright never downloads a browser of its own here."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser.new_context(**context_options).new_page()
        finally:
            browser.close()


def record(w: SimpleNamespace, by: Any = None, org: Any = None, **kwargs: Any) -> Problem:
    """A problem recorded by a unit for itself (so it starts rectifying)."""
    values = {
        "campaign": w.campaign,
        "by": by or w.handler_a1,
        "title": "审批环节多",
        "focus_area": w.area,
        "org": org or w.dept_a1,
        "kind": Kind.DEADLINE,
    }
    values.update(kwargs)
    return services.record_problem(**values)


def close(
    w: SimpleNamespace, problem: Problem, handler: Any = None, approver: Any = None
) -> Problem:
    """Take a rectifying problem through evidence, application and approval."""
    handler = handler or w.handler_a1
    services.add_evidence(problem, by=handler, upload=io.BytesIO(PDF), original_name="证明.pdf")
    services.apply_to_close(problem, by=handler, version=problem.version, note="已整改")
    return services.approve_closure(problem, by=approver or w.leader_a, version=problem.version)


# Real servers in processes of their own (Redis, PostgreSQL, the application under gunicorn).


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def run_taizhang(env: dict[str, str], *args: str) -> str:
    """`taizhang ARGS` in a process of its own with `env`; its output, or the test fails."""
    done = subprocess.run([sys.executable, "-m", "taizhang", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """The application under gunicorn (one worker) on 127.0.0.1:`port`, quiet."""
    command = [sys.executable, "-m", "gunicorn", "taizhang.wsgi:application", "--workers", "1",
               "--bind", f"127.0.0.1:{port}"]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def seed_campaign(env: dict[str, str], slug: str, name: str) -> None:
    """A city and a running campaign in the database `env` names (after `migrate`)."""
    run_taizhang(
        env,
        "shell",
        "-c",
        f"""
import datetime as dt
from taizhang.campaigns.services import create_campaign
from taizhang.orgs.services import create_org
city = create_org(code="141000", name="临汾市", kind="city")
today = dt.date.today()
create_campaign(slug={slug!r}, name={name!r}, org=city, focus_areas=["民生"],
                starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=10))
""",
    )
