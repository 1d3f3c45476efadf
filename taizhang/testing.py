"""Helpers for tests: make ledger rows through the real services."""

import io
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest

from taizhang.ledger import services
from taizhang.ledger.models import Kind, Problem

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

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
