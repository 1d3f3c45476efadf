"""我的待办: what waits for this user, across the ledger, supervision, call-backs and imports,
oldest and most urgent first. Each list is what the pages would let the user act on: the
ledger's rules, as queries (`ledger.permissions.*_q`), choose the rows, so a list counts them
in the database at any scale; tests hold the lists to `available_actions`, what the buttons
show."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
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
    OPEN_PART_STATES,
    Dispatch,
    EventAction,
    ExtensionRequest,
    ExtensionStatus,
    HopState,
    ImportedClosure,
    Part,
    Problem,
    ProblemEvent,
    Status,
)
from taizhang.ledger.permissions import (
    assignable_q,
    decidable_q,
    unit_staff_q,
)
from taizhang.ledger.stages import stage_q
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import scope_of
from taizhang.projects.models import ChangeStatus, Project, StageChange
from taizhang.projects.schedule import due_date, late_month, owed_month, unreported_q
from taizhang.projects.services import owing
from taizhang.supervision.models import NoticeStatus
from taizhang.supervision.services import REPLY_ROLES, visible_notices

# What a unit's staff work on: signed, or to sign (not while their 退单 awaits review).
WORKING = Q(status=Status.RECTIFYING) | Q(status=Status.ASSIGNED, declining=False)
# Rows shown per list; each list counts them all.
SHOWN = 20
# What a listed problem shows (a whole row each would cost more than the query).
ITEM_FIELDS = ("number", "title", "deadline", "org__name")


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


def todo_for(
    user: Any, campaign: Campaign, today: dt.date | None = None, *, shown: int = SHOWN
) -> list[Section]:
    """The user's lists with something in them, in the order the page shows them, each with
    its first `shown` rows (none for a count)."""
    today = today or timezone.localdate()
    # Only a campaign with a successor has problems carried on to it (spared the join if not).
    successor = Campaign.objects.filter(previous=campaign).exists()
    # Each list's rule picks rows within what the user sees (their own unit's, or a subtree
    # they decide for), so the wider visibility filter would only slow the queries down.
    problems = Problem.objects.filter(campaign=campaign).select_related("org")
    if successor:
        problems = problems.filter(carried_to__isnull=True)
    own, above = unit_staff_q(user), decidable_q(user, within=campaign.org.path)
    # The step of 销号审核 each pending problem waits at names who approves it.
    mine_to_approve = stage_q(user, campaign, above)
    sections = [
        _flagged(user, problems, own, mine_to_approve, shown),
        _listed("sign", _("待签收"), problems.filter(own, status=Status.ASSIGNED, declining=False),
                ("sign_by", "created_at"), shown, due="sign_by"),
        _declines(user, campaign, successor, shown),
        _parts(user, campaign, successor, shown),
        _contacts(problems.filter(own), today, shown),
        _listed("returned", _("销号被退回,待重新整改"), _returned(problems.filter(own)),
                ("deadline",), shown),
        _listed("approve", _("待我审核销号"),
                problems.filter(mine_to_approve, status=Status.PENDING).exclude(applied_by=user),
                ("deadline",), shown),  # the most urgent first (and read by its index)
        _overdue(problems.filter(own), campaign, today, shown),
        _extensions(user, campaign, successor, shown),
        _notices(user, campaign, shown),
        _callbacks(user, campaign),
        _suggestions(user, campaign, today, shown),
        _closures(user, campaign, shown),
        _project_reports(user, campaign, today, shown),
        _project_stages(user, campaign, shown),
    ]  # fmt: skip
    return [s for s in sections if s.count]


def todo_count(user: Any, campaign: Campaign) -> int:
    return sum(s.count for s in todo_for(user, campaign, shown=0))


def _item(p: Problem, note: str = "", due: str = "deadline") -> Item:
    return Item(f"{p.number} {p.title}", reverse("problem_detail", args=[p.pk]), note or p.org.name,
                getattr(p, due))  # fmt: skip


def _listed(
    key: str,
    label: Any,
    found: QuerySet[Problem],
    order: tuple[str, ...],
    shown: int,
    due: str = "deadline",
) -> Section:
    """The rules as queries (ledger.permissions) choose the rows: counted, and the first shown.
    `due`: the date an item counts down to (its deadline, or its 签收时限)."""
    first = found.order_by(*order, "pk").only(*ITEM_FIELDS, due)[:shown]
    return Section(key, label, found.count(), [_item(p, due=due) for p in first])


def _parts(user: Any, campaign: Campaign, successor: bool, shown: int) -> Section:
    """The co-operating parts the user's unit has to sign or finish, the earliest due first."""
    parts = Part.objects.filter(
        unit_staff_q(user),
        campaign=campaign,
        state__in=OPEN_PART_STATES,
        problem__status__in=(Status.ASSIGNED, Status.RECTIFYING),
    )
    if successor:
        parts = parts.filter(problem__carried_to__isnull=True)
    items = [
        Item(f"{x.problem.number} {x.problem.title}",
             reverse("problem_detail", args=[x.problem.pk]),
             f"{x.get_state_display()} · {_('主办')}:{x.problem.org.name}", x.deadline)
        for x in parts.select_related("problem", "problem__org")
        .order_by(F("deadline").asc(nulls_last=True), "pk")[:shown]
    ]  # fmt: skip
    return Section("parts", _("协办任务"), parts.count(), items)


def _declines(user: Any, campaign: Campaign, successor: bool, shown: int) -> Section:
    """退单 to review: the dispatcher's (assignable_q ⇔ can_assign_to), and 会商 for the
    campaign office; read from the few open hops."""
    review = Q(consult=False) & assignable_q(user, within=campaign.org.path)
    if scope_of(user).reaches(campaign.org.path, (Role.OFFICE,)):
        review |= Q(consult=True)
    hops = Dispatch.objects.filter(
        review,
        campaign=campaign,
        state=HopState.DECLINING,
        problem__status=Status.ASSIGNED,
    )
    if successor:
        hops = hops.filter(problem__carried_to__isnull=True)
    items = [
        Item(f"{h.problem.number} {h.problem.title}",
             reverse("problem_detail", args=[h.problem.pk]),
             f"{_('会商') if h.consult else h.org.name}:{h.get_decline_reason_display()}",
             h.sign_by)
        for h in hops.select_related("problem", "org").order_by("assigned_at", "pk")[:shown]
    ]  # fmt: skip
    return Section("declines", _("退单待审核"), hops.count(), items)


def _contacts(mine: QuerySet[Problem], today: dt.date, shown: int) -> Section:
    """联系群众 owed: citizens' problems the user's unit signed and has not yet recorded getting
    in touch about (⇔ `_owes_contact`), the nearest 联系时限 first."""
    hop = Dispatch.objects.filter(
        problem=OuterRef("pk"), org=OuterRef("org"), state=HopState.SIGNED
    ).order_by("-pk")
    raised = Suggestion.problems.through.objects.filter(problem_id=OuterRef("pk"))
    owed = (
        mine.filter(status__in=(Status.RECTIFYING, Status.PENDING))
        .annotate(
            hop=Subquery(hop.values("pk")[:1]),
            contacted=Subquery(hop.values("contacted_at")[:1]),
            contact_by=Subquery(hop.values("contact_by")[:1]),
        )
        .filter(Exists(raised), hop__isnull=False, contacted__isnull=True)
    )
    items = []
    for p in owed.order_by(F("contact_by").asc(nulls_last=True), "pk").only(*ITEM_FIELDS)[:shown]:
        late = p.contact_by is not None and p.contact_by < today  # type: ignore[attr-defined]
        items.append(_item(p, str(_("联系超时")) if late else p.org.name, due="contact_by"))
    return Section("contacts", _("待联系群众"), owed.count(), items)


def _flagged(user: Any, problems: QuerySet[Problem], own: Q, above: Q, shown: int) -> Section:
    """重大紧急, first: the unit's own urgent work, and urgent closures awaiting the user."""
    found = problems.filter(urgent=True).filter(
        (own & WORKING) | (above & Q(status=Status.PENDING) & ~Q(applied_by=user))
    )
    return _listed("flagged", _("重大紧急事项"), found, ("deadline",), shown)


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


def _overdue(mine: QuerySet[Problem], campaign: Campaign, today: dt.date, shown: int) -> Section:
    """Open problems due soon or overdue that this user works (the unit's own staff)."""
    cutoff = due_soon_cutoff(campaign, today)
    urgent = mine.filter(WORKING, deadline__lte=cutoff)
    items = [
        _item(p, str(_("已逾期")) if p.deadline and p.deadline < today else str(_("临期")))
        for p in urgent.order_by("deadline", "pk").only(*ITEM_FIELDS)[:shown]
    ]
    more = reverse("problem_list", args=[campaign.slug]) + "?deadline=overdue"
    return Section("urgent", _("临期和逾期的问题"), urgent.count(), items, more)


def _extensions(user: Any, campaign: Campaign, successor: bool, shown: int) -> Section:
    """Requests to decide, read from the few still open (what can decide them is a subtree of
    what the user sees, so the rule alone says which)."""
    above = decidable_q(user, within=campaign.org.path, field="problem__org_path")
    # The open requests are few (decided ones are kept): found by their own index first.
    requested = ExtensionRequest.objects.filter(status=ExtensionStatus.REQUESTED)
    asked = ExtensionRequest.objects.filter(
        above,
        pk__in=list(requested.values_list("pk", flat=True)),
        problem__campaign=campaign,
        problem__status__in=(Status.ASSIGNED, Status.RECTIFYING),
    )
    if successor:
        asked = asked.filter(problem__carried_to__isnull=True)
    items = [
        Item(f"{x.problem.number} {x.problem.title}",
             reverse("problem_detail", args=[x.problem.pk]),
             str(_("申请延至 %(d)s") % {"d": x.requested_deadline}), x.requested_deadline)
        for x in asked.select_related("problem").order_by("requested_at", "pk")[:shown]
    ]  # fmt: skip
    return Section("extensions", _("待审批的延期申请"), asked.count(), items)


def _notices(user: Any, campaign: Campaign, shown: int) -> Section:
    replying = [g.org_id for g in scope_of(user).grants if g.role in REPLY_ROLES]
    waiting = visible_notices(user, campaign).filter(status=NoticeStatus.OPEN, org_id__in=replying)
    items = [
        Item(f"{n.get_kind_display()}:{n.problem.number} {n.problem.title}",
             reverse("notice_detail", args=[n.pk]),
             str(_("%(d)s 前回复") % {"d": n.reply_due}), n.reply_due)
        for n in waiting.select_related("problem").order_by("reply_due", "pk")[:shown]
    ]  # fmt: skip
    return Section("notices", _("督办待回复"), waiting.count(), items)


def _callbacks(user: Any, campaign: Campaign) -> Section:
    if not handles_suggestions(user, campaign):
        return Section("callbacks", _("待回访"))
    pending = CallBack.objects.filter(campaign=campaign, status=CallStatus.PENDING)
    count = pending.count()
    more = reverse("callback_queue", args=[campaign.slug])
    return Section("callbacks", _("待回访"), count, [], more)


def _suggestions(user: Any, campaign: Campaign, today: dt.date, shown: int) -> Section:
    if not scope_of(user).reaches(campaign.org.path, (Role.OFFICE,)):
        return Section("suggestions", _("意见建议待分办"))
    waiting = Suggestion.objects.filter(campaign=campaign, status=SuggestionStatus.RECEIVED)
    items = []
    rows = waiting.order_by("submitted_at", "pk").only("title", "channel", "submitted_at")
    for s in rows[:shown]:
        clock = limits.clock_of(s, limits.ANSWER, today, campaign)
        when = (_("超时 %(n)d 个工作日") % {"n": clock.over} if clock.late
                else _("剩 %(n)d 个工作日") % {"n": clock.left})  # fmt: skip
        items.append(Item(s.title, reverse("suggestion_detail", args=[s.pk]),
                          f"{s.get_channel_display()} · {when}", clock.due))  # fmt: skip
    counts = waiting.aggregate(
        total=Count("pk"), late=Count("pk", filter=limits.late(campaign, limits.ANSWER, today))
    )
    label: Any = _("意见建议待分办(先到先办)")
    if counts["late"]:
        label = _("意见建议待分办(先到先办,%(n)d 条超时)") % {"n": counts["late"]}
    more = reverse("suggestion_queue", args=[campaign.slug])
    return Section("suggestions", label, counts["total"], items, more)


def _closures(user: Any, campaign: Campaign, shown: int) -> Section:
    if not scope_of(user).reaches(campaign.org.path, (Role.OFFICE,)):
        return Section("closures", _("导入销号待确认"))
    waiting = ImportedClosure.objects.filter(campaign=campaign, confirmed_at__isnull=True)
    items = [
        Item(c.file_name, reverse("ledger_import", args=[campaign.slug]),
             str(_("%(n)d 个问题") % {"n": c.count}), c.imported_at.date())
        for c in waiting.order_by("imported_at")[:shown]
    ]  # fmt: skip
    return Section("closures", _("导入销号待确认"), waiting.count(), items)


def _project_reports(user: Any, campaign: Campaign, today: dt.date, shown: int) -> Section:
    """The monthly reports the user's own units owe: the month last due (missed) first, then
    the month being collected once it has ended."""
    owed, missed = owed_month(campaign, today), late_month(campaign, today)
    waiting = Project.objects.filter(owing(campaign, today), unit_staff_q(user), campaign=campaign)
    items = []
    first = list(
        waiting.order_by(F("last_month").asc(nulls_first=True), "number").only("number", "name")[
            :shown
        ]
    )
    late_ones = set(
        waiting.filter(unreported_q(missed), pk__in=[p.pk for p in first]).values_list(
            "pk", flat=True
        )
    )
    for p in first:
        late = p.pk in late_ones
        month = missed if late else owed
        note = _("%(m)s 月报已逾期") if late else _("%(m)s 月报")
        label = str(note % {"m": f"{month:%Y-%m}"})
        url = reverse("project_detail", args=[p.pk])
        items.append(Item(f"{p.number} {p.name}", url, label, due_date(campaign, month)))
    return Section("project_reports", _("项目月报待报送"), waiting.count(), items)


def _project_stages(user: Any, campaign: Campaign, shown: int) -> Section:
    """Stage applications a level below the user's leader or office grant, not their own."""
    above = decidable_q(user, within=campaign.org.path, field="project__org_path")
    waiting = StageChange.objects.filter(
        above, project__campaign=campaign, status=ChangeStatus.PENDING
    ).exclude(requested_by=user)
    items = [
        Item(f"{c.project.number} {c.project.name}", reverse("project_detail", args=[c.project_id]),
             f"{c.get_from_stage_display()} → {c.get_to_stage_display()}", c.on)
        for c in waiting.select_related("project").order_by("requested_at", "pk")[:shown]
    ]  # fmt: skip
    return Section("project_stages", _("项目阶段待确认"), waiting.count(), items)
