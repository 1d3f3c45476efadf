"""Suggestions collected on paper (意见表), in boxes (意见箱) and at symposiums (座谈会), from the
sheets offices type them into. Each row goes through the intake service like any submission;
the file is all or nothing, and every error names its sheet, row and column."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from taizhang.campaigns.models import Campaign
from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.sheets.errors import ImportRefused, RowError
from taizhang.sheets.headers import locate_header
from taizhang.sheets.reading import read_table
from taizhang.sheets.values import BadValue, parse_date, text

HEADERS: dict[str, tuple[str, ...]] = {
    "text": ("内容", "意见建议", "意见内容", "建议内容", "具体内容"),
    "title": ("标题", "主题", "事由"),
    "channel": ("渠道", "来源渠道", "收集方式"),
    "collected_on": ("收集日期", "日期", "时间"),
    "place": ("收集地点", "座谈地点", "地点"),
    "address": ("涉及地点", "反映地点", "地址"),
    "name": ("姓名", "提出人", "反映人"),
    "phone": ("电话", "联系电话", "手机"),
    "confidential": ("保密", "是否保密"),
    "votes": ("附议数", "点赞数", "点赞"),
}
REQUIRED = ("text",)
CHANNELS = {
    "网络": Channel.WEB,
    "意见表": Channel.FORM,
    "意见箱": Channel.BOX,
    "热线": Channel.HOTLINE,
    "座谈会": Channel.SYMPOSIUM,
    "来信来访": Channel.LETTER,
    "征文": Channel.ESSAY,
    **{c.value: c.value for c in Channel},
}
YES = {"是", "保密", "1", "y", "yes", "true", "√"}


@dataclass
class SuggestionImportResult:
    created: int = 0


@transaction.atomic
def import_suggestions(
    path: Path,
    *,
    campaign: Campaign,
    by: Any = None,
    dry_run: bool = False,
    default_channel: str = Channel.FORM,
) -> SuggestionImportResult:
    table = read_table(path, {word for words in HEADERS.values() for word in words})
    header, columns = locate_header(table.sheet, table.rows, HEADERS, REQUIRED)
    names = {key: text(table.rows[header][i]) for key, i in columns.items()}
    errors: list[RowError] = []
    result = SuggestionImportResult()
    for line, raw in enumerate(table.rows[header + 1 :], start=header + 2):
        v = {key: raw[i] if i < len(raw) else "" for key, i in columns.items()}
        if all(text(x) == "" for x in v.values()):
            continue
        cell = v.get("text")
        content = cell.strip() if isinstance(cell, str) else text(cell)  # keeps line breaks
        if not content:
            errors.append(RowError(table.sheet, line, names["text"], "不能为空"))
            continue
        channel = CHANNELS.get(text(v.get("channel")) or default_channel)
        if channel is None:
            errors.append(
                RowError(
                    table.sheet,
                    line,
                    names["channel"],
                    f"“{text(v['channel'])}”应为:{'、'.join(list(CHANNELS)[:7])}",
                )
            )
            continue
        try:
            collected_on = parse_date(v.get("collected_on"))
        except BadValue as exc:
            errors.append(RowError(table.sheet, line, names["collected_on"], str(exc)))
            continue
        votes_text = text(v.get("votes")) or "0"
        if not votes_text.isdigit():
            errors.append(RowError(table.sheet, line, names["votes"], "应为不小于 0 的整数"))
            continue
        try:
            with transaction.atomic():
                intake.submit_suggestion(
                    campaign,
                    channel=channel,
                    title=text(v.get("title")) or content[:30],
                    text=content,
                    address=text(v.get("address")),
                    name=text(v.get("name")),
                    phone=text(v.get("phone")),
                    confidential=text(v.get("confidential")).lower() in YES,
                    by=by,
                    collected_on=collected_on,
                    collected_at_place=text(v.get("place")),
                    rate_limited=False,
                    votes=int(votes_text),
                )
        except ValidationError as exc:
            errors.extend(RowError(table.sheet, line, "", m) for m in exc.messages)
            continue
        result.created += 1
    if errors:
        transaction.set_rollback(True)
        raise ImportRefused(errors)
    if dry_run:
        transaction.set_rollback(True)
    return result
