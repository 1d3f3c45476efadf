"""The ledger as the standard 台账: one row per problem, with its measures, progress, deadline
state and closure. The rows come from any filtered, scoped queryset of problems."""

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.ledger.deadlines import DeadlineState, due_soon_cutoff, state_of
from taizhang.ledger.models import (
    Kind,
    Measure,
    Problem,
    ProgressReport,
    Source,
    Status,
)
from taizhang.orgs.models import Org
from taizhang.sheets.workbook import Column, Part, write_csv, write_workbook

COLUMNS = [
    Column("序号", 7),
    Column("编号", 18),
    Column("问题", 40, wrap=True),
    Column("聚焦领域", 14),
    Column("来源", 10),
    Column("责任单位", 22),
    Column("责任领导", 10),
    Column("责任人", 10),
    Column("整改类型", 10),
    Column("整改措施", 40, wrap=True),
    Column("整改时限", 12),
    Column("时限状态", 9),
    Column("进度", 7),
    Column("最新进展", 30),
    Column("状态", 9),
    Column("销号时间", 12),
    Column("整改结果", 30),
    Column("重大紧急", 9),
]
# What an office prints, on the first sheet of A4 landscape at full size; the rest of each
# problem on the second sheet, by the same 序号 and 编号 (a re-import reads both).
PRINTED = [
    Column("序号", 4),
    Column("编号", 11, wrap=True),
    Column("问题", 23, wrap=True),
    Column("责任单位", 11, wrap=True),
    Column("责任领导", 6, wrap=True),
    Column("责任人", 6, wrap=True),
    Column("整改措施", 24, wrap=True),
    Column("整改时限", 11),
    Column("最新进展", 16, wrap=True),
    Column("状态", 7, wrap=True),
]
MORE = [
    Column("序号", 5),
    Column("编号", 13),
    Column("聚焦领域", 14, wrap=True),
    Column("来源", 10),
    Column("整改类型", 10),
    Column("时限状态", 9),
    Column("进度", 7),
    Column("销号时间", 12),
    Column("整改结果", 40, wrap=True),
    Column("重大紧急", 9),
]
FIELDS = (
    "pk",
    "number",
    "title",
    "focus_area__name",
    "source",
    "org__name",
    "responsible_leader",
    "responsible_person",
    "kind",
    "deadline",
    "status",
    "progress",
    "closed_at",
    "closure_note",
    "imported_closure_id",
    "urgent",
)
BATCH = 2000
KINDS, SOURCES, STATUSES = ({k: str(v) for k, v in c.choices} for c in (Kind, Source, Status))


def _status(row: dict[str, Any]) -> str:
    """The status, with 导入销号 beside it for a problem an imported file reported done: such
    closures stay apart from those approved in taizhang everywhere they are shown."""
    status = STATUSES.get(row["status"], row["status"])
    if row["imported_closure_id"] is None:
        return status
    return f"{status}(导入销号)" if row["status"] == Status.CLOSED else f"{status}(原台账已完成)"


def problem_rows(
    problems: QuerySet[Problem],
    campaign: Campaign,
    today: dt.date,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[Any]]:
    cutoff = due_soon_cutoff(campaign, today)
    tz = timezone.get_current_timezone()
    batch: list[dict[str, Any]] = []
    serial = 0

    def flush() -> Iterator[list[Any]]:
        nonlocal serial
        ids = [row["pk"] for row in batch]
        measures: dict[int, list[str]] = {}
        for pid, order, content in (
            Measure.objects.filter(problem_id__in=ids)
            .order_by("problem_id", "order", "pk")
            .values_list("problem_id", "order", "content")
        ):
            measures.setdefault(pid, []).append(f"{order}. {content}")
        latest: dict[int, str] = {}
        for pid, day, text in (
            ProgressReport.objects.filter(problem_id__in=ids)
            .order_by("problem_id", "-reported_on", "-pk")
            .values_list("problem_id", "reported_on", "text")
        ):
            latest.setdefault(pid, f"{day:%Y-%m-%d} {text}")
        for row in batch:
            serial += 1
            closed = row["closed_at"].astimezone(tz).date() if row["closed_at"] else None
            yield [
                serial,
                row["number"],
                row["title"],
                row["focus_area__name"],
                SOURCES.get(row["source"], row["source"]),
                row["org__name"],
                row["responsible_leader"],
                row["responsible_person"],
                KINDS.get(row["kind"], row["kind"]),
                "\n".join(measures.get(row["pk"], [])),
                row["deadline"],
                str(DeadlineState.labels[state_of(row["status"], row["deadline"], today, cutoff)]),
                f"{row['progress']}%",
                latest.get(row["pk"], ""),
                _status(row),
                closed,
                row["closure_note"],
                "是" if row["urgent"] else "",
            ]
        if progress:
            progress(serial)
        batch.clear()

    for row in problems.values(*FIELDS).iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from flush()
    if batch:
        yield from flush()


def export_problems(
    problems: QuerySet[Problem],
    *,
    campaign: Campaign,
    org: Org | None,
    out: Path,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    today = today or timezone.localdate()
    total = problems.count()
    rows = problem_rows(problems, campaign, today, progress)
    if out.suffix.lower() == ".csv":
        return write_csv(out, columns=COLUMNS, rows=rows)
    unit = (org or campaign.org).name
    title = f"{campaign.name}问题整改台账"
    return write_workbook(
        out,
        [Part("问题台账", PRINTED), Part("其他信息", MORE, title=f"{title}(其他信息)")],
        rows,
        title=title,
        subtitle=f"填报单位:{unit}    导出日期:{today:%Y年%m月%d日}    共 {total} 条",
        all_columns=COLUMNS,
        footer_line=f"填表人:{' ' * 16}审核人:{' ' * 16}日期:{today:%Y年%m月%d日}",
    )
