"""我的待办: what waits for this user, across the ledger, supervision, call-backs and imports,
oldest and most urgent first. Each list is what the pages would let the user act on: the
ledger's own rule (`available_actions`) decides, so the list and the buttons never disagree."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.access import handles_suggestions
from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import CallBack, CallStatus
from taizhang.intake import limits
from taizhang.intake.models import Suggestion, SuggestionStatus
from taizhang.ledger.deadlines import due_soon_cutoff
from taizhang.ledger.models import (
    EventAction,
    ExtensionRequest,
    ExtensionStatus,
    ImportedClosure,
    Problem,
    ProblemEvent,
    Status,
)
from taizhang.ledger.permissions import available_actions, is_unit_staff, visible_problems
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import scope_of
from taizhang.supervision.models import Notice, NoticeStatus
from taizhang.supervision.services import can_reply, visible_notices

# Candidates read per list: a list shows the first of them and counts them all.
SHOWN = 20
CANDIDATES = 2000


@dataclass
class Item:
    title: str
    url: str
    note: str = ""
    due: dt.date | None = None


@dataclass
class Section:
    key: str
    label: Any
    count: int = 0
    items: list[Item] = field(default_factory=list)
    more_url: str = ""


def todo_for(user: Any, campaign: Campaign, today: dt.date | None = None) -> list[Section]:
    """The user's lists with something in them, in the order the page shows them."""
    today = today or timezone.localdate()
    # carried_to: whether a problem went on to a later campaign, read with it (not per row).
    problems = visible_problems(user, campaign).select_related("org", "carried_to")
    sections = [
        _problems(user, "sign", _("待签收"), problems.filter(status=Status.ASSIGNED), "sign",
                  order=("created_at",)),
        _problems(user, "returned", _("销号被退回,待重新整改"), _returned(problems), "apply",
                  order=("deadline",)),
        _problems(user, "approve", _("待我审核销号"), problems.filter(status=Status.PENDING),
                  "approve", order=("created_at",)),
        _overdue(user, problems, campaign, today),
        _extensions(user, campaign, problems),
        _notices(user, campaign),
        _callbacks(user, campaign),
        _suggestions(user, campaign, today),
        _closures(user, campaign),
    ]  # fmt: skip
    return [s for s in sections if s.count]


def todo_count(user: Any, campaign: Campaign) -> int:
    return sum(s.count for s in todo_for(user, campaign))


def _problems(
    user: Any, key: str, label: Any, found: QuerySet[Problem], action: str, order: tuple[str, ...]
) -> Section:
    unit_step = action in ("sign", "apply")
    mine = [
        p
        for p in found.order_by(*order, "pk")[:CANDIDATES]
        if action in available_actions(user, p) and (not unit_step or is_unit_staff(user, p))
    ]
    return Section(
        key,
        label,
        len(mine),
        [
            Item(f"{p.number} {p.title}", reverse("problem_detail", args=[p.pk]), p.org.name,
                 p.deadline)
            for p in mine[:SHOWN]
        ],
    )  # fmt: skip


def _returned(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    """Rectifying problems whose last closure step was a return (审核退回)."""
    last = (
        ProblemEvent.objects.filter(
            problem=OuterRef("pk"),
            action__in=(EventAction.APPLY, EventAction.RETURN, EventAction.REOPEN),
        )
        .order_by("-at", "-pk")
        .values("action")[:1]
    )
    return (
        problems.filter(status=Status.RECTIFYING)
        .annotate(last_step=Subquery(last))
        .filter(last_step__in=(EventAction.RETURN, EventAction.REOPEN))
    )


def _overdue(user: Any, problems: QuerySet[Problem], campaign: Campaign, today: dt.date) -> Section:
    """Open problems due soon or overdue that this user works (the unit's own staff)."""
    cutoff = due_soon_cutoff(campaign, today)
    urgent = problems.filter(
        status__in=(Status.ASSIGNED, Status.RECTIFYING), deadline__lte=cutoff
    ).order_by("deadline", "pk")
    mine = [
        p
        for p in urgent[:CANDIDATES]
        if is_unit_staff(user, p) and available_actions(user, p) & {"progress", "sign"}
    ]
    items = [
        Item(
            f"{p.number} {p.title}",
            reverse("problem_detail", args=[p.pk]),
            str(_("已逾期")) if p.deadline and p.deadline < today else str(_("临期")),
            p.deadline,
        )
        for p in mine[:SHOWN]
    ]
    more = reverse("problem_list", args=[campaign.slug]) + "?deadline=overdue"
    return Section("urgent", _("临期和逾期的问题"), len(mine), items, more)


def _extensions(user: Any, campaign: Campaign, problems: QuerySet[Problem]) -> Section:
    asked = (
        ExtensionRequest.objects.filter(problem__in=problems, status=ExtensionStatus.REQUESTED)
        .select_related("problem", "problem__org", "problem__carried_to")
        .order_by("pk")[:CANDIDATES]
    )
    mine = [x for x in asked if "decide_extension" in available_actions(user, x.problem)]
    items = [
        Item(f"{x.problem.number} {x.problem.title}",
             reverse("problem_detail", args=[x.problem.pk]),
             str(_("申请延至 %(d)s") % {"d": x.requested_deadline}), x.requested_deadline)
        for x in mine[:SHOWN]
    ]  # fmt: skip
    return Section("extensions", _("待审批的延期申请"), len(mine), items)


def _notices(user: Any, campaign: Campaign) -> Section:
    scope = scope_of(user)
    if not scope.has_role(Role.HANDLER, Role.LEADER, Role.ADMIN):
        return Section("notices", _("督办待回复"))
    waiting = (
        visible_notices(user, campaign)
        .filter(status=NoticeStatus.OPEN)
        .select_related("problem")
        .order_by("reply_due", "pk")[:CANDIDATES]
    )
    mine: list[Notice] = [n for n in waiting if can_reply(user, n)]
    items = [
        Item(f"{n.get_kind_display()}:{n.problem.number} {n.problem.title}",
             reverse("notice_detail", args=[n.pk]),
             str(_("%(d)s 前回复") % {"d": n.reply_due}), n.reply_due)
        for n in mine[:SHOWN]
    ]  # fmt: skip
    return Section("notices", _("督办待回复"), len(mine), items)


def _callbacks(user: Any, campaign: Campaign) -> Section:
    if not handles_suggestions(user, campaign):
        return Section("callbacks", _("待回访"))
    pending = CallBack.objects.filter(campaign=campaign, status=CallStatus.PENDING)
    count = pending.count()
    more = reverse("callback_queue", args=[campaign.slug])
    return Section("callbacks", _("待回访"), count, [], more)


def _suggestions(user: Any, campaign: Campaign, today: dt.date) -> Section:
    if not scope_of(user).reaches(campaign.org.path, (Role.OFFICE,)):
        return Section("suggestions", _("意见建议待分办"))
    waiting = Suggestion.objects.filter(campaign=campaign, status=SuggestionStatus.RECEIVED)
    items = []
    for s in waiting.order_by("submitted_at", "pk")[:SHOWN]:
        clock = limits.clock_of(s, limits.ANSWER, today, campaign)
        when = (_("超时 %(n)d 个工作日") % {"n": clock.over} if clock.late
                else _("剩 %(n)d 个工作日") % {"n": clock.left})  # fmt: skip
        items.append(Item(s.title, reverse("suggestion_detail", args=[s.pk]),
                          f"{s.get_channel_display()} · {when}", clock.due))  # fmt: skip
    late = waiting.filter(limits.late(campaign, limits.ANSWER, today)).count()
    label: Any = _("意见建议待分办(先到先办)")
    if late:
        label = _("意见建议待分办(先到先办,%(n)d 条超时)") % {"n": late}
    more = reverse("suggestion_queue", args=[campaign.slug])
    return Section("suggestions", label, waiting.count(), items, more)


def _closures(user: Any, campaign: Campaign) -> Section:
    if not scope_of(user).reaches(campaign.org.path, (Role.OFFICE,)):
        return Section("closures", _("导入销号待确认"))
    waiting = ImportedClosure.objects.filter(campaign=campaign, confirmed_at__isnull=True)
    items = [
        Item(c.file_name, reverse("ledger_import", args=[campaign.slug]),
             str(_("%(n)d 个问题") % {"n": c.count}), c.imported_at.date())
        for c in waiting.order_by("imported_at")[:SHOWN]
    ]  # fmt: skip
    return Section("closures", _("导入销号待确认"), waiting.count(), items)
