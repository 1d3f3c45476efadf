"""The lifecycle steps by name, for the callers that take them as data (pages, the API)."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from taizhang.ledger import services
from taizhang.ledger.models import Problem
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Org

Step = Callable[[Problem, Any, dict[str, Any]], Any]


def _org(written: str, under: Org) -> Org:
    """The unit typed or picked: a code, a name, an alias or a short name."""
    return resolve_unit(written or "", under)


def _problem_in_campaign(problem: Problem, number: str) -> Problem:
    into = Problem.objects.filter(
        campaign=problem.campaign_id, number=(number or "").strip()
    ).first()
    if into is None:
        raise ValidationError(_("找不到编号为 %(n)s 的问题。") % {"n": number})
    return into


STEPS: dict[str, Step] = {
    "sign": lambda p, u, d: services.sign_problem(p, by=u, version=d["version"]),
    "decline": lambda p, u, d: services.decline_problem(
        p, by=u, version=d["version"], reason=d.get("reason", "")
    ),
    "apply": lambda p, u, d: services.apply_to_close(
        p, by=u, version=d["version"], note=d.get("reason", "")
    ),
    "approve": lambda p, u, d: services.approve_closure(
        p, by=u, version=d["version"], note=d.get("reason", "")
    ),
    "return": lambda p, u, d: services.return_closure(
        p, by=u, version=d["version"], reason=d.get("reason", "")
    ),
    "reopen": lambda p, u, d: services.reopen_problem(
        p, by=u, version=d["version"], reason=d.get("reason", "")
    ),
    "void": lambda p, u, d: services.void_problem(
        p, by=u, version=d["version"], reason=d.get("reason", "")
    ),
    "assign": lambda p, u, d: services.assign_problem(
        p,
        by=u,
        version=d["version"],
        org=_org(d.get("org_code", ""), p.campaign.org),
        deadline=d.get("deadline"),
    ),
    "merge": lambda p, u, d: services.merge_problem(
        p,
        into=_problem_in_campaign(p, d.get("into_number", "")),
        by=u,
        version=d["version"],
        reason=d.get("reason", ""),
    ),
}


def take_step(action: str, problem: Problem, user: Any, data: dict[str, Any]) -> Any:
    return STEPS[action](problem, user, data)
