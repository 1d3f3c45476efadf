"""Closure in stages (分级审核销号): the campaign lists the steps an application to close goes
through — 初审 by the unit's leader, 核查 by the inspection team for what it found, 销号 by the
level above, say — each for some sources and kinds, with its own working-day limit. A problem
counts as rectified only after its last step; whoever applied approves none of them."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import Kind, Problem, Source
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import DECIDE_ROLES, path_filter, scope_of

# Who approves a step: the rule as a sentence for the pages.
WHO = {
    "above": gettext_lazy("上级单位领导或活动办公室"),
    "unit_leader": gettext_lazy("本单位或上级的领导"),
    "inspector": gettext_lazy("督导组"),
    "office": gettext_lazy("活动办公室"),
}


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    who: str
    days: int
    sources: tuple[str, ...] = ()  # empty: every source
    kinds: tuple[str, ...] = ()  # empty: every kind

    def applies(self, source: str, kind: str) -> bool:
        return (not self.sources or source in self.sources) and (
            not self.kinds or kind in self.kinds
        )

    @property
    def who_label(self) -> Any:
        return WHO[self.who]


def campaign_stages(campaign: Campaign) -> list[Stage]:
    """The campaign's `closure_stages`, checked: a mistake in the setting is named, not run."""
    written = campaign.rule("closure_stages")
    if not isinstance(written, list):
        raise ValidationError(_("活动规则 closure_stages 应为列表。"))
    stages: list[Stage] = []
    for n, item in enumerate(written, start=1):
        where = _("活动规则 closure_stages 第 %(n)s 项") % {"n": n}
        if not isinstance(item, dict):
            raise ValidationError(_("%(w)s应为对象。") % {"w": where})
        key, who = str(item.get("key", "")).strip(), str(item.get("who", "above"))
        if not key or any(s.key == key for s in stages):
            raise ValidationError(_("%(w)s:key 不能为空或重复。") % {"w": where})
        if who not in WHO:
            raise ValidationError(
                _("%(w)s:who 应为 %(c)s 之一。") % {"w": where, "c": "、".join(WHO)}
            )
        sources, kinds = tuple(item.get("sources") or ()), tuple(item.get("kinds") or ())
        wrong = [s for s in sources if s not in Source.values] + [
            k for k in kinds if k not in Kind.values
        ]
        if wrong:
            raise ValidationError(
                _("%(w)s:无效的来源或整改类型 %(x)s。") % {"w": where, "x": "、".join(wrong)}
            )
        try:
            days = int(item.get("days", 5))
        except (TypeError, ValueError):
            raise ValidationError(_("%(w)s:days 应为工作日数。") % {"w": where}) from None
        stages.append(
            Stage(key[:20], str(item.get("name") or key), who, max(days, 1), sources, kinds)
        )
    return stages


def stages_for(problem: Problem) -> list[Stage]:
    """The steps this problem's application goes through (at least one: the last step of the
    campaign's list, whatever it is meant for, if none applies)."""
    stages = campaign_stages(problem.campaign)
    found = [s for s in stages if s.applies(problem.source, problem.kind)]
    return found or stages[-1:]


def current_stage(problem: Problem) -> Stage:
    """The step a pending problem waits at: the one it was sent to, else (applied before the
    campaign kept steps, or sent to one the campaign has since dropped) its first."""
    named = {s.key: s for s in campaign_stages(problem.campaign)}
    return named.get(problem.closure_stage) or stages_for(problem)[0]


def next_stage(problem: Problem, stage: Stage) -> Stage | None:
    """The next step, in the campaign's order, that is meant for this problem."""
    stages = campaign_stages(problem.campaign)
    keys = [s.key for s in stages]
    later = stages[keys.index(stage.key) + 1 :] if stage.key in keys else []
    return next((s for s in later if s.applies(problem.source, problem.kind)), None)


def holds_stage(user: object, problem: Problem, stage: Stage) -> bool:
    """Whether the user is who the step names (the applicant's exclusion aside)."""
    scope = scope_of(user)
    if stage.who == "unit_leader":
        return scope.reaches(problem.org_path, (Role.LEADER,))
    if stage.who == "inspector":
        return scope.reaches(problem.org_path, (Role.INSPECTOR,))
    if stage.who == "office":
        return scope.reaches(problem.campaign.org.path, (Role.OFFICE,))
    return scope.reaches_from_above(problem.org_path, DECIDE_ROLES)


def may_decide_stage(user: object, problem: Problem) -> bool:
    """Approve or return the step a pending problem waits at: who the step names, never the
    person who applied."""
    if problem.applied_by_id is not None and problem.applied_by_id == getattr(user, "pk", None):
        return False
    return holds_stage(user, problem, current_stage(problem))


# Q() is no condition under & but vanishes under |: these stand for "every row" and "none".
EVERY = ~Q(pk__in=[])
NONE = Q(pk__in=[])


def _applies_q(stage: Stage) -> Q:
    query = EVERY
    if stage.sources:
        query &= Q(source__in=stage.sources)
    if stage.kinds:
        query &= Q(kind__in=stage.kinds)
    return query


def waits_at_q(campaign: Campaign) -> dict[str, Q]:
    """For each step, the pending problems that wait at it (⇔ current_stage), as queries."""
    stages = campaign_stages(campaign)
    if len(stages) == 1:
        return {stages[0].key: EVERY}  # every pending problem waits at the only step
    applies = [_applies_q(s) for s in stages]
    none_apply = EVERY
    for a in applies:
        none_apply &= ~a
    unnamed = ~Q(closure_stage__in=[s.key for s in stages])
    waits = {}
    for i, stage in enumerate(stages):
        first = applies[i]
        for a in applies[:i]:
            first &= ~a
        if i == len(stages) - 1:
            first |= none_apply
        waits[stage.key] = Q(closure_stage=stage.key) | (unnamed & first)
    return waits


def stage_q(user: object, campaign: Campaign, above: Q) -> Q:
    """Pending problems waiting at a step this user holds (⇔ holds_stage), for 我的待办;
    `above` is the level-above rule as a query (ledger.permissions.decidable_q)."""
    scope = scope_of(user)
    waits = waits_at_q(campaign)
    query = NONE
    for stage in campaign_stages(campaign):
        if stage.who == "unit_leader":
            holds = path_filter("org_path", scope.paths((Role.LEADER,)))
        elif stage.who == "inspector":
            holds = path_filter("org_path", scope.paths((Role.INSPECTOR,)))
        elif stage.who == "office":
            holds = EVERY if scope.reaches(campaign.org.path, (Role.OFFICE,)) else NONE
        else:
            holds = above
        query |= waits[stage.key] & holds
    return query
