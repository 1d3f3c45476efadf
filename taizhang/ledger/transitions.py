"""The lifecycle steps by name, for the callers that take them as data (pages, the API)."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from taizhang.ledger import services
from taizhang.ledger.models import Part, Problem
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Org
from taizhang.orgs.naming import unit_names

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


def _part(problem: Problem, written: str) -> Part:
    """A co-operating unit's part of the problem, by the unit's code or name."""
    org = _org(written, problem.campaign.org)
    part = problem.parts.filter(org=org).select_related("org", "problem").first()
    if part is None:
        raise ValidationError(_("“%(o)s”不是这个问题的协办单位。") % {"o": org.name})
    return part


def _units(written: Any, under: Org) -> list[Org]:
    """Units as a list (the API) or written in one text with 、 between them."""
    names = written if isinstance(written, list) else unit_names(str(written or ""))
    return [_org(str(n), under) for n in names if str(n).strip()]


STEPS: dict[str, Step] = {
    "sign": lambda p, u, d: services.sign_problem(p, by=u, version=d["version"]),
    "decline": lambda p, u, d: services.decline_problem(
        p,
        by=u,
        version=d["version"],
        reason=d.get("reason", ""),
        category=d.get("category") or "other",
        upload=d.get("file"),
        file_name=getattr(d.get("file"), "name", ""),
    ),
    "contact": lambda p, u, d: services.contact_citizen(
        p, by=u, way=d.get("way") or "", note=d.get("note") or d.get("reason", "")
    ),
    "forward": lambda p, u, d: services.forward_problem(
        p,
        by=u,
        version=d["version"],
        org=_org(d.get("org_code", ""), p.org),
        reason=d.get("reason", ""),
    ),
    "review_decline": lambda p, u, d: services.review_decline(
        p,
        by=u,
        version=d["version"],
        accept=str(d.get("accept", "")).lower() in ("1", "true", "yes"),
        note=d.get("reason", ""),
        org=_org(d["org_code"], p.campaign.org) if d.get("org_code") else None,
        deadline=d.get("deadline"),
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
    "cooperate": lambda p, u, d: services.set_cooperating(
        p,
        by=u,
        version=d["version"],
        orgs=_units(d.get("units"), p.campaign.org),
        reason=d.get("reason", ""),
    ),
    "part_sign": lambda p, u, d: services.sign_part(_part(p, d.get("part_org", "")), by=u),
    "part_report": lambda p, u, d: services.report_part(
        _part(p, d.get("part_org", "")),
        by=u,
        percent=d.get("percent") or 0,
        text=d.get("reason", ""),
    ),
    "part_finish": lambda p, u, d: services.finish_part(
        _part(p, d.get("part_org", "")), by=u, note=d.get("reason", "")
    ),
    "part_waive": lambda p, u, d: services.waive_part(
        _part(p, d.get("part_org", "")), by=u, reason=d.get("reason", "")
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
