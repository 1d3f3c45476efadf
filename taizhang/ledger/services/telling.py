"""Who is told when a step hands work to someone (the inbox, a mail where there is an
address). The lines are written in the step's transaction; mail goes out after it commits."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from taizhang.ledger.models import Problem
from taizhang.ledger.stages import Stage
from taizhang.notifications.services import notify
from taizhang.orgs.models import Org, Role
from taizhang.orgs.scoping import holders


def unit_staff(problem: Problem) -> list[Any]:
    """The lead unit's handlers, else its administrators."""
    return org_staff(problem.org)


def org_staff(org: Org) -> list[Any]:
    """A unit's handlers, else its administrators."""
    code = org.code
    held = holders([code], (Role.HANDLER, Role.ADMIN))
    return held.get((code, Role.HANDLER)) or held.get((code, Role.ADMIN), [])


def tell(users: list[Any], problem: Problem, what: str, body: str = "", *, by: Any = None) -> int:
    """One line each: what happened to which problem, with a link to it (not to the one who
    took the step)."""
    told = [u for u in users if u is not None and getattr(u, "pk", None) != getattr(by, "pk", None)]
    flag = _("【重大紧急】") if problem.urgent else ""
    subject = f"{flag}{what}:{problem.number} {problem.title[:40]}"
    link = reverse("problem_detail", args=[problem.pk])
    return notify(told, subject, body, link, urgent=problem.urgent)


def stage_holders(problem: Problem, stage: Stage) -> list[Any]:
    """Who is told that a step of 销号审核 waits for them: those who hold it at the nearest
    level that has any (the county's leader, not every leader up to the city)."""
    own = problem.org.code
    above = [c for c in reversed(problem.org.ancestor_codes()) if c != own]
    roles: tuple[str, ...]
    if stage.who == "office":
        levels, roles = [problem.campaign.org.code], (Role.OFFICE,)
    elif stage.who == "unit_leader":
        levels, roles = [own, *above], (Role.LEADER,)
    elif stage.who == "inspector":
        levels, roles = [own, *above], (Role.INSPECTOR,)
    else:
        levels, roles = above or [own], (Role.LEADER, Role.OFFICE)
    held = holders(levels, roles)
    for code in levels:
        found = [u for role in roles for u in held.get((code, role), [])]
        if found:
            return found
    return []
