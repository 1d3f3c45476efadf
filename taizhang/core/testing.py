"""Helpers for tests: make ledger rows through the real services."""

import io
from types import SimpleNamespace
from typing import Any

from taizhang.ledger import services
from taizhang.ledger.models import Kind, Problem

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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
