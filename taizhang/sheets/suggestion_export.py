"""Suggestions as a workbook. Names and phone numbers are masked unless the reader may see them."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.core.receipts import display
from taizhang.intake.models import Channel, Rating, Suggestion, SuggestionStatus
from taizhang.intake.privacy import mask_name, mask_numbers_in_text, mask_phone
from taizhang.sheets.workbook import Column, write_csv, write_xlsx

COLUMNS = [
    Column("回执码", 15),
    Column("渠道", 10),
    Column("标题", 30),
    Column("内容", 50, wrap=True),
    Column("地点", 20),
    Column("姓名", 10),
    Column("电话", 14),
    Column("提交时间", 17),
    Column("状态", 10),
    Column("答复", 40),
    Column("评价", 10),
]
CHANNELS, STATUSES, RATINGS = (
    dict(Channel.choices),
    dict(SuggestionStatus.choices),
    dict(Rating.choices),
)


def suggestion_rows(suggestions: QuerySet[Suggestion], unmask: bool) -> Iterator[list[Any]]:
    tz = timezone.get_current_timezone()
    fields = (
        "receipt_code",
        "channel",
        "title",
        "text",
        "address",
        "name",
        "phone",
        "submitted_at",
        "status",
        "answer",
        "rating",
    )
    for row in suggestions.values(*fields).iterator(chunk_size=2000):
        yield [
            display(row["receipt_code"]),
            CHANNELS.get(row["channel"]),
            row["title"],
            mask_numbers_in_text(row["text"]),
            row["address"],
            row["name"] if unmask else mask_name(row["name"]),
            row["phone"] if unmask else mask_phone(row["phone"]),
            row["submitted_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            STATUSES.get(row["status"]),
            row["answer"],
            RATINGS.get(row["rating"], ""),
        ]


def export_suggestions(
    suggestions: QuerySet[Suggestion],
    *,
    campaign: Campaign,
    out: Path,
    unmask: bool = False,
    today: dt.date | None = None,
) -> int:
    today = today or timezone.localdate()
    rows = suggestion_rows(suggestions.order_by("submitted_at", "pk"), unmask)
    if out.suffix.lower() == ".csv":
        return write_csv(out, columns=COLUMNS, rows=rows)
    return write_xlsx(
        out,
        sheet="意见建议",
        title=f"{campaign.name}意见建议台账",
        subtitle=f"导出日期:{today:%Y年%m月%d日}    共 {suggestions.count()} 条",
        columns=COLUMNS,
        rows=rows,
    )
