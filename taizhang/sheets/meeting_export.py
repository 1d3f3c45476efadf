"""The meetings register (会议台账): one row per meeting with its attendance counts."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.meetings.models import Meeting, Presence
from taizhang.sheets.workbook import Column, write_csv, write_xlsx

COLUMNS = [
    Column("日期", 11),
    Column("时间", 12),
    Column("单位", 22),
    Column("会议类型", 10),
    Column("主题", 34),
    Column("地点", 14),
    Column("主持人", 10),
    Column("出席", 6),
    Column("请假", 6),
    Column("缺席", 6),
    Column("列席", 6),
    Column("状态", 8),
]


def meeting_rows(meetings: QuerySet[Meeting]) -> Iterator[list[Any]]:
    counted = meetings.select_related("org", "kind").annotate(
        present=Count("attendance", filter=Q(attendance__presence=Presence.PRESENT,
                                             attendance__member__isnull=False)),
        excused=Count("attendance", filter=Q(attendance__presence=Presence.EXCUSED)),
        absent=Count("attendance", filter=Q(attendance__presence=Presence.ABSENT)),
        guests=Count("attendance", filter=Q(attendance__member__isnull=True)),
    )  # fmt: skip
    for m in counted.iterator(chunk_size=2000):
        yield [
            m.held_on,
            f"{m.starts_at:%H:%M}–{m.ends_at:%H:%M}",
            m.org.name,
            m.kind.name,
            m.topic,
            m.place,
            m.host,
            m.present,
            m.excused,
            m.absent,
            m.guests,
            m.get_status_display(),
        ]


def export_meetings(
    meetings: QuerySet[Meeting], *, campaign: Campaign, out: Path, today: dt.date | None = None
) -> int:
    today = today or timezone.localdate()
    rows = meeting_rows(meetings.order_by("held_on", "org_path", "pk"))
    if out.suffix.lower() == ".csv":
        return write_csv(out, columns=COLUMNS, rows=rows)
    return write_xlsx(
        out,
        sheet="会议台账",
        title=f"{campaign.name}会议台账",
        subtitle=f"导出日期:{today:%Y年%m月%d日}    共 {meetings.count()} 次",
        columns=COLUMNS,
        rows=rows,
    )
