"""Who may see and do what with a problem. Every caller (UI, API, CLI, exports) asks here."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from taizhang.campaigns.models import Campaign
from taizhang.ledger.models import OPEN_STATUSES, Part, PartState, Problem, Status
from taizhang.ledger.stages import may_decide_stage
from taizhang.orgs.models import Org, Role
from taizhang.orgs.scoping import ASSIGN_ROLES, DECIDE_ROLES, path_filter, scope_of


def visible_problems(user: object, campaign: Campaign | None = None) -> QuerySet[Problem]:
    """Problems of the user's subtrees, plus those where a unit of theirs co-operates (协办)."""
    scope = scope_of(user)
    problems = Problem.objects.all()
    if campaign is not None:
        problems = problems.filter(campaign=campaign)
    if scope.is_superuser:
        return problems
    if campaign is not None and scope.reaches(campaign.org.path):
        return problems  # the whole campaign: a filter would only slow the query down
    paths = scope.paths()
    if not paths:
        return problems.none()
    cooperating = Problem.cooperating_orgs.through.objects.filter(
        path_filter("org__path", paths), problem_id=OuterRef("pk")
    )
    return problems.filter(path_filter("org_path", paths) | Exists(cooperating))


def can_view(user: object, problem: Problem) -> bool:
    return visible_problems(user).filter(pk=problem.pk).exists()


def can_edit(user: object, problem: Problem) -> bool:
    """Handlers change the problems of their own unit; admins and the office their subtree."""
    scope = scope_of(user)
    return scope.handles_exactly(problem.org_id) or scope.reaches(
        problem.org_path, (Role.ADMIN, Role.OFFICE)
    )


def can_contact(user: object, problem: Problem) -> bool:
    """联系群众 is the signing unit's: those who may change the problem."""
    return can_edit(user, problem)


def can_decide(user: object, problem: Problem) -> bool:
    """Approve or return closure and extensions: a leader or the office of a level above."""
    return scope_of(user).reaches_from_above(problem.org_path, DECIDE_ROLES)


def can_assign_to(user: object, org: Org) -> bool:
    """Hand a problem to a unit: the office or the admin of a level above it."""
    return scope_of(user).reaches_from_above(org.path, ASSIGN_ROLES)


def can_forward(user: object, problem: Problem) -> bool:
    """转派: the office or an admin at (or above) the unit a problem was dispatched to sends it
    on to a unit below."""
    return scope_of(user).reaches(problem.org_path, ASSIGN_ROLES)


def can_review_decline(user: object, problem: Problem, *, consult: bool) -> bool:
    """退单审核: whoever may assign to the declining unit (the office, an admin above it);
    会商 after repeated declines: the campaign office only."""
    if consult:
        return scope_of(user).reaches(problem.campaign.org.path, (Role.OFFICE,))
    return can_assign_to(user, problem.org)


def can_work_part(user: object, part: Part) -> bool:
    """A co-operating unit's staff (and the admins and office above it) work on its part."""
    return can_record_for(user, part.org)


def part_actions(user: object, problem: Problem, parts: list[Part]) -> dict[int, set[str]]:
    """The steps this user may take on each co-operating unit's part; pages show only these."""
    working = problem.status in (Status.ASSIGNED, Status.RECTIFYING)
    is_open = problem.status in OPEN_STATUSES and not problem.is_carried_over
    edit, decide = can_edit(user, problem), can_decide(user, problem)
    found: dict[int, set[str]] = {}
    for part in parts:
        actions: set[str] = set()
        if working and can_work_part(user, part):
            if part.state == PartState.WAITING:
                actions.add("sign")
            elif part.state == PartState.WORKING:
                actions |= {"measure", "report", "evidence", "finish"}
        if is_open and part.is_open:
            if decide:
                actions.add("waive")
            if edit:
                actions.add("deadline")
        found[part.pk] = actions
    return found


def can_record_for(user: object, org: Org) -> bool:
    scope = scope_of(user)
    return scope.handles_exactly(org.pk) or scope.reaches(org.path, (Role.ADMIN, Role.OFFICE))


def can_record_finding(user: object, org: Org) -> bool:
    """Inspection-team members (and the office) record what they find (督导发现) in the ledger
    of a unit they reach; the unit then signs for it like any assigned problem."""
    return scope_of(user).reaches(org.path, (Role.INSPECTOR, Role.OFFICE))


def is_unit_staff(user: object, problem: Problem) -> bool:
    """The problem's own unit's handlers and administrators: whose to-do its unit steps are
    (the office and the admins above may take them too, but need not be asked to)."""
    return any(
        g.org_id == problem.org_id and g.role in (Role.HANDLER, Role.ADMIN)
        for g in scope_of(user).grants
    )


def is_part_staff(user: object, part: Part) -> bool:
    """The co-operating unit's own handlers and administrators: whose to-do its part is."""
    return any(
        g.org_id == part.org_id and g.role in (Role.HANDLER, Role.ADMIN)
        for g in scope_of(user).grants
    )


# The same rules as queries, for lists that count what a user may act on (我的待办) without
# asking each problem: `unit_staff_q` ⇔ is_unit_staff, `decidable_q` ⇔ can_decide.


def unit_staff_q(user: object, field: str = "org_id") -> Q:
    ids = [g.org_id for g in scope_of(user).grants if g.role in (Role.HANDLER, Role.ADMIN)]
    return Q(**{f"{field}__in": ids})


def decidable_q(user: object, within: str = "", field: str = "org_path") -> Q:
    """Problems a level above the user's leader or office grant (the root's own included).
    `within`: the campaign's root path, when the rows asked about are all under it already."""
    return above_q(user, DECIDE_ROLES, within, field)


def assignable_q(user: object, within: str = "", field: str = "org_path") -> Q:
    """Rows of units the user may assign to (⇔ can_assign_to): the office's, an admin's below."""
    return above_q(user, ASSIGN_ROLES, within, field)


def above_q(user: object, roles: frozenset[str], within: str, field: str) -> Q:
    """Rows a level below a grant of one of `roles` (⇔ Scope.reaches_from_above)."""
    query = Q(pk__in=[])
    for p in scope_of(user).paths(roles):
        whole = p == "/" or p.count("/") == 2
        if whole and within.startswith(p):
            return Q()  # every row under `within`: a filter would only slow the query down
        below = Q(**{f"{field}__under": p})
        query |= below if whole else below & ~Q(**{field: p})
    return query


def can_reopen(user: object, problem: Problem) -> bool:
    """The level above, the office and inspectors who reach the unit may reopen a closure."""
    scope = scope_of(user)
    return can_decide(user, problem) or scope.reaches(problem.org_path, (Role.INSPECTOR,))


def _owes_contact(problem: Problem) -> bool:
    """Raised by citizens, signed by its unit, and their contact not yet recorded."""
    signed = problem.dispatches.filter(org=problem.org_id, state="signed").order_by("-pk")
    contacted = list(signed.values_list("contacted_at", flat=True)[:1])
    return contacted == [None] and problem.suggestions.exists()  # type: ignore[attr-defined]


def available_actions(user: object, problem: Problem) -> set[str]:
    """The steps this user may take on this problem now; pages show only these."""
    if problem.is_carried_over:
        return set()
    status, actions = problem.status, set()
    edit, decide = can_edit(user, problem), can_decide(user, problem)
    assign = can_assign_to(user, problem.org)
    if edit and status == Status.ASSIGNED and not problem.declining:
        actions.add("sign")
        if not problem.dispatches.filter(state="waiting", binding=True).exists():
            actions.add("decline")
    if status == Status.ASSIGNED and not problem.declining and can_forward(user, problem):
        actions.add("forward")
    if status == Status.ASSIGNED and problem.declining:
        hop = problem.dispatches.filter(state="declining").only("consult").first()
        if hop is not None and can_review_decline(user, problem, consult=hop.consult):
            actions.add("review_decline")
    if edit and status in (Status.ASSIGNED, Status.RECTIFYING):
        actions |= {"measure", "extension"}
    if edit and status == Status.RECTIFYING:
        actions |= {"progress", "apply"}
    if edit and status in (Status.RECTIFYING, Status.PENDING):
        actions.add("evidence")
        if _owes_contact(problem):
            actions.add("contact")
    if status == Status.PENDING and may_decide_stage(user, problem):
        actions |= {"approve", "return"}
    if decide and status in (Status.ASSIGNED, Status.RECTIFYING):
        actions.add("decide_extension")
    if can_reopen(user, problem) and status == Status.CLOSED:
        actions.add("reopen")
    if assign and status == Status.DRAFT:
        actions.add("assign")
    if assign and status in OPEN_STATUSES:
        actions |= {"void", "merge"}
    if edit and status in OPEN_STATUSES:
        actions |= {"edit", "cooperate"}
    return actions
