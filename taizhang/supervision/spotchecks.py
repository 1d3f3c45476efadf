"""Spot checks (抽查): a reproducible random sample of a unit's closed problems, checked one by
one; a failed check reopens the problem and counts against the unit."""

import math
import random
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.ledger.evidence_files import Upload, check_and_store, discard
from taizhang.ledger.models import EventAction, Evidence, Problem, Status
from taizhang.ledger.services.base import log
from taizhang.ledger.services.closure import reopen_problem
from taizhang.orgs.models import Org, Role
from taizhang.orgs.scoping import scope_of
from taizhang.supervision.models import CheckResult, SpotCheck, SpotCheckItem

CHECK_ROLES = (Role.OFFICE, Role.INSPECTOR)


def can_check(user: object, org: Org) -> bool:
    return scope_of(user).reaches(org.path, CHECK_ROLES)


@transaction.atomic
def draw(
    campaign: Campaign,
    org: Org,
    *,
    by: Any,
    percent: int | None = None,
    count: int | None = None,
    focus_area: FocusArea | None = None,
    seed: int | None = None,
) -> SpotCheck:
    """Draw, per focus area, `count` closed problems or `percent` of them (at least one)."""
    if not can_check(by, org):
        raise PermissionDenied(_("您无权抽查“%(o)s”。") % {"o": org.name})
    if (percent is None) == (count is None):
        raise ValidationError(_("请填写抽查比例或抽查数量(二选一)。"))
    if percent is not None and not 1 <= percent <= 100:
        raise ValidationError(_("抽查比例应在 1 到 100 之间。"))
    if count is not None and count < 1:
        raise ValidationError(_("抽查数量至少为 1。"))
    closed = Problem.objects.filter(
        campaign=campaign, status=Status.CLOSED, org_path__under=org.path
    )
    if focus_area is not None:
        closed = closed.filter(focus_area=focus_area)
    by_area: dict[int, list[int]] = defaultdict(list)
    for pk, area in closed.order_by("pk").values_list("pk", "focus_area_id"):
        by_area[area].append(pk)
    population = sum(len(v) for v in by_area.values())
    if not population:
        raise ValidationError(_("“%(o)s”没有已销号的问题可供抽查。") % {"o": org.name})
    seed = seed if seed is not None else random.SystemRandom().randrange(2**62)
    rng = random.Random(seed)
    chosen: list[int] = []
    for area in sorted(by_area):
        ids = by_area[area]
        k = count if count is not None else math.ceil(len(ids) * (percent or 0) / 100)
        chosen += rng.sample(ids, min(k, len(ids)))
    last = SpotCheck.objects.filter(campaign=campaign, org=org).aggregate(r=Max("round"))["r"]
    check = SpotCheck.objects.create(
        campaign=campaign,
        org=org,
        round=(last or 0) + 1,
        focus_area=focus_area,
        percent=percent,
        count=count,
        seed=seed,
        population=population,
        drawn_by=by,
        drawn_at=timezone.now(),
    )
    paths = dict(Problem.objects.filter(pk__in=chosen).values_list("pk", "org_path"))
    SpotCheckItem.objects.bulk_create(
        SpotCheckItem(spot_check=check, problem_id=pk, org_path=paths[pk]) for pk in sorted(chosen)
    )
    return check


@transaction.atomic
def record(
    item: SpotCheckItem,
    *,
    by: Any,
    passed: bool,
    reason: str = "",
    evidence: tuple[Upload, str] | None = None,
) -> SpotCheckItem:
    item = (
        SpotCheckItem.objects.select_for_update()
        .select_related("spot_check", "problem")
        .get(pk=item.pk)
    )
    if not can_check(by, item.problem.org):
        raise PermissionDenied(_("您无权记录这次抽查。"))
    if item.result != CheckResult.PENDING:
        raise ValidationError(_("这个问题在本轮抽查中已有结果,不能重复记录。"))
    reason = (reason or "").strip()
    if not passed and not reason:
        raise ValidationError(_("抽查不通过时请填写理由。"))
    problem = item.problem
    if not passed and problem.status == Status.CLOSED:
        problem = reopen_problem(
            problem, by=by, version=problem.version, reason=_("抽查不通过:%(r)s") % {"r": reason}
        )
    if evidence is not None:
        item.evidence = _store_evidence(problem, by, *evidence)
    item.result = CheckResult.PASSED if passed else CheckResult.FAILED
    item.reason = reason
    item.checked_by = by
    item.checked_at = timezone.now()
    item.save()
    return item


def _store_evidence(problem: Problem, by: Any, upload: Upload, name: str) -> Evidence:
    """The inspector's photo or document of what was found on the spot, kept with the problem."""
    checked = check_and_store(upload, name, int(problem.campaign.rule("evidence_max_mb")))
    try:
        evidence = Evidence.objects.create(
            problem=problem,
            stored_name=checked.stored_name,
            original_name=name[:200],
            file_type=checked.file_type,
            size=checked.size,
            sha256=checked.sha256,
            note=_("抽查佐证"),
            uploaded_by=by,
        )
        log(problem, by, EventAction.EVIDENCE, reason=name, data={"evidence": evidence.pk})
    except Exception:
        discard(checked.stored_name)
        raise
    return evidence
