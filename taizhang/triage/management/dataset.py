"""Labelled or unlabelled messages from any CSV or spreadsheet, by column name."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

from taizhang.sheets.reading import read_table
from taizhang.sheets.values import text as cell_text
from taizhang.triage.topics import Message


@dataclass
class Columns:
    text: list[str]  # joined with a space; the first is treated as the title
    label: str = ""
    likes: str = ""
    time: str = ""
    user: str = ""
    id: str = ""


@dataclass
class Rows:
    messages: list[Message]
    labels: list[str]


def split_names(value: str) -> list[str]:
    return [n.strip() for n in value.replace("，", ",").split(",") if n.strip()]


def read_rows(path: Path, columns: Columns) -> Rows:
    wanted = [*columns.text, columns.label, columns.likes, columns.time, columns.user, columns.id]
    table = read_table(path, {n for n in wanted if n})
    if not table.rows:
        raise ValidationError(f"{path.name}: 文件是空的 (the file is empty)")
    header = [cell_text(v) for v in table.rows[0]]
    where: dict[str, int] = {}
    for name in (n for n in wanted if n):
        if name not in header:
            raise ValidationError(
                f"{path.name}: 找不到列“{name}”;文件中的列为:{'、'.join(h for h in header if h)}"
                f" (no column {name!r})"
            )
        where[name] = header.index(name)
    messages, labels = [], []
    for number, row in enumerate(table.rows[1:], start=2):

        def get(name: str, row: list[object] = row) -> str:
            i = where.get(name)
            return cell_text(row[i]) if name and i is not None and i < len(row) else ""

        texts = [get(n) for n in columns.text]
        if not any(texts):
            continue
        label = get(columns.label)
        if columns.label and not label:
            raise ValidationError(
                f"{path.name} 第 {number} 行,“{columns.label}”列:标签为空 (row {number}: no label)"
            )
        messages.append(
            Message(
                id=get(columns.id) or str(number),
                title=texts[0] if len(texts) > 1 else "",
                text=" ".join(texts[1:]) if len(texts) > 1 else texts[0],
                user=get(columns.user),
                likes=_int(get(columns.likes), path, number, columns.likes),
                at=_time(get(columns.time), path, number, columns.time),
            )
        )
        labels.append(label)
    return Rows(messages, labels)


def _int(value: str, path: Path, row: int, column: str) -> int:
    if not value:
        return 0
    try:
        return int(float(value))
    except ValueError:
        raise ValidationError(
            f"{path.name} 第 {row} 行,“{column}”列:“{value}”不是数字 (not a number)"
        ) from None


def _time(value: str, path: Path, row: int, column: str) -> dt.datetime | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    raise ValidationError(
        f"{path.name} 第 {row} 行,“{column}”列:无法识别的时间“{value}” (unreadable time)"
    )
