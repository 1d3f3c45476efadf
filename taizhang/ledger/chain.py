"""The tamper-evident history (防篡改): each campaign's history rows form one hash chain.

Every row a service writes is sealed as it is written, in the same transaction: it gets the
next number of its campaign's chain (`seq`), the state the problem was left in (`state`: the
fields the figures count by) and a digest over its content and the previous row's digest. A
row changed, inserted or deleted behind the application's back then no longer fits the chain,
and a problem row changed without a history row no longer matches the state its last history
row recorded; `verify` names each. The chain's head (its last number and digest) is frozen
with each day's figures and printed in the weekly brief, so a published brief can later be
checked against the data, even by someone who suspects the whole chain was rewritten since.

SHA-256 by default; SM3 (GB/T 32905) where a 密评 asks for it (`TAIZHANG_HISTORY_HASH`). A
chain keeps the algorithm it was started with.
"""

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection

from taizhang.ledger.models import ChainHead, Problem, ProblemEvent, Status
from taizhang.search import services as search

ALGORITHMS = ("sha256", "sm3")
# The problem's fields a history row records it was left with: what every figure counts by.
STATE_FIELDS = ("status", "org_id", "focus_area_id", "kind", "source", "deadline", "closed_on_time")
# The first row of a chain links to this, made from its campaign: chains cannot be swapped.
GENESIS = "taizhang:{campaign}"


def algorithm() -> str:
    name = getattr(settings, "TAIZHANG_HISTORY_HASH", "sha256")
    if name not in ALGORITHMS:
        raise ValueError(f"TAIZHANG_HISTORY_HASH must be one of {ALGORITHMS}, not {name!r}")
    return name


def state_of(problem: Problem) -> dict[str, Any]:
    return state_from_values([getattr(problem, f) for f in STATE_FIELDS])


def state_from_values(values: Sequence[Any]) -> dict[str, Any]:
    state = dict(zip(STATE_FIELDS, values, strict=True))
    if isinstance(state["deadline"], dt.date):
        state["deadline"] = state["deadline"].isoformat()
    return state


def canonical_time(at: dt.datetime) -> str:
    if at.tzinfo is None:  # bulk writers hand the driver UTC
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content(campaign_id: int, seq: int, row: Sequence[Any], state: Any) -> bytes:
    """What a row's digest covers. `row`: problem_id, at, actor_id, action, from_status,
    to_status, reason, data (EVENT_COLUMNS' first eight)."""
    problem_id, at, actor_id, action, from_status, to_status, reason, data = row
    fields = [campaign_id, seq, problem_id, canonical_time(at), actor_id, action, from_status,
              to_status, reason, data, state]  # fmt: skip
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def link(name: str, previous: str, body: bytes) -> str:
    h = hashlib.new(name)
    h.update(previous.encode())
    h.update(b"\n")
    h.update(body)
    return h.hexdigest()


def genesis(campaign_id: int) -> str:
    return GENESIS.format(campaign=campaign_id)


def _locked_head(campaign_id: int) -> ChainHead:
    """The campaign's head, locked until the transaction ends: rows join the chain one
    writer at a time (as the number sequence and the tallies already are)."""
    table = ChainHead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (campaign_id, seq, digest, algorithm) VALUES (%s, 0, %s, %s) "
            f"ON CONFLICT (campaign_id) DO NOTHING",
            [campaign_id, genesis(campaign_id), algorithm()],
        )
    return ChainHead.objects.select_for_update().get(campaign_id=campaign_id)


def _advance(head: ChainHead, rows: Iterable[tuple[Sequence[Any], Any]]) -> list[tuple[int, str]]:
    sealed = []
    for row, state in rows:
        head.seq += 1
        head.digest = link(head.algorithm, head.digest, content(head.campaign_id, head.seq, row,
                                                                state))  # fmt: skip
        sealed.append((head.seq, head.digest))
    ChainHead.objects.filter(pk=head.pk).update(seq=head.seq, digest=head.digest)
    return sealed


def seal(events: Sequence[ProblemEvent]) -> None:
    """Seal unsaved history rows (in the order given) before they are inserted; each row's
    problem is as the service left it. Call inside the write's transaction."""
    by_campaign: dict[int, list[ProblemEvent]] = defaultdict(list)
    for e in events:
        e.state = state_of(e.problem)
        by_campaign[e.problem.campaign_id].append(e)
    for campaign_id, rows in sorted(by_campaign.items()):
        head = _locked_head(campaign_id)
        pairs = [((e.problem_id, e.at, e.actor_id, e.action, e.from_status, e.to_status,
                   e.reason, e.data or {}), e.state) for e in rows]  # fmt: skip
        for e, (seq, digest) in zip(rows, _advance(head, pairs), strict=True):
            e.seq, e.digest = seq, digest
    # A problem that changed has a history row: the full-text index follows the history.
    search.mark("problem", [e.problem_id for e in events])


def sealed_rows(campaign_id: int, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Bulk writers (the demo, imports): their rows (EVENT_COLUMNS' first eight) sealed, once
    the problems they describe are written. The last row of each problem records its state,
    read back from the database; the earlier rows of the same batch change only the status
    (a bulk writer writes a problem's other fields once), so each records that state with the
    status it left (and `closed_on_time` only once closed). Every row then tells how its
    problem stood from that moment: reports.history recomputes any past day from them."""
    last = {row[0]: i for i, row in enumerate(rows)}
    states = current_states(campaign_id, list(last))
    status_now: dict[int, str] = {}
    with_state = []
    for i, row in enumerate(rows):
        problem_id, to_status, final = row[0], row[5], states.get(row[0])
        status_now[problem_id] = to_status or status_now.get(problem_id, "")
        if final is None or last[problem_id] == i:
            with_state.append((row, final))
            continue
        status = status_now[problem_id] or final["status"]
        closed = final["closed_on_time"] if status == Status.CLOSED else None
        with_state.append((row, {**final, "status": status, "closed_on_time": closed}))
    head = _locked_head(campaign_id)
    search.mark("problem", last)
    return [
        (*row, seq, state, digest)
        for (row, state), (seq, digest) in zip(with_state, _advance(head, with_state), strict=True)
    ]


def current_states(campaign_id: int, problem_ids: list[int] | None = None) -> dict[int, Any]:
    """Each problem's recorded fields as the rows stand now (`problem_ids`: only these)."""
    found: dict[int, Any] = {}
    problems = Problem.objects.filter(campaign_id=campaign_id).order_by()
    chunks = [problem_ids[i : i + 900] for i in range(0, len(problem_ids), 900)] if (
        problem_ids is not None) else [None]  # fmt: skip
    for chunk in chunks:
        part = problems if chunk is None else problems.filter(pk__in=chunk)
        for pk, *values in part.values_list("pk", *_columns()).iterator(chunk_size=20000):
            found[pk] = state_from_values(values)
    return found


def _columns() -> list[str]:
    return [f.removesuffix("_id") if f.endswith("_id") else f for f in STATE_FIELDS]
