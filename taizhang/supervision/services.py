"""Notices (提醒, 催办, 督办, 挂牌督办): raised by rule each day or by a person, replied to in
writing, and themselves tracked (replied on time or not)."""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign
from taizhang.ledger import rhythm as report_rhythm
from taizhang.ledger.models import (
    OPEN_PART_STATES,
    OPEN_STATUSES,
    Dispatch,
    HopState,
    Measure,
    Part,
    Problem,
    Status,
)
from taizhang.notifications.services import notify
from taizhang.orgs.models import Role
from taizhang.orgs.scoping import holders, path_filter, scope_of
from taizhang.supervision.models import Notice, NoticeKind, NoticeStatus
from taizhang.workdays.calendar import add_workdays, latest_start

RECIPIENT_ROLES = (Role.HANDLER, Role.LEADER)
REPLY_ROLES = (Role.HANDLER, Role.LEADER, Role.ADMIN)
BATCH = 2000
# Set while notices are issued in bulk: telling waits for the end (telling_at_the_end).
_holding: ContextVar[bool] = ContextVar("holding_notices", default=False)
# In the key of a notice a person (or a step such as an unsatisfied call) raised, not the rules.
MANUAL = ":manual:"


@dataclass
class RunResult:
    as_of: dt.date
    created: dict[str, int]
    told: int


def check_as_of(campaign: Campaign, as_of: dt.date) -> None:
    if as_of > timezone.localdate():
        raise ValidationError(_("日期 %(d)s 晚于今天:不能为将来发出通知。") % {"d": as_of})
    if as_of < campaign.starts_on:
        raise ValidationError(
            _("日期 %(d)s 早于活动开始(%(s)s)。") % {"d": as_of, "s": campaign.starts_on}
        )


def _key(kind: str, problem_id: int, measure_id: int | None, deadline: dt.date) -> str:
    return f"{kind}:{problem_id}:{measure_id or 0}:{deadline.isoformat()}"


def _text(kind: str, title: str, deadline: dt.date, what: str) -> str:
    templates = {
        NoticeKind.REMINDER: _("提醒:%(what)s“%(t)s”将于 %(d)s 到期,请抓紧整改。"),
        NoticeKind.URGE: _("催办:%(what)s“%(t)s”已于 %(d)s 到期未完成,请立即整改并书面回复。"),
        NoticeKind.SUPERVISE: _(
            "督办:%(what)s“%(t)s”逾期(时限 %(d)s)仍未完成,请限期整改并书面说明原因。"
        ),
    }
    return templates[NoticeKind(kind)] % {"what": what, "t": title[:60], "d": deadline}


def _report_notices(campaign: Campaign, as_of: dt.date) -> Iterator[tuple[Any, ...]]:
    """定期调度: on a report day, a reminder to whoever has not yet reported this period; after
    it, a 催办 to whoever did not report in the period just ended."""
    fields = ("pk", "org_id", "org_path", "title")
    for rhythm_q, rhythm in report_rhythm.groups(campaign):
        periods = [(NoticeKind.URGE, *rhythm.last_closed(as_of))]
        opened, due = rhythm.period(as_of)
        if due == as_of:
            periods.append((NoticeKind.REMINDER, opened, due))
        for kind, start, end in periods:
            owing = Problem.objects.filter(report_rhythm.owes_q(rhythm_q, start), campaign=campaign)
            for row in owing.exclude(report_rhythm.reported_q(start, end)).values_list(*fields):
                yield (kind, *row, start, end)


def _report_text(kind: str, title: str, start: dt.date, due: dt.date) -> str:
    if kind == NoticeKind.REMINDER:
        text = _("提醒:问题“%(t)s”本期(%(s)s 至 %(d)s)的整改进展尚未报送,请于今日报送。")
    else:
        text = _("催办:问题“%(t)s”上期(%(s)s 至 %(d)s)未按时报送整改进展,请立即报送。")
    return text % {"t": title[:60], "s": start, "d": due}


def _sign_text(kind: str, title: str, sign_by: dt.date) -> str:
    if kind == NoticeKind.REMINDER:
        text = _("提醒:交办的问题“%(t)s”签收时限为 %(d)s,请及时签收或退单。")
    else:
        text = _("催办:交办的问题“%(t)s”已超过签收时限(%(d)s)仍未签收,请立即签收办理。")
    return text % {"t": title[:60], "d": sign_by}


def run_rules(campaign: Campaign, as_of: dt.date) -> RunResult:
    """Raise the day's notices by rule. Safe to run again and on several workers at once."""
    check_as_of(campaign, as_of)
    cutoff = add_workdays(as_of, int(campaign.rule("due_soon_days"))).date
    # The last deadline at least that many working days behind today.
    supervise_until = latest_start(as_of, int(campaign.rule("supervise_after_days")))
    reply_due = add_workdays(as_of, int(campaign.rule("notice_reply_days"))).date
    now = timezone.now()
    problem_word, measure_word = _("问题"), _("整改措施")
    rows: list[Notice] = []

    def add(kind: str, p_id: int, m_id: int | None, org_id: int, path: str, title: str,
            deadline: dt.date, what: str, key: str = "", text: str = "") -> None:  # fmt: skip
        rows.append(
            Notice(
                campaign=campaign,
                problem_id=p_id,
                measure_id=m_id,
                org_id=org_id,
                org_path=path,
                kind=kind,
                key=key or _key(kind, p_id, m_id, deadline),
                issued_on=as_of,
                issued_at=now,
                deadline=deadline,
                text=text or _text(kind, title, deadline, what),
                reply_due=reply_due,
            )
        )

    open_problems = Problem.objects.filter(
        campaign=campaign, status__in=OPEN_STATUSES, deadline__isnull=False, deadline__lte=cutoff
    ).values_list("pk", "org_id", "org_path", "title", "deadline")
    for pk, org_id, path, title, deadline in open_problems.iterator(chunk_size=BATCH):
        assert deadline is not None  # filtered above
        if deadline >= as_of:
            add(NoticeKind.REMINDER, pk, None, org_id, path, title, deadline, problem_word)
            continue
        add(NoticeKind.URGE, pk, None, org_id, path, title, deadline, problem_word)
        if deadline <= supervise_until:
            add(NoticeKind.SUPERVISE, pk, None, org_id, path, title, deadline, problem_word)
    open_measures = Measure.objects.filter(
        problem__campaign=campaign,
        problem__status__in=OPEN_STATUSES,
        done_on__isnull=True,
        deadline__isnull=False,
        deadline__lte=cutoff,
    ).values_list("pk", "problem_id", "problem__org_id", "problem__org_path", "content", "deadline")
    for pk, p_id, org_id, path, content, deadline in open_measures.iterator(chunk_size=BATCH):
        assert deadline is not None  # filtered above
        kind = NoticeKind.REMINDER if deadline >= as_of else NoticeKind.URGE
        add(kind, p_id, pk, org_id, path, content, deadline, measure_word)
    # 签收时限: a reminder on the last day, a 催办 once it has passed (one per hop and kind).
    unsigned = Dispatch.objects.filter(
        campaign=campaign,
        state=HopState.WAITING,
        sign_by__lte=as_of,
        problem__status=Status.ASSIGNED,
    ).values_list("pk", "problem_id", "org_id", "org_path", "problem__title", "sign_by")
    for pk, p_id, org_id, path, title, sign_by in unsigned.iterator(chunk_size=BATCH):
        assert sign_by is not None  # filtered above
        kind = NoticeKind.REMINDER if sign_by >= as_of else NoticeKind.URGE
        add(kind, p_id, None, org_id, path, title, sign_by, "", key=f"sign:{kind}:{pk}",
            text=_sign_text(kind, title, sign_by))  # fmt: skip
    # A co-operating unit's own part: reminded before its deadline, urged after it, as itself.
    parts = Part.objects.filter(
        campaign=campaign,
        state__in=OPEN_PART_STATES,
        deadline__lte=cutoff,
        problem__status__in=OPEN_STATUSES,
    ).values_list("pk", "problem_id", "org_id", "org_path", "problem__title", "deadline")
    part_word = _("协办任务")
    for pk, p_id, org_id, path, title, deadline in parts.iterator(chunk_size=BATCH):
        assert deadline is not None  # filtered above
        kind = NoticeKind.REMINDER if deadline >= as_of else NoticeKind.URGE
        add(kind, p_id, None, org_id, path, title, deadline, part_word,
            key=f"part:{kind}:{pk}:{deadline.isoformat()}")  # fmt: skip
    for kind, p_id, org_id, path, title, opened, due in _report_notices(campaign, as_of):
        key = f"{'report' if kind == NoticeKind.REMINDER else 'report-late'}:{p_id}:{due}"
        add(kind, p_id, None, org_id, path, title, due, "", key=key,
            text=_report_text(kind, title, opened, due))  # fmt: skip
    existing: set[str] = set()
    keys = [n.key for n in rows]
    for start in range(0, len(keys), BATCH):
        existing.update(
            Notice.objects.filter(key__in=keys[start : start + BATCH]).values_list("key", flat=True)
        )
    fresh = [n for n in rows if n.key not in existing]
    # A racing worker may insert the same keys between our read and our write: the unique key
    # turns its copies into no-ops, so both together still raise each notice once.
    Notice.objects.bulk_create(fresh, batch_size=BATCH, ignore_conflicts=True)
    created: dict[str, int] = defaultdict(int)
    for n in fresh:
        created[n.kind] += 1
    return RunResult(as_of, dict(created), tell_recipients(campaign))


@contextmanager
def telling_at_the_end(campaign: Campaign) -> Iterator[None]:
    """Notices issued inside (a bulk 催办) are told once it is over, in one summary line per
    person, as the rules' are, instead of a line per notice as each row commits."""
    token = _holding.set(True)
    try:
        yield
    finally:
        _holding.reset(token)
        tell_recipients(campaign, summarise=True)


def tell_recipients(campaign: Campaign, *, summarise: bool = False) -> int:
    """Tell the lead units about notices nobody has told them about yet (exactly once).

    A notice a person issued is a line of its own; those the day's rules raised (and, with
    `summarise`, all of them) reach each handler and leader as one summary line (a county
    leader over 700 overdue problems gets one message a day, not 700): the notices themselves
    wait in 我的待办 and the notice list."""
    token = uuid.uuid4().hex
    Notice.objects.filter(campaign=campaign, told_by="").update(told_by=token)
    notices = list(
        Notice.objects.filter(told_by=token).select_related("problem").order_by("org_id", "pk")
    )
    if not notices:
        return 0
    recipients = _recipients({n.org_path for n in notices})
    told = 0
    by_rule: dict[Any, list[Notice]] = defaultdict(list)
    for n in notices:
        if summarise or MANUAL not in n.key:
            for person in recipients[n.org_path]:
                by_rule[person].append(n)
            continue
        subject = f"{n.get_kind_display()}:{n.problem.number} {n.problem.title[:40]}"
        told += notify(
            recipients[n.org_path],
            subject,
            f"{n.text}\n{_('请于 %(d)s 前回复。') % {'d': n.reply_due}}",
            reverse("notice_detail", args=[n.pk]),
            urgent=n.kind in (NoticeKind.SUPERVISE, NoticeKind.LISTED),
        )
    for person, theirs in by_rule.items():
        told += _tell_summary(campaign, person, theirs)
    return told


def _tell_summary(campaign: Campaign, person: Any, notices: list[Notice]) -> int:
    counts: dict[str, int] = defaultdict(int)
    for n in notices:
        counts[n.kind] += 1
    tally = _("、").join(
        _("%(kind)s %(n)d 条") % {"kind": NoticeKind(k).label, "n": counts[k]}
        for k in NoticeKind.values
        if counts.get(k)
    )
    first = [f"- {n.problem.number} {n.problem.title[:40]}({n.get_kind_display()})"
             for n in notices[:10]]  # fmt: skip
    if len(notices) > len(first):
        first.append(_("……共 %(n)d 条") % {"n": len(notices)})
    reply_due = min(n.reply_due for n in notices)
    body = "\n".join([_("请于 %(d)s 前回复。") % {"d": reply_due}, *first])
    return notify(
        [person],
        _("新的督办通知:%(t)s") % {"t": tally},
        body,
        reverse("notice_list", args=[campaign.slug]) + "?status=open",
        urgent=bool(counts.get(NoticeKind.SUPERVISE)),
    )


def _recipients(paths: set[str]) -> dict[str, list[Any]]:
    """Per unit: its handlers and its leaders, or, when it has no leader of its own, the
    leaders of the nearest unit above that has them."""
    codes = {code for path in paths for code in path.strip("/").split("/")}
    held = holders(codes, RECIPIENT_ROLES)
    result: dict[str, list[Any]] = {}
    for path in paths:
        chain = path.strip("/").split("/")
        people = list(held.get((chain[-1], Role.HANDLER), []))
        for code in reversed(chain):
            if held.get((code, Role.LEADER)):
                people += held[(code, Role.LEADER)]
                break
        result[path] = people
    return result


def can_issue(user: object, problem: Problem) -> bool:
    """The office and inspection-team members who reach the unit may issue notices."""
    return scope_of(user).reaches(problem.org_path, (Role.OFFICE, Role.INSPECTOR))


def can_list(user: object, problem: Problem) -> bool:
    """挂牌督办 is the campaign office's decision."""
    return scope_of(user).reaches(problem.org_path, (Role.OFFICE,))


def can_reply(user: object, notice: Notice) -> bool:
    scope = scope_of(user)
    return any(g.org_id == notice.org_id and g.role in REPLY_ROLES for g in scope.grants)


@transaction.atomic
def issue_notice(problem: Problem, *, by: Any, kind: str, text: str) -> Notice:
    """A person issues a notice: 催办 or 督办 (office or inspectors), 挂牌督办 (office)."""
    text = (text or "").strip()
    has_open = Notice.objects.filter(
        problem=problem, kind=kind, status=NoticeStatus.OPEN, measure__isnull=True
    ).exists()
    _check_issue(problem, by=by, kind=kind, text=text, has_open=has_open)
    return raise_notice(problem, kind=kind, text=text, by=by)


@transaction.atomic
def issue_notices(
    problems: Sequence[Problem], *, by: Any, kind: str, text: str
) -> dict[int, Exception]:
    """The same notice on many problems (批量催办), with the same checks as issue_notice, in one
    read of the open notices and one insert; returns why each refused problem was refused."""
    text = (text or "").strip()
    open_ones = set(
        Notice.objects.filter(
            problem__in=[p.pk for p in problems], kind=kind, status=NoticeStatus.OPEN,
            measure__isnull=True,
        ).values_list("problem_id", flat=True)
    )  # fmt: skip
    refused: dict[int, Exception] = {}
    fresh: list[Notice] = []
    for problem in problems:
        try:
            _check_issue(problem, by=by, kind=kind, text=text, has_open=problem.pk in open_ones)
        except (ValidationError, PermissionDenied) as exc:
            refused[problem.pk] = exc
        else:
            fresh.append(_new_notice(problem, kind=kind, text=text, by=by))
            open_ones.add(problem.pk)  # the same problem twice in the list: once
    Notice.objects.bulk_create(fresh)
    if fresh and not _holding.get():
        campaign = problems[0].campaign
        transaction.on_commit(lambda: tell_recipients(campaign))
    return refused


def _check_issue(problem: Problem, *, by: Any, kind: str, text: str, has_open: bool) -> None:
    if kind not in (NoticeKind.URGE, NoticeKind.SUPERVISE, NoticeKind.LISTED):
        raise ValidationError(_("只能人工发出催办、督办或挂牌督办。"))
    allowed = can_list(by, problem) if kind == NoticeKind.LISTED else can_issue(by, problem)
    if not allowed:
        raise PermissionDenied(_("您无权对这个问题发出%(k)s。") % {"k": NoticeKind(kind).label})
    if problem.status not in OPEN_STATUSES:
        raise ValidationError(_("问题已办结,不能再督办。"))
    if not text:
        raise ValidationError(_("请填写督办内容。"))
    if has_open:
        raise ValidationError(_("这个问题已有未回复的%(k)s。") % {"k": NoticeKind(kind).label})


def raise_notice(problem: Problem, *, kind: str, text: str, by: Any = None) -> Notice:
    """Create a notice and tell the unit (by=None: the system, e.g. after an unsatisfied call)."""
    notice = _new_notice(problem, kind=kind, text=text, by=by)
    notice.save(force_insert=True)
    if not _holding.get():
        transaction.on_commit(lambda: tell_recipients(problem.campaign))
    return notice


def _new_notice(problem: Problem, *, kind: str, text: str, by: Any) -> Notice:
    today = timezone.localdate()
    return Notice(
        campaign=problem.campaign,
        problem=problem,
        org_id=problem.org_id,
        org_path=problem.org_path,
        kind=kind,
        key=f"{kind}:{problem.pk}{MANUAL}{uuid.uuid4().hex[:12]}",
        issued_on=today,
        issued_at=timezone.now(),
        issued_by=by,
        deadline=problem.deadline,
        text=text[:4000],
        reply_due=add_workdays(today, int(problem.campaign.rule("notice_reply_days"))).date,
    )


@transaction.atomic
def reply_notice(notice: Notice, *, by: Any, text: str) -> Notice:
    if not can_reply(by, notice):
        raise PermissionDenied(_("只有责任单位的经办人、领导或管理员可以回复。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("请填写回复内容。"))
    now = timezone.now()
    updated = Notice.objects.filter(pk=notice.pk, status=NoticeStatus.OPEN).update(
        status=NoticeStatus.REPLIED,
        reply=text[:4000],
        replied_at=now,
        replied_by=by,
        replied_on_time=timezone.localdate() <= notice.reply_due,
    )
    if not updated:
        raise ValidationError(_("这份通知已经回复过了。"))
    notice.refresh_from_db()
    if notice.issued_by is not None:
        notify(
            [notice.issued_by],
            _("已回复:%(s)s") % {"s": notice.problem.title[:40]},
            text[:500],
            reverse("notice_detail", args=[notice.pk]),
        )
    return notice


def visible_notices(user: object, campaign: Campaign) -> Any:
    """Notices of the units the user reaches (any role)."""
    paths = scope_of(user).paths()
    return Notice.objects.filter(campaign=campaign).filter(path_filter("org_path", paths))
