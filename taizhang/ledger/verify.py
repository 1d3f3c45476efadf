"""Check a campaign's history chain and its rows (`taizhang verify`): every history row changed,
inserted or deleted behind the application's back, and every problem whose fields no longer
match what its history recorded, is named."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.ledger import chain
from taizhang.ledger.models import ChainHead, Problem, ProblemEvent, Status
from taizhang.orgs.models import Org

CHANGED, INSERTED, DELETED, ROW_CHANGED, NO_HISTORY, REWRITTEN = (
    "changed", "inserted", "deleted", "row_changed", "no_history", "rewritten"
)  # fmt: skip
EVENT_VALUES = ("pk", "seq", "problem_id", "at", "actor_id", "action", "from_status",
                "to_status", "reason", "data", "state", "digest")  # fmt: skip
FIELD_LABELS = {"status": _l("状态"), "org_id": _l("责任单位"), "focus_area_id": _l("聚焦领域"),
                "kind": _l("类别"), "source": _l("来源"), "deadline": _l("整改时限"),
                "closed_on_time": _l("按期销号")}  # fmt: skip


@dataclass
class Finding:
    kind: str
    text: str
    seq: int | None = None
    event: int | None = None
    problem: str = ""


@dataclass
class Report:
    campaign: Campaign
    algorithm: str
    rows: int = 0
    problems: int = 0
    head_seq: int = 0
    head_digest: str = ""
    snapshots: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings


def verify(campaign: Campaign, frozen: list[tuple[int, str, str]] | None = None) -> Report:
    """`frozen`: heads recorded elsewhere (the daily snapshots, a published brief) to check:
    (number, digest, where it was recorded)."""
    head = ChainHead.objects.filter(campaign=campaign).first()
    report = Report(campaign, head.algorithm if head else chain.algorithm())
    numbers = dict(Problem.objects.filter(campaign=campaign).values_list("pk", "number"))
    frozen = frozen or []
    events = (
        ProblemEvent.objects.filter(problem__campaign=campaign)
        .order_by(F("seq").asc(nulls_first=True), "pk")
        .values_list(*EVENT_VALUES)
    )
    wanted = {f[0] for f in frozen}
    recorded, at_seq = _walk(report, events.iterator(chunk_size=20000), numbers, wanted)
    _check_head(report, head)
    _check_frozen(report, frozen, at_seq)
    _check_rows(report, recorded, numbers)
    return report


def _walk(
    report: Report, events: Iterable[tuple[Any, ...]], numbers: dict[int, str], wanted: set[int]
) -> tuple[dict[int, dict[str, Any]], dict[int, str]]:
    """Follow the chain in order; returns each problem's last recorded state and the digests
    at the numbers a frozen head names."""
    campaign_id, name = report.campaign.pk, report.algorithm
    previous: str | None = chain.genesis(campaign_id)
    expected, recorded, at_seq = 1, {}, {}
    for pk, seq, problem_id, *row, state, digest in events:
        report.rows += 1
        if seq is None or seq < expected:
            _inserted(report, pk, seq, numbers.get(problem_id, str(problem_id)))
            continue
        if seq > expected:
            text = _("第 %(a)d 至 %(b)d 条办理记录被删除。") % {"a": expected, "b": seq - 1}
            report.findings.append(Finding(DELETED, text, expected))
            previous = None  # the row before this one is gone: its link cannot be checked
        body = chain.content(campaign_id, seq, (problem_id, *row), state)
        if previous is not None and chain.link(name, previous, body) != digest:
            _changed(report, pk, seq, numbers.get(problem_id, str(problem_id)), row)
        previous, expected = digest, seq + 1
        if state is not None:
            recorded[problem_id] = state
        if seq in wanted:
            at_seq[seq] = digest
    report.head_seq, report.head_digest = expected - 1, previous or ""
    return recorded, at_seq


def _inserted(report: Report, pk: int, seq: int | None, number: str) -> None:
    if seq is None:
        text = _("办理记录 #%(pk)d(%(p)s)不在校验链上:不是系统写入的。")
    else:
        text = _("办理记录 #%(pk)d(%(p)s)与另一条记录的链序号 %(s)d 重复:是插入的。")
    values = {"pk": pk, "p": number, "s": seq or 0}
    report.findings.append(Finding(INSERTED, text % values, seq, pk, number))


def _changed(report: Report, pk: int, seq: int, number: str, row: list[Any]) -> None:
    at, _actor, action = row[:3]
    text = _(
        "第 %(s)d 条办理记录 #%(pk)d(%(p)s,%(a)s %(t)s)与校验链不符:它被改动过"
        "(或改动者重算了它的校验码,则是它之前的一条)。"
    ) % {"s": seq, "pk": pk, "p": number, "a": action,
         "t": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}  # fmt: skip
    report.findings.append(Finding(CHANGED, text, seq, pk, number))


def _check_head(report: Report, head: ChainHead | None) -> None:
    if head is None:
        if report.rows:
            report.findings.append(Finding(INSERTED, _("活动没有校验链的链头,却有办理记录。")))
        return
    if head.seq > report.head_seq:
        report.findings.append(Finding(DELETED, _("第 %(a)d 至 %(b)d 条办理记录(链尾)被删除。")
                                       % {"a": report.head_seq + 1, "b": head.seq},
                                       report.head_seq + 1))  # fmt: skip
    elif head.seq < report.head_seq or head.digest != report.head_digest:
        report.findings.append(Finding(INSERTED, _(
            "链头记录为第 %(s)d 条(%(d)s…),与现存记录不符:链尾有记录被插入或改写。")
            % {"s": head.seq, "d": head.digest[:12]}, head.seq))  # fmt: skip


def _check_frozen(
    report: Report, frozen: list[tuple[int, str, str]], at_seq: dict[int, str]
) -> None:
    """A head recorded on a day must still be in the chain: else the history up to it was
    rewritten since (its digests recomputed to hide it)."""
    for seq, digest, where in sorted(frozen):
        if at_seq.get(seq) != digest:
            report.findings.append(Finding(REWRITTEN, _(
                "%(w)s记录的链头(第 %(s)d 条,%(h)s…)与现在的链不符:它以前的办理记录被改写过。")
                % {"w": where, "s": seq, "h": digest[:12]}, seq))  # fmt: skip
        report.snapshots += 1


def _check_rows(
    report: Report, recorded: dict[int, dict[str, Any]], numbers: dict[int, str]
) -> None:
    """Each problem as it stands against the state its last history row recorded."""
    current = chain.current_states(report.campaign.pk)
    report.problems = len(current)
    for pk, state in current.items():
        number = numbers.get(pk, str(pk))
        was = recorded.get(pk)
        if was is None:
            report.findings.append(
                Finding(
                    NO_HISTORY,
                    _("问题 %(n)s 没有办理记录:不是由系统写入的。") % {"n": number},
                    problem=number,
                )
            )
            continue
        changed = [
            _("%(f)s 记录为 %(a)s,现为 %(b)s")
            % {"f": FIELD_LABELS[k], "a": _shown(k, was.get(k)), "b": _shown(k, v)}
            for k, v in state.items()
            if was.get(k) != v
        ]
        if changed:
            report.findings.append(Finding(ROW_CHANGED, _(
                "问题 %(n)s 的数据与办理记录不符(未经系统改动):%(c)s。")
                % {"n": number, "c": ";".join(changed)}, problem=number))  # fmt: skip


def _shown(key: str, value: Any) -> str:
    """A recorded value as a reader knows it (a status's, a unit's, a focus area's name)."""
    if value is None:
        return "—"
    if key == "status" and value in Status.values:
        return str(Status(value).label)
    named = {"org_id": Org, "focus_area_id": FocusArea}.get(key)
    if named is not None:
        name = named._default_manager.filter(pk=value).values_list("name", flat=True).first()
        return f"{name}(#{value})" if name else f"#{value}"
    return str(value)
