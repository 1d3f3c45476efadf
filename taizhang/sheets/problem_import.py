"""Bring an office's existing ledger in: any unit's workbook, checked row by row.

All or nothing by default; with `partial` the valid rows go in and the refused ones come back
with the reason. Rows whose 编号 already exists update that problem instead of duplicating it.
Every error names the sheet, the row and the column, in Chinese.
"""

import datetime as dt
import difflib
import itertools
import re
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.catalogue.services import Route, Router
from taizhang.core.bulk import insert_rows, reserve_ids
from taizhang.ledger import chain, permissions, tallies
from taizhang.ledger.deadlines import default_deadline
from taizhang.ledger.evidence_files import evidence_path
from taizhang.ledger.models import (
    EVENT_COLUMNS,
    OPEN_STATUSES,
    EventAction,
    ImportedClosure,
    Kind,
    Measure,
    NumberSequence,
    Part,
    PartState,
    Problem,
    ProblemEvent,
    ProgressReport,
    Source,
    Status,
)
from taizhang.orgs.models import Org, OrgAlias
from taizhang.orgs.naming import short_form, split_units, without_prefix
from taizhang.orgs.scoping import scope_of
from taizhang.sheets.errors import HeaderNotFound, RowError
from taizhang.sheets.headers import locate_header
from taizhang.sheets.reading import Table, read_tables
from taizhang.sheets.values import KIND_IN_DEADLINE, BadValue, read_deadline, text
from taizhang.sheets.workbook import Column, write_xlsx
from taizhang.triage.services import area_proposer

# Field → the header names offices use for it; the first is the one our template uses.
HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("编号", "问题编号", "台账编号"),
    "title": ("问题", "问题描述", "存在问题", "问题内容", "具体问题", "问题表现", "反馈问题",
              "问题清单", "整改任务", "存在的问题", "查摆问题", "主要问题", "问题及表现",
              "问题名称", "整改事项", "整改问题"),
    "focus_area": ("聚焦领域", "领域", "问题类别", "所属领域", "问题类型", "问题分类"),
    "source": ("来源", "问题来源"),
    "org": ("责任单位", "牵头单位", "主办单位", "责任部门", "整改单位", "承办单位", "牵头科室",
            "牵头部门", "责任科室", "承办部门", "整改责任单位", "责任主体", "整改主体"),
    "leader": ("责任领导", "分管领导", "牵头领导", "包联领导", "责任校领导", "领导"),
    "person": ("责任人", "具体责任人", "责任人员", "经办人", "联络人"),
    "kind": ("整改类型", "整改方式", "办理方式", "整改类别"),
    "measures": ("整改措施", "措施", "主要措施", "具体措施", "整改举措", "工作措施"),
    "deadline": ("整改时限", "完成时限", "时限", "整改期限", "完成时间", "办结时限",
                 "整改时间", "计划完成时间", "完成期限", "时间节点"),
    "urgent": ("重大紧急", "是否重大紧急", "是否紧急", "紧急程度", "紧急", "缓急程度"),
    "completion": ("完成情况", "整改进展", "整改成效", "进展情况", "整改情况", "落实情况",
                   "整改完成情况", "目前进展", "办理情况"),
}  # fmt: skip
# 完成情况 that says the problem is done (and no 未 / 正在 / 基本 before it).
FINISHED = re.compile(
    r"^(?!.*(?:未|没有|尚未|正在|基本|部分|持续|推进中))"
    r".*(?:已完成|已整改|已销号|已办结|完成整改|整改完成|整改完毕|已解决|已落实|已到位|办结)"
)
# What no office's own ledger lacks. The focus area comes from section rows or the default the
# importer chooses, the handling kind from the deadline's words, the source from a default.
REQUIRED = ("title", "org")
PART_COLUMNS = (
    "campaign_id", "problem_id", "org_id", "org_path", "state", "deadline", "created_at",
    "progress", "note", "waive_reason",
)  # fmt: skip
# The words of the import format are Chinese whatever the reader's language.
KIND_WORDS = {
    **KIND_IN_DEADLINE,
    **{k.value: k.value for k in Kind},
}
SOURCE_WORDS = {
    "自查": Source.SELF_FOUND,
    "意见建议": Source.SUGGESTION,
    "督导发现": Source.INSPECTION,
    "上级交办": Source.ASSIGNED,
    **{s.value: s.value for s in Source},
}
# Where a problem came from, as offices write it, by the words in it (the first that fits).
SOURCE_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("自查", "自纠", "查摆", "民主生活会", "组织生活会", "对照检查", "自我排查"),
        Source.SELF_FOUND,
    ),
    (("上级交办", "交办", "转办", "督办"), Source.ASSIGNED),
    (("督导", "督查", "巡察", "巡视", "检查", "暗访", "审计", "指导组"), Source.INSPECTION),
    (("意见", "建议", "群众", "热线", "12345", "信访", "来信", "留言", "反映"), Source.SUGGESTION),
)


URGENT_WORDS = {"是", "√", "✓", "✔", "急", "紧急", "重大", "重大紧急", "特急", "加急", "很急",
                "1", "y", "yes", "true"}  # fmt: skip
NOT_URGENT_WORDS = {"否", "×", "一般", "普通", "常规", "不急", "非紧急", "无", "0", "n", "no",
                    "false"}  # fmt: skip


def urgent_of(written: str) -> bool | None:
    """是 / 紧急 / 特急 → True, 否 / 一般 → False; None for words that say neither."""
    word = written.strip().lower()
    if word in URGENT_WORDS:
        return True
    return False if word in NOT_URGENT_WORDS else None


def source_of(written: str) -> str | None:
    """巡察反馈 → 督导发现, 群众反映 → 意见建议, 上级督办 → 上级交办; None when no word fits."""
    if written in SOURCE_WORDS:
        return SOURCE_WORDS[written]
    return next((s for words, s in SOURCE_HINTS if any(w in written for w in words)), None)


def kind_of(written: str) -> str | None:
    """The handling kind a 整改类型 cell names, also inside longer text (限期整改（3个月）)."""
    if written in KIND_WORDS:
        return KIND_WORDS[written]
    return next((k for word, k in KIND_IN_DEADLINE.items() if word in written), None)


MAX_DEADLINE_DAYS_AFTER = 366 * 3
# Distinct unknown unit names for which near names are looked for (each compares them all).
MAX_SUGGESTED = 200
# "1." "2、" "(3)" at the start of a measure typed as a numbered list.
NUMBERING = re.compile(r"^\s*[(\uff08]?\d+[.\u3001)\uff09]\s*")


# What each count of inferred values means, for the page (the keys are the JSON summary's).
INFERRED = {
    "focus_area_from_section": "聚焦领域取自分节标题",
    "focus_area_default": "聚焦领域用默认值",
    "focus_area_proposed": "聚焦领域由系统建议(待确认)",
    "kind_from_deadline": "整改类型按时限的写法推断",
    "kind_default": "整改类型按限期整改",
    "source_default": "来源用默认值",
    "org_from_catalogue": "责任单位按派单目录填写",
    "kind_from_catalogue": "整改类型按派单目录填写",
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    refused: list[RowError] = field(default_factory=list)
    # Rows read and left out because they are not problems (section titles, totals, notes).
    skipped: list[RowError] = field(default_factory=list)
    # Rows without 编号 found in the ledger by their unit and text (and so updates, not new).
    matched: int = 0
    # Rows that name a problem already in the ledger and change nothing in it.
    unchanged: int = 0
    # New problems the file says are done: open until the office confirms them (导入销号).
    closed_before_import: int = 0
    # What was read: the sheet, which column became which field, the columns left out, and
    # how many values were inferred rather than read (focus area from a section row, …).
    sheets: list[str] = field(default_factory=list)
    # Sheets left out, with why (a summary sheet, a sheet of notes).
    sheets_skipped: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    inferred: Counter[str] = field(default_factory=Counter)

    def inferred_lines(self) -> list[str]:
        return [f"{INFERRED.get(key, key)}:{n} 行" for key, n in self.inferred.items() if n]

    def summary(self) -> dict[str, Any]:
        """What `taizhang import --json` prints."""
        return {
            "sheets": self.sheets,
            "sheets_skipped": self.sheets_skipped,
            "columns": self.columns,
            "ignored_columns": self.ignored,
            "warnings": [
                f"未导入的列“{name}”看起来是{what},请确认"
                for name in self.ignored
                for words, what in LOOKS_LIKE
                if any(w in name for w in words)
            ],
            "problems_new": self.created,
            "problems_updated": self.updated,
            "problems_unchanged": self.unchanged,
            "matched_without_number": self.matched,
            "closed_before_import": self.closed_before_import,
            "rows_skipped": len(self.skipped),
            "rows_refused": self.refused_rows,
            "inferred": dict(self.inferred),
            "written": self.written,
        }

    written: bool = False
    error_file: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.refused

    @property
    def refused_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.refused})


@dataclass
class _Row:
    sheet: str
    line: int
    raw: list[Any]
    values: dict[str, Any]
    # Field → the header it was read under (shared by the rows of a sheet).
    names: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> tuple[str, int]:
        return self.sheet, self.line

    def column(self, key: str) -> str:
        return self.names.get(key) or HEADERS[key][0]


@dataclass
class _Part:
    """One sheet of the file that holds a ledger: where its header ends and its columns."""

    table: Table
    header: int
    columns: dict[str, int]

    @property
    def body(self) -> int:
        return len(self.table.rows) - self.header - 1


@dataclass
class _More:
    """Sheets that say more of the problems another sheet lists, row by row by 编号 (our own
    export prints what offices print on its first sheet and the rest on a second): 编号 →
    field → value, and each field's header, named with its sheet."""

    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)

    def add(self, part: _Part) -> None:
        self.sheets.append(part.table.sheet)
        number = part.columns["number"]
        others = {k: i for k, i in part.columns.items() if k != "number"}
        for key, index in others.items():
            header = text(part.table.rows[part.header][index])
            self.names.setdefault(key, f"{header}(工作表“{part.table.sheet}”)")
        for raw in part.table.rows[part.header + 1 :]:
            given = text(_cell(raw, number))[:40]
            if given:
                self.values.setdefault(given, {}).update(
                    {k: _cell(raw, i) for k, i in others.items() if _cell(raw, i) not in ("", None)}
                )


class _Lookup:
    def __init__(self, campaign: Campaign, by: Any) -> None:
        self.campaign, self.by = campaign, by
        orgs = list(
            Org.objects.filter(path__under=campaign.org.path).only(
                "id", "code", "name", "path", "depth", "parent_id"
            )
        )
        self.by_code = {o.code: o for o in orgs}
        self.by_name: dict[str, Org] = {}
        self.by_short: dict[str, list[Org]] = {}
        self.ambiguous: set[str] = set()
        for org in orgs:
            if org.name in self.by_name:
                self.ambiguous.add(org.name)
            self.by_name.setdefault(org.name, org)
            self.by_short.setdefault(short_form(org.name), []).append(org)
        self.by_id = {o.pk: o for o in orgs}
        # The other names the office keeps for units (OrgAlias) count like their own names.
        for alias, org_id in OrgAlias.objects.filter(org__in=orgs).values_list("name", "org_id"):
            if org_id in self.by_id and alias not in self.by_name:
                self.by_name[alias] = self.by_id[org_id]
                self.by_short.setdefault(short_form(alias), []).append(self.by_id[org_id])
        # The names a unit is written with in front of its own units' names (临汾市, 尧都区).
        self.prefixes = [
            campaign.org.name,
            *(o.name for o in orgs if o.depth == campaign.org.depth + 1),
        ]
        self.home = self._home_county(by)
        self.areas = {a.name: a for a in campaign.focus_areas.all()}
        self.allowed: dict[int, bool] = {}
        self.resolved: dict[str, Org | BadValue] = {}
        self.suggested = 0
        self.own_parts: dict[str, str] | None = None
        self._proposer: Any = None
        self._router: Router | None = None

    def route(self, area: Any, title: str) -> Route | None:
        """The dispatch catalogue's entry for a row that names no unit (read once)."""
        if self._router is None:
            self._router = Router(self.campaign)
        return self._router.route(getattr(area, "pk", None), title) if self._router else None

    def area(self, written: str) -> Any:
        """The focus area a cell names: its name, or the one area whose name holds what was
        written or is held in it (营商环境 for 优化营商环境), or None."""
        if written in self.areas:
            return self.areas[written]
        bare = written.removesuffix("方面").removesuffix("领域").removeprefix("聚焦")
        fits = [a for name, a in self.areas.items() if bare and (bare in name or name in bare)]
        return fits[0] if len(fits) == 1 else None

    def propose_area(self, title: str) -> Any:
        """The focus area the triage model (or the campaign's keywords) proposes for a row
        that names none, or None; the model is loaded only when a row needs it."""
        if self._proposer is None:
            self._proposer = area_proposer(self.campaign) or (lambda _title: None)
        return self._proposer(title)

    def _home_county(self, by: Any) -> Org | None:
        """The unit one level below the campaign's in which the importer works: where 区发改局
        means that county's 发改局."""
        if by is None:
            return None
        paths = [p for p in scope_of(by).paths() if p.startswith(self.campaign.org.path)]
        depth = self.campaign.org.path.count("/")
        for path in sorted(paths, key=len):
            parts = path.strip("/").split("/")
            if len(parts) >= depth:
                code = parts[depth - 1]
                if code in self.by_code:
                    return self.by_code[code]
        return None

    def find(self, value: str) -> Org:
        """The unit a cell names, however the office wrote it; BadValue saying why not. A
        ledger names a few hundred units over and over: each spelling is worked out once."""
        known = self.resolved.get(value)
        if known is None:
            try:
                known = self.resolved[value] = self._find(value)
            except BadValue as exc:
                known = self.resolved[value] = exc
        if isinstance(known, BadValue):
            raise known
        return known

    def _find(self, value: str) -> Org:
        if value in self.ambiguous and value not in self.by_code:
            raise BadValue(f"有多个单位叫“{value}”,请改填单位代码")
        org = self.by_code.get(value) or self.by_name.get(value) or self._as_written(value)
        if org is None:
            near = self._near(value)
            hint = f";您是不是要找:{'、'.join(near)}" if near else ""
            raise BadValue(f"找不到单位“{value}”{hint}")
        return org

    def _near(self, value: str) -> list[str]:
        """Up to three units a mistyped name may mean, compared without the city and county
        before them, those of the importer's own county first: 区人设局 typed in 尧都区 is
        尧都区人社局 before it is the city's 临汾市人社局."""
        self.suggested += 1
        if self.suggested > MAX_SUGGESTED:
            return []  # a file of unknown units: the first ones show what is wrong
        if self.own_parts is None:
            self.own_parts = {name: self._own_part(name) for name in self.by_name}
        typed = self._own_part(value)
        if len(typed) > 2 and typed[:1] in "区县市":
            typed = typed[1:]
        scored = []
        matcher = difflib.SequenceMatcher(None, b=typed)
        for name, org in self.by_name.items():
            matcher.set_seq1(self.own_parts[name])
            likeness = matcher.ratio()
            if likeness >= 0.6:
                outside = self.home is not None and not org.path.startswith(self.home.path)
                scored.append((outside, -likeness, name))
        return [name for _outside, _likeness, name in sorted(scored)[:3]]

    def _own_part(self, name: str) -> str:
        """临汾市尧都区发改局 → 发改局: the part of a unit's name that is its own."""
        return short_form(without_prefix(without_prefix(name, self.prefixes[:1]), self.prefixes))

    def org(self, value: str) -> Org:
        """The lead unit, which the importer must be allowed to record problems for."""
        org = self.find(value)
        if self.by is not None and org.pk not in self.allowed:
            self.allowed[org.pk] = permissions.can_record_for(
                self.by, org
            ) or permissions.can_assign_to(self.by, org)
        if self.by is not None and not self.allowed[org.pk]:
            raise BadValue(f"您无权为“{org.name}”导入问题")
        return org

    def _as_written(self, value: str) -> Org | None:
        """A unit written as offices write it: abbreviated (尧都区发改局), with the city before it
        (临汾市尧都区), or as 区X局 / 县X局 / X局 for the importer's own county's unit; a name
        that fits several units is refused with them listed."""
        tries = [value, without_prefix(value, self.prefixes[:1])]
        if self.home is not None and not value.startswith(self.home.name):
            tries.append(self.home.name + (value[1:] if value[:1] in "区县市" else value))
        for written in tries:
            found = self.by_name.get(written)
            if found is not None and written not in self.ambiguous:
                return found
            matches = self.by_short.get(short_form(written), [])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                return self._one_of(value, matches)
        key = short_form(value)
        ending = [o for keyed, orgs in self.by_short.items() if keyed.endswith(key) for o in orgs]
        return self._one_of(value, ending) if ending else None

    def _one_of(self, value: str, matches: list[Org]) -> Org:
        if self.home is not None:
            mine = [o for o in matches if o.path.startswith(self.home.path)]
            if len(mine) == 1:
                return mine[0]
        if len(matches) == 1:
            return matches[0]
        names = "、".join(f"{o.name}({o.code})" for o in matches[:3])
        raise BadValue(f"“{value}”可能是:{names},请改填单位代码")


def _cell(raw: list[Any], index: int | None) -> Any:
    return raw[index] if index is not None and index < len(raw) else ""


# Columns the import does not take yet that an office may expect it to: said in the summary.
LOOKS_LIKE = [
    (("完成情况", "整改进展", "整改成效", "进展", "状态", "进度"), "整改进展或完成情况"),
    (("时限", "时间", "日期"), "时限"),
    (("单位", "部门", "科室"), "单位"),
]


# Rows of an office's sheet that are not problems: totals, notes, the signature lines.
NOT_A_PROBLEM = re.compile(
    r"^(合计|小计|总计|共计|注[:：]|注$|备注[:：]|说明[:：]|填表人|填报人|制表人|审核人|联系人"
    r"|填报日期|填表日期|联系电话|负责人签字|单位盖章|签字)"
)
# A section title row: 一、聚焦…方面  (二) …  第三部分 …
SECTION = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[部分类项章])"
)


@dataclass(frozen=True)
class Defaults:
    """What the importer says for the whole file, where a column is missing or empty."""

    focus_area: str = ""
    source: str = ""


def _not_a_problem(raw: list[Any]) -> str:
    """Why a row is skipped ('' for a problem's row): its first filled cell says. Most rows
    start with a 序号 or a 编号, so this reads one cell of them."""
    first = next((v for v in raw if v is not None and v != ""), None)
    if first is None:
        return "空行"
    if not isinstance(first, str):
        return ""
    head = text(first)
    if NOT_A_PROBLEM.match(head):
        return f"“{head[:20]}”不是问题(合计、注释或签字行)"
    if SECTION.match(head) and len({text(v) for v in raw if v is not None and v != ""}) == 1:
        return f"分节标题“{head[:30]}”"
    return ""


def _section_area(title: str, areas: dict[str, Any]) -> Any:
    """The focus area a section title names (一、聚焦强化担当作为方面 → 强化担当作为), or None."""
    return next((area for name, area in areas.items() if name in title), None)


def _parse(
    table_rows: list[list[Any]],
    sheet: str,
    header: int,
    columns: dict[str, int],
    lookup: _Lookup,
    errors: list[RowError],
    progress: Callable[[str, int, int], None] | None = None,
    defaults: Defaults = Defaults(),
    skipped: list[RowError] | None = None,
    inferred: Counter[str] | None = None,
    seen: dict[Any, tuple[str, int]] | None = None,
    more: _More | None = None,
) -> Iterator[_Row]:
    """The rows that pass, one at a time as they are checked; the others' errors go to
    `errors`, and rows that are not problems (section titles, totals, notes, signatures) to
    `skipped`."""
    campaign = lookup.campaign
    total = len(table_rows) - header - 1
    latest = campaign.ends_on + dt.timedelta(days=MAX_DEADLINE_DAYS_AFTER)
    header_names = {key: text(table_rows[header][index]) for key, index in columns.items()}
    if more is not None and more.values:
        header_names = {**more.names, **header_names}
    else:
        more = None
    seen = seen if seen is not None else {}
    column_items = list(columns.items())
    section_area = None
    held: _Row | None = None  # the last good row, until the next shows it is not continued
    held_identity: Any = None
    held_line = 0
    inferred = inferred if inferred is not None else Counter()
    default_area = lookup.areas.get(defaults.focus_area)
    default_source = defaults.source or "自查"
    for offset, raw in enumerate(table_rows[header + 1 :], start=header + 2):
        if progress and offset % 10_000 == 0:
            progress("检查", offset - header - 1, total)
        width = len(raw)
        texts = {key: text(raw[i]) if i < width else "" for key, i in column_items}
        if more is not None:
            for key, value in more.values.get(texts.get("number", ""), {}).items():
                if not texts.get(key):
                    texts[key] = text(value)
        why = _not_a_problem(raw)
        if why:
            if why.startswith("分节标题"):
                section_area = _section_area(why, lookup.areas) or section_area
            if skipped is not None and why != "空行":
                skipped.append(RowError(sheet, offset, "", why))
            continue
        if not any(texts.values()):
            continue
        values: dict[str, Any] = {}
        row_errors: list[RowError] = []

        def fail(
            key: str, message: str, into: list[RowError] = row_errors, line: int = offset
        ) -> None:
            into.append(RowError(sheet, line, header_names.get(key, ""), message))

        for key in REQUIRED:
            # A row without a unit takes the one the dispatch catalogue names (below).
            if not texts.get(key) and key != "org":
                fail(key, "不能为空")
        lead, helpers = split_units(texts.get("org", ""))
        try:
            if lead:
                values["org"] = lookup.org(lead)
            values["cooperating"] = [lookup.find(h) for h in helpers]
        except BadValue as exc:
            fail("org", str(exc))
        area_name = texts.get("focus_area", "")
        named_area = lookup.area(area_name) if area_name else None
        if area_name and named_area is None:
            fail(
                "focus_area",
                f"“{area_name}”不是本活动的聚焦领域(可选:{'、'.join(lookup.areas)})",
            )
        values["focus_area"] = named_area or section_area or default_area
        if not area_name and values["focus_area"] is not None:
            inferred["focus_area_from_section" if section_area else "focus_area_default"] += 1
        if not area_name and values["focus_area"] is None and texts.get("title"):
            # Proposed, and marked so in the ledger until someone confirms it.
            values["focus_area"] = lookup.propose_area(texts["title"])
            values["area_proposed"] = values["focus_area"] is not None
            inferred["focus_area_proposed"] += values["area_proposed"]
        if not area_name and values["focus_area"] is None:
            fail("focus_area", "没有聚焦领域:请在表中填写,或在导入时选择默认聚焦领域(--area)")
        catalogued = None
        if not lead and texts.get("title"):
            catalogued = lookup.route(values["focus_area"], texts["title"])
            if catalogued is not None:
                try:
                    values["org"] = lookup.org(catalogued.lead.code)
                    values["cooperating"] = values["cooperating"] or catalogued.cooperating
                    inferred["org_from_catalogue"] += 1
                except BadValue as exc:
                    fail("org", f"派单目录指定的{exc}")
        if not lead and catalogued is None:
            fail("org", "不能为空(派单目录中也没有与之匹配的条目)")
        try:
            deadline = read_deadline(_cell(raw, columns.get("deadline")), after=campaign.starts_on)
        except BadValue as exc:
            fail("deadline", str(exc))
            deadline = read_deadline(None, after=campaign.starts_on)
        if deadline.date and not campaign.starts_on <= deadline.date <= latest:
            fail(
                "deadline",
                f"{deadline.date} 不在活动期限内(应在 {campaign.starts_on} 至 {latest})",
            )
        values["deadline"], values["deadline_text"] = deadline.date, deadline.text
        kind = texts.get("kind", "")
        if kind and kind_of(kind) is None:
            fail("kind", f"“{kind}”应为 立行立改、限期整改 或 长期坚持")
        # A kind written in its column wins; else the deadline's words say it; a date alone
        # (or nothing) means 限期整改, by the campaign's time limit when no date is given.
        from_catalogue = catalogued.kind if catalogued is not None else ""
        values["kind"] = (
            (kind_of(kind) if kind else None) or deadline.kind or from_catalogue or Kind.DEADLINE
        )
        if not kind:
            inferred[
                "kind_from_deadline"
                if deadline.kind
                else "kind_from_catalogue"
                if from_catalogue
                else "kind_default"
            ] += 1
        if not texts.get("source"):
            inferred["source_default"] += 1
        source = texts.get("source", "") or default_source
        values["source"] = source_of(source)
        if values["source"] is None:
            fail("source", f"“{source}”应为 自查、意见建议、督导发现 或 上级交办")
        urgent = texts.get("urgent", "")
        values["urgent"] = bool(urgent) and bool(urgent_of(urgent))
        if urgent and urgent_of(urgent) is None:
            fail("urgent", f"“{urgent}”应为 是 或 否(重大紧急)")
        title = texts.get("title", "")
        values["given"] = {key for key, value in texts.items() if value}
        values["title"] = title[:300]
        # Nothing an office wrote is cut off: a long problem goes whole into the description.
        values["description"] = title if len(title) > 300 else ""
        values["number"] = texts.get("number", "")[:40]
        values["leader"] = texts.get("leader", "")[:60]
        values["person"] = texts.get("person", "")[:60]
        values["measures"] = [
            NUMBERING.sub("", m).strip()
            for m in str(_cell(raw, columns.get("measures")) or "").splitlines()
            if m.strip()
        ]
        values["measure_deadlines"] = [None] * len(values["measures"])
        completion = texts.get("completion", "")
        values["completion"] = completion[:2000]
        values["reported_closed"] = bool(completion) and bool(FINISHED.match(completion))
        identity = values["number"] or (title, getattr(values.get("org"), "pk", None))
        if (
            held is not None
            and not row_errors
            and identity == held_identity
            and offset == held_line + 1
        ):
            # The rows under a problem merged down over them: more measures of that problem,
            # each by its own deadline; the problem is due when the last of them is.
            _add_measures(held.values, values)
            held_line = offset
            continue
        if identity in seen:
            where = seen[identity]
            at = f"第 {where[1]} 行" if where[0] == sheet else f"工作表“{where[0]}”第 {where[1]} 行"
            fail("number" if values["number"] else "title", f"与{at}重复")
        seen.setdefault(identity, (sheet, offset))
        if held is not None:
            yield held
            held = None
        if row_errors:
            errors.extend(row_errors)
        else:
            held = _Row(sheet, offset, raw, values, header_names)
            held_identity, held_line = identity, offset
    if held is not None:
        yield held


def _add_measures(into: dict[str, Any], row: dict[str, Any]) -> None:
    if not into["measure_deadlines"] or into["measure_deadlines"][0] is None:
        into["measure_deadlines"] = [into["deadline"]] * len(into["measures"])
    into["measures"].extend(row["measures"])
    into["measure_deadlines"].extend([row["deadline"]] * len(row["measures"]))
    dates = [d for d in (into["deadline"], row["deadline"]) if d is not None]
    into["deadline"] = max(dates) if dates else None


def headers_for(by: Any) -> dict[str, tuple[str, ...]]:
    """The standard header names plus those this user matched before (ImportMapping)."""
    from taizhang.sheets.models import ImportMapping

    headers = {key: tuple(words) for key, words in HEADERS.items()}
    if by is not None and getattr(by, "pk", None):
        for header, key in ImportMapping.objects.filter(user=by, kind="problems").values_list(
            "header", "field"
        ):
            if key in headers:
                headers[key] = (*headers[key], header)
    return headers


def import_problems(
    path: Path,
    *,
    campaign: Campaign,
    by: Any = None,
    dry_run: bool = False,
    partial: bool = False,
    error_file: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    defaults: Defaults = Defaults(),
    file_name: str = "",
    sheet: str = "",
    header_row: int | None = None,
) -> ImportResult:
    """`progress(stage, done, total)` is called as the work goes on (for a bar); `defaults`
    fill the focus area and source where the sheet has no such column or leaves it empty.
    Every sheet with a ledger's header is read, or only `sheet` with its header in row
    `header_row` when the user said so."""
    headers = headers_for(by)
    result = ImportResult()
    more = _More()
    parts = _ledger_parts(read_tables(path), headers, result, sheet, header_row, more)
    lookup = _Lookup(campaign, by)
    errors = result.refused
    numbers = _FileNumbers([], False)
    for part in parts:
        found = _numbers_in(part.table.rows, part.header, part.columns)
        numbers.given += found.given
        numbers.missing = numbers.missing or found.missing
    existing = _existing_numbers(campaign, numbers.given)
    if defaults.focus_area and defaults.focus_area not in lookup.areas:
        raise ValidationError(
            f"默认聚焦领域“{defaults.focus_area}”不是本活动的聚焦领域"
            f"(可选:{'、'.join(lookup.areas)})"
        )
    if defaults.source and source_of(defaults.source) is None:
        raise ValidationError(
            f"默认来源“{defaults.source}”应为 自查、意见建议、督导发现 或 上级交办"
        )
    _say_what_is_read(parts, result)
    result.sheets += [f"{name}(按编号补充)" for name in more.sheets]
    seen: dict[Any, tuple[str, int]] = {}
    rows: Iterator[_Row] = itertools.chain.from_iterable(
        _parse(
            part.table.rows, part.table.sheet, part.header, part.columns, lookup, errors,
            progress, defaults, result.skipped, result.inferred, seen, more,
        )
        for part in parts
    )  # fmt: skip
    if numbers.missing:
        rows = _matched(rows, _by_text(campaign), existing, result)
    if dry_run:
        checked = list(rows)
        _check(result, checked, existing)
        result.closed_before_import = sum(
            1 for r in checked if r.values["reported_closed"] and r.values["number"] not in existing
        )
        result.created = sum(1 for r in checked if r.values["number"] not in existing)
    else:
        new = _NewProblems(
            campaign,
            by,
            existing,
            numbering=numbers.missing,
            rows_at_most=sum(part.body for part in parts),
            source_file=path,
            completion_column=any("completion" in part.columns for part in parts),
            file_name=file_name,
        )
        result.written = _write(new, rows, result, partial, progress)
    if error_file is not None and errors:
        _write_errors(error_file, parts, errors)
        result.error_file = error_file
    return result


def _ledger_parts(
    tables: list[Table],
    headers: dict[str, tuple[str, ...]],
    result: ImportResult,
    sheet: str,
    header_row: int | None,
    more: _More,
) -> list[_Part]:
    """The sheets that hold a ledger. A workbook kept one sheet per unit is read whole; a
    sheet of 编号 and more fields goes to `more`; a sheet without a ledger's header (a
    summary, notes) is left out and said so. When no sheet has one, the first sheet's problem
    is raised for the user to map its columns."""
    if sheet:
        chosen = [t for t in tables if t.sheet == sheet]
        if not chosen:
            names = "、".join(f"“{t.sheet}”" for t in tables)
            raise ValidationError(f"文件中没有工作表“{sheet}”(有:{names})")
        tables = chosen
    parts: list[_Part] = []
    problems: list[HeaderNotFound] = []
    for table in tables:
        try:
            header, columns = locate_header(
                table.sheet, table.rows, headers, REQUIRED, hidden=table.hidden, at=header_row
            )
        except HeaderNotFound as exc:
            extra = _more_of(table, headers)
            if extra is not None:
                more.add(extra)
                continue
            problems.append(exc)
            if table.rows:
                result.sheets_skipped.append(f"“{table.sheet}”:{exc.errors[0].message}")
            continue
        parts.append(_Part(table, header, columns))
    if not parts:
        # A header missing a required column says more than a sheet with no header at all.
        raise next((p for p in problems if "缺少" in p.errors[0].message), problems[0])
    return parts


def _more_of(table: Table, headers: dict[str, tuple[str, ...]]) -> _Part | None:
    """A sheet whose header names 编号 and other fields but no problem: more of the problems
    listed on another sheet."""
    try:
        header, columns = locate_header(
            table.sheet, table.rows, headers, ("number",), hidden=table.hidden
        )
    except HeaderNotFound:
        return None
    if "title" in columns or len(columns) < 2:
        return None
    return _Part(table, header, columns)


def _say_what_is_read(parts: list[_Part], result: ImportResult) -> None:
    """The sheets, which column became which field, and the columns left out (hidden ones
    marked), for the page and `--json` to show before anything is written."""
    result.sheets = [part.table.sheet for part in parts]
    for part in parts:
        names = part.table.rows[part.header]
        for key, index in part.columns.items():
            name = text(names[index])
            known = result.columns.get(key)
            if known is None:
                result.columns[key] = name
            elif name not in known.split(" / "):
                result.columns[key] = f"{known} / {name}"
        for index, value in enumerate(names):
            name = text(value)
            if index in part.table.hidden and name:
                name += "(隐藏列)"
            if name and index not in part.columns.values() and name not in result.ignored:
                result.ignored.append(name)


@dataclass
class _FileNumbers:
    given: list[str]
    missing: bool


def _numbers_in(table_rows: list[list[Any]], header: int, columns: dict[str, int]) -> _FileNumbers:
    """The 编号 the file gives, read before its rows are checked (to know which are updates),
    and whether any row goes without one."""
    index = columns.get("number")
    given: list[str] = []
    missing = False
    for raw in table_rows[header + 1 :]:
        number = text(_cell(raw, index))[:40] if index is not None else ""
        if number:
            given.append(number)
        elif not missing:
            missing = any(cell is not None and cell != "" for cell in raw)
    return _FileNumbers(given, missing)


def same_text(title: str) -> str:
    """A problem's text as re-imports compare it: spaces and punctuation do not count."""
    return re.sub(r"[\s\W_]+", "", title)


def _by_text(campaign: Campaign) -> dict[tuple[int, str], tuple[str, int]]:
    """(lead unit, text) → (编号, id) of the campaign's problems, for rows that come without
    编号: a second import of the same file finds the problems the first one made."""
    rows = Problem.objects.filter(campaign=campaign).values_list("org_id", "title", "number", "pk")
    return {(org, same_text(title)): (number, pk) for org, title, number, pk in rows.iterator()}


def _matched(
    rows: Iterator[_Row],
    by_text: dict[tuple[int, str], tuple[str, int]],
    existing: dict[str, int],
    result: ImportResult,
) -> Iterator[_Row]:
    """Rows without 编号 that name a problem already in the ledger become its updates."""
    for row in rows:
        v = row.values
        if not v["number"] and v.get("org") is not None:
            found = by_text.get((v["org"].pk, same_text(v["title"])))
            if found is not None:
                v["number"] = found[0]
                existing[found[0]] = found[1]
                result.matched += 1
        yield row


def _check(result: ImportResult, rows: list[_Row], existing: dict[str, int]) -> list[_Row]:
    """Check the rows that update problems and count those that may go in; returns them."""
    updates = [r for r in rows if r.values["number"] in existing]
    _check_updates(updates, existing, result.refused)
    refused = {(e.sheet, e.row) for e in result.refused}
    good_updates = [r for r in updates if r.where not in refused]
    changing = [r for r in good_updates if r.values.get("changes")]
    result.updated, result.unchanged = len(changing), len(good_updates) - len(changing)
    return changing


def _chunks(items: list[Any], size: int | None = None) -> Iterable[list[Any]]:
    """Keeps IN lists under SQLite's limit of bound variables (PostgreSQL takes long ones)."""
    size = size or (900 if connection.vendor == "sqlite" else 20_000)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_numbers(campaign: Campaign, numbers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    if len(numbers) > 20_000:  # a whole ledger: one pass over the campaign's numbers
        wanted = set(numbers)
        rows = Problem.objects.filter(campaign=campaign).values_list("number", "pk").iterator()
        return {number: pk for number, pk in rows if number in wanted}
    for chunk in _chunks(numbers):
        found.update(
            Problem.objects.filter(campaign=campaign, number__in=chunk).values_list("number", "pk")
        )
    return found


UPDATED_FIELDS = {
    "title": "title",
    "focus_area": "focus_area",
    "leader": "responsible_leader",
    "person": "responsible_person",
    "urgent": "urgent",
}


def _changes(problem: Problem, values: dict[str, Any]) -> dict[str, Any]:
    """What a row would change in a problem already in the ledger (field → new value)."""
    found = {}
    for key, name in UPDATED_FIELDS.items():
        new = values.get(key)
        if key == "focus_area":
            # Only an area the file names changes a problem, not one the model proposed.
            if (
                new is not None
                and new.pk != problem.focus_area_id
                and not values.get("area_proposed")
            ):
                found[name] = new
        elif key == "urgent":
            # Only a flag the file writes (是 or 否) changes it, not a column left empty.
            if key in values.get("given", set()) and new != problem.urgent:
                found[name] = new
        elif (new or "") != (getattr(problem, name) or ""):
            found[name] = new
    return found


def _check_updates(rows: list[_Row], existing: dict[str, int], errors: list[RowError]) -> None:
    """An update may change what a problem says, not who owns it: that is 交办's work. A row
    that changes nothing is left alone, whatever the problem's state (an export re-imported)."""
    if not existing:
        return
    current = {
        p.number: p
        for chunk in _chunks(list(existing.values()))
        for p in Problem.objects.filter(pk__in=chunk).only(
            "number", "org_id", "status", "title", "focus_area_id", "responsible_leader",
            "responsible_person", "deadline", "kind", "source", "urgent",
        )
    }  # fmt: skip
    measures: dict[int, list[str]] = {}
    for chunk in _chunks(list(existing.values())):
        for pid, content in (
            Measure.objects.filter(problem_id__in=chunk)
            .order_by("problem_id", "order", "pk")
            .values_list("problem_id", "content")
        ):
            measures.setdefault(pid, []).append(content)
    for row in rows:
        problem = current.get(row.values["number"])
        if problem is None:
            continue
        row.values["changes"] = _changes(problem, row.values)
        if row.values.get("org") and row.values["org"].pk != problem.org_id:
            errors.append(
                RowError(
                    row.sheet,
                    row.line,
                    row.column("org"),
                    "变更责任单位请通过交办办理,导入不能修改",
                )
            )
        elif row.values["changes"] and problem.status not in OPEN_STATUSES:
            errors.append(
                RowError(
                    row.sheet,
                    row.line,
                    row.column("number"),
                    f"{problem.number} 的状态为“{problem.get_status_display()}”,不能再修改",
                )
            )
        for key, message in _not_by_import(problem, row.values, measures.get(problem.pk, [])):
            errors.append(RowError(row.sheet, row.line, row.column(key), message))


def _not_by_import(
    problem: Problem, values: dict[str, Any], measures: list[str]
) -> Iterator[tuple[str, str]]:
    """Changes an import does not make, said instead of silently left out: a deadline moves
    by an extension request, measures are added on the problem's page, and the kind and source
    are what the problem was recorded with."""
    given = values.get("given", set())
    if "deadline" in given and values["deadline"] and values["deadline"] != problem.deadline:
        yield (
            "deadline",
            (
                f"整改时限从 {problem.deadline} 改为 {values['deadline']}:"
                "变更时限须提交延期申请,导入不能修改"
            ),
        )
    if "kind" in given and values["kind"] != problem.kind:
        yield "kind", "整改类型不能通过导入修改"
    if "source" in given and values["source"] != problem.source:
        yield "source", "来源不能通过导入修改"
    if "measures" in given and values["measures"] != measures:
        yield "measures", "整改措施与台账中的不同:请在问题页添加措施,导入不能修改"


PROBLEM_COLUMNS = (
    "id",
    "campaign_id",
    "number",
    "title",
    "description",
    "source",
    "focus_area_id",
    "org_id",
    "org_path",
    "responsible_leader",
    "responsible_person",
    "kind",
    "status",
    "deadline",
    "deadline_provisional",
    "deadline_basis",
    "progress",
    "created_by_id",
    "created_at",
    "version",
    "closure_note",
    "imported_closure_id",
    "focus_area_proposed",
    "urgent",
)
REPORT_COLUMNS = (
    "problem_id",
    "measure_id",
    "reported_on",
    "percent",
    "text",
    "author_id",
    "created_at",
)
MEASURE_COLUMNS = ("problem_id", "order", "content", "deadline", "progress")


class _NothingToWrite(Exception):
    pass


class _Refused(Exception):
    """Raised inside the import's transaction to undo what it wrote."""


def _write(
    new: "_NewProblems",
    rows: Iterator[_Row],
    result: ImportResult,
    partial: bool,
    progress: Callable[[str, int, int], None] | None,
) -> bool:
    """Write the rows as they are checked; undo it all if the file is refused. Returns whether
    anything was written.

    The new problems go to the database while the rows after them are still being checked
    (on PostgreSQL, the server stores them on the other core), so a refusal is only known at
    the end: then the transaction is rolled back and nothing is left.
    """
    try:
        with transaction.atomic():
            new.prepare()
            stop = (lambda: False) if partial else (lambda: bool(result.refused))
            insert_rows(Problem, PROBLEM_COLUMNS, new.from_rows(rows, stop))
            updates = _check(result, new.updates, new.existing)
            result.created = new.count
            if result.refused and not partial:
                raise _Refused
            if not (new.count or updates):
                raise _NothingToWrite
            total = new.count + len(updates)
            if progress:
                progress("写入", 0, total)
            new.finish()
            _update_existing(updates, new.existing, new.by_id, new.now, new.events)
            insert_rows(ProblemEvent, EVENT_COLUMNS, chain.sealed_rows(new.campaign.pk, new.events))
            insert_rows(Measure, MEASURE_COLUMNS, new.measures)
            cooperation = Problem.cooperating_orgs.through
            insert_rows(cooperation, ("problem_id", "org_id"), new.cooperating)
            insert_rows(Part, PART_COLUMNS, new.parts)
            insert_rows(ProgressReport, REPORT_COLUMNS, new.reports)
            result.closed_before_import = new.closed
            # The new rows' tally keys, from what was just written (no need to read it back).
            tallies.track_added(new.keys)
    except _Refused:
        return False
    except _NothingToWrite:
        return not result.refused  # every row is in the ledger already, as it stands
    if progress:
        progress("写入", total, total)
    return True


class _NewProblems:
    """The new problems as tuples for the database, with their history, measures and tallies."""

    def __init__(
        self,
        campaign: Campaign,
        by: Any,
        existing: dict[str, int],
        *,
        numbering: bool,
        rows_at_most: int,
        source_file: Path,
        completion_column: bool = False,
        file_name: str = "",
    ) -> None:
        self.campaign, self.by, self.existing = campaign, by, existing
        self.source_file, self.completion_column = source_file, completion_column
        self.file_name = file_name or source_file.name
        self.numbering, self.rows_at_most = numbering, rows_at_most
        self.now, self.today = timezone.now(), timezone.localdate()
        self.by_id = getattr(by, "pk", None)
        self.count = 0
        self.updates: list[_Row] = []
        self.events: list[tuple[Any, ...]] = []
        self.measures: list[tuple[Any, ...]] = []
        self.cooperating: list[tuple[int, int]] = []
        # Each co-operating unit's part, waiting to be signed, due when the problem is.
        self.parts: list[tuple[Any, ...]] = []
        self.reports: list[tuple[Any, ...]] = []
        self.closure: ImportedClosure | None = None
        self.closed = 0
        self.keys: Counter[tallies.Key] = Counter()
        self.not_closed = tallies.on_time_code(None)

    def prepare(self) -> None:
        """Read what the rows need, in the transaction: nothing may be read while they are
        being written."""
        self.first_id = reserve_ids(Problem, self.rows_at_most)
        self.numbers = _Numbers(self.campaign) if self.numbering else None
        self.deadlines = {
            (k, urgent): default_deadline(self.campaign, k, self.today, urgent=urgent)
            for k in Kind.values
            for urgent in (False, True)
        }
        if self.completion_column:
            # Made first, so the problems can name it as they stream in; dropped at the end
            # when no row said it was done.
            self.closure = ImportedClosure.objects.create(
                campaign=self.campaign, file_name=self.file_name[:255], imported_by=self.by,
                imported_at=self.now,
            )  # fmt: skip
        if self.by is not None:
            scope_of(self.by)

    def from_rows(
        self, rows: Iterator[_Row], stop: Callable[[], bool]
    ) -> Iterator[tuple[Any, ...]]:
        """Problem rows; every row is checked, but none is built once `stop()` says the file
        will be refused."""
        for row in rows:
            if row.values["number"] in self.existing:
                self.updates.append(row)
                continue
            self.count += 1
            if not stop():
                yield self._problem(row.values)

    def _problem(self, v: dict[str, Any]) -> tuple[Any, ...]:
        pid = self.first_id + self.count - 1
        deadline, provisional, basis = v["deadline"], False, None
        if deadline is None:
            answer = self.deadlines[(v["kind"], v["urgent"])]
            deadline, provisional, basis = answer.date, answer.provisional, self.today
        own = self.by is None or permissions.can_record_for(self.by, v["org"])
        status = Status.RECTIFYING if own else Status.ASSIGNED
        org, area = v["org"], v["focus_area"]
        key = (self.campaign.pk, org.path, area.pk, v["kind"], v["source"], status)
        self.keys[(*key, self.not_closed)] += 1
        # The deadline as the office wrote it stays beside the date it was read as.
        written = {"deadline_text": v["deadline_text"]} if v["deadline_text"] else {}
        self.events.append(
            (pid, self.now, self.by_id, EventAction.CREATE, "", status, "导入", written)
        )
        self.measures.extend(
            (pid, order, text_, due, 0)
            for order, (text_, due) in enumerate(
                zip(v["measures"], v["measure_deadlines"], strict=True), 1
            )
        )
        helpers = {o.pk: o for o in v["cooperating"] if o.pk != org.pk}.values()
        self.cooperating.extend((pid, o.pk) for o in helpers)
        self.parts.extend(
            (self.campaign.pk, pid, o.pk, o.path, PartState.WAITING, deadline, self.now, 0, "", "")
            for o in helpers
        )
        closure_id, progress = None, 0
        if v["reported_closed"] and self.closure is not None:
            closure_id, progress = self.closure.pk, 100
            self.closed += 1
        if v["completion"]:
            # What the office wrote of its progress is the problem's first progress entry.
            self.reports.append(
                (pid, None, self.today, progress, v["completion"], self.by_id, self.now)
            )
        number = v["number"] or self.numbers.next()  # type: ignore[union-attr]
        return (
            pid,
            self.campaign.pk,
            number,
            v["title"],
            v["description"],
            v["source"],
            area.pk,
            org.pk,
            org.path,
            v["leader"],
            v["person"],
            v["kind"],
            status,
            deadline,
            provisional,
            basis,
            progress,
            self.by_id,
            self.now,
            1,
            "",
            closure_id,
            bool(v.get("area_proposed")),
            v["urgent"],
        )

    def finish(self) -> None:
        if self.numbers is not None:
            self.numbers.finish()
        if self.closure is None:
            return
        if not self.closed:
            self.closure.delete()
            self.closure = None
            return
        # The office's file is the evidence of these closures: kept with the evidence files.
        stored = f"imported-{uuid.uuid4().hex}{self.source_file.suffix.lower()}"
        target = evidence_path(stored)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.source_file, target)
        ImportedClosure.objects.filter(pk=self.closure.pk).update(
            count=self.closed, stored_name=stored
        )


def _update_existing(
    rows: list[_Row],
    existing: dict[str, int],
    by_id: int | None,
    now: dt.datetime,
    events: list[tuple[Any, ...]],
) -> None:
    """Update what the rows say about problems already in the ledger, a batch at a time."""
    changes: list[tuple[tallies.Key, tallies.Key]] = []
    for chunk in _chunks(rows, 900):  # bulk_update writes one CASE per field and row
        # The areas come along for the history's before/after (their names, not ids).
        problems = (
            Problem.objects.select_related("focus_area")
            .select_for_update(of=("self",))
            .in_bulk([existing[r.values["number"]] for r in chunk])
        )
        for row in chunk:
            problem, v = problems[existing[row.values["number"]]], row.values
            before = tallies.leaf_key(problem)
            changed = v["changes"]
            before_values = {name: str(getattr(problem, name)) for name in changed}
            for name, value in changed.items():
                setattr(problem, name, value)
            problem.version += 1
            changes.append((before, tallies.leaf_key(problem)))
            # What changed, before and after, as an edit on the page records it.
            data = {"before": before_values, "after": {n: str(x) for n, x in changed.items()}}
            events.append((problem.pk, now, by_id, EventAction.UPDATE, "", "", "导入更新", data))
        Problem.objects.bulk_update(
            problems.values(),
            [*UPDATED_FIELDS.values(), "version"],
        )
    tallies.track_changes(changes)


class _Numbers:
    """编号 for rows that have none, from the campaign's sequence, without reading the database
    while the rows are written: the sequence is locked and read first, and moved on at the end
    by as many as were given out."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        sequence, _created = NumberSequence.objects.select_for_update().get_or_create(
            campaign=campaign
        )
        self.last = self.start = sequence.last

    def next(self) -> str:
        self.last += 1
        return f"{self.campaign.slug.upper()}-{self.last:06d}"

    def finish(self) -> None:
        if self.last != self.start:
            NumberSequence.objects.filter(pk=self.campaign.pk).update(last=self.last)


def _write_errors(out: Path, parts: list[_Part], errors: list[RowError]) -> None:
    """The refused rows as they were, with a last column saying why; from several sheets, a
    first column names the sheet (their layouts are the first sheet's in practice: one
    template filled by every unit)."""
    reasons: dict[tuple[str, int], list[str]] = {}
    for error in errors:
        reasons.setdefault((error.sheet, error.row), []).append(
            f"“{error.column}”:{error.message}" if error.column else error.message
        )
    header = parts[0].table.rows[parts[0].header]
    several = len(parts) > 1
    columns = [Column("工作表", 14)] if several else []
    columns += [Column(text(h) or f"列{i + 1}", 16) for i, h in enumerate(header)]
    columns.append(Column("错误原因", 50, wrap=True))
    rows_of = {part.table.sheet: part.table.rows for part in parts}

    def body() -> Iterator[list[Any]]:
        for sheet, line in sorted(reasons, key=lambda w: (list(rows_of).index(w[0]), w[1])):
            rows = rows_of.get(sheet, [])
            raw = rows[line - 1] if 0 < line <= len(rows) else []
            yield [*([sheet] if several else []), *raw, "；".join(reasons[sheet, line])]

    write_xlsx(
        out,
        sheet="未导入的行",
        title="未导入的行",
        subtitle="修改后可重新导入,已导入的行不会重复",
        columns=columns,
        rows=body(),
    )
