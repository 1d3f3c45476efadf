"""重点项目 tables as offices keep them (项目名称, 责任单位, 总投资, 年度计划投资, 形象进度 …): the
header found as in the problem import, units by the names people type, amounts in 万元 or (when
the header says so) 亿元, stages and pools in their usual words. A row with a 项目编号 already in
the campaign, or the same name at the same unit, updates that project. All or nothing (or, with
`partial`, the valid rows), and every error names its sheet, row and column."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.models import Org
from taizhang.projects import services
from taizhang.projects.models import (
    STAGE_DATES,
    Need,
    Pool,
    Project,
    ProjectKind,
    Stage,
)
from taizhang.sheets.errors import ImportRefused, RowError
from taizhang.sheets.headers import locate_header
from taizhang.sheets.reading import read_table
from taizhang.sheets.values import BadValue, parse_date, text

HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称", "名称", "项目"),
    "number": ("项目编号", "编号", "项目代码", "序号编码"),
    "org": (
        "责任单位",
        "牵头单位",
        "责任主体",
        "县(市、区)",
        "县市区",
        "所属县区",
        "属地",
        "主管单位",
        "单位",
    ),
    "leader": ("包联领导", "包联市领导", "包联县领导", "联系领导", "责任领导", "分包领导"),
    "industry": ("所属行业", "行业", "行业类别", "产业类别", "所属产业"),
    "kind": ("项目类型", "项目类别", "类型", "类别"),
    "pool": ("项目库", "所属库", "库别", "入库类别"),
    "stage": ("项目阶段", "阶段", "当前阶段", "进展阶段", "项目状态", "推进阶段"),
    "year": ("年度", "计划年度", "入库年度"),
    "investment_total": ("总投资", "计划总投资", "总投资额", "项目总投资", "投资总额"),
    "investment_annual": (
        "年度计划投资",
        "年度投资",
        "本年计划投资",
        "年计划投资",
        "年度计划",
        "当年计划投资",
    ),
    "done_year": (
        "年度完成投资",
        "本年完成投资",
        "年度已完成投资",
        "已完成投资",
        "完成投资",
        "本年累计完成投资",
    ),
    "done_total": ("累计完成投资", "开工以来累计完成投资", "累计完成"),
    "progress_note": ("形象进度", "进展情况", "工作进展", "目前进展", "项目进展", "推进情况"),
    "location": ("建设地点", "项目地点", "地点", "建设地址"),
    "content": ("建设内容", "建设规模及内容", "主要建设内容", "项目内容", "建设规模"),
    "sign_planned": ("计划签约时间", "计划签约日期", "拟签约时间"),
    "start_planned": ("计划开工时间", "计划开工日期", "拟开工时间"),
    "finish_planned": ("计划竣工时间", "计划投产时间", "计划竣工日期", "计划建成时间"),
    "signed_on": ("签约时间", "签约日期", "实际签约时间"),
    "started_on": ("开工时间", "开工日期", "实际开工时间"),
    "finished_on": ("竣工时间", "投产时间", "竣工日期", "实际竣工时间", "建成时间"),
    "needs": ("要素保障需求", "要素保障", "要素需求"),
    "needs_note": ("要素保障说明", "需要解决的问题", "存在问题", "存在的问题", "困难和问题"),
}
REQUIRED = ("name", "org", "investment_total")
AMOUNTS = ("investment_total", "investment_annual", "done_year", "done_total")
DATES = (
    "sign_planned",
    "start_planned",
    "finish_planned",
    "signed_on",
    "started_on",
    "finished_on",
)

# The words of each stage, pool and kind as tables write them (the first that a cell holds wins).
STAGE_WORDS = [
    ("投产", Stage.COMPLETED), ("竣工", Stage.COMPLETED), ("建成", Stage.COMPLETED),
    ("完工", Stage.COMPLETED), ("开工", Stage.STARTED), ("在建", Stage.STARTED),
    ("续建", Stage.STARTED), ("施工", Stage.STARTED), ("签约", Stage.SIGNED),
    ("储备", Stage.RESERVE), ("前期", Stage.RESERVE), ("谋划", Stage.PLANNING),
    ("策划", Stage.PLANNING), ("在谈", Stage.PLANNING), ("洽谈", Stage.PLANNING),
]  # fmt: skip
POOL_WORDS = [
    ("在谈", Pool.NEGOTIATING), ("跟进", Pool.NEGOTIATING), ("储备签约", Pool.SIGNING),
    ("签约开工", Pool.SIGNING), ("招商", Pool.INVESTMENT), ("重点", Pool.KEY),
]  # fmt: skip
KIND_WORDS = [
    ("基础设施", ProjectKind.INFRASTRUCTURE), ("交通", ProjectKind.INFRASTRUCTURE),
    ("水利", ProjectKind.INFRASTRUCTURE), ("市政", ProjectKind.INFRASTRUCTURE),
    ("能源", ProjectKind.INFRASTRUCTURE), ("民生", ProjectKind.LIVELIHOOD),
    ("社会", ProjectKind.SOCIAL), ("教育", ProjectKind.SOCIAL), ("卫生", ProjectKind.SOCIAL),
    ("文化", ProjectKind.SOCIAL), ("旅游", ProjectKind.SOCIAL), ("生态", ProjectKind.ECOLOGY),
    ("环保", ProjectKind.ECOLOGY), ("产业", ProjectKind.INDUSTRY), ("工业", ProjectKind.INDUSTRY),
    ("制造", ProjectKind.INDUSTRY), ("农业", ProjectKind.INDUSTRY),
    ("服务业", ProjectKind.INDUSTRY),
]  # fmt: skip
NEED_WORDS = [
    ("用地", Need.LAND), ("土地", Need.LAND), ("征地", Need.LAND), ("能耗", Need.ENERGY),
    ("用电", Need.ENERGY), ("用气", Need.ENERGY), ("用水", Need.ENERGY), ("资金", Need.FUNDING),
    ("融资", Need.FUNDING), ("贷款", Need.FUNDING), ("审批", Need.APPROVAL),
    ("手续", Need.APPROVAL), ("环评", Need.APPROVAL), ("许可", Need.APPROVAL),
]  # fmt: skip
_MONTH = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*月?(?:份|底|末|前|初)?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class ProjectImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    headings: int = 0  # rows naming a group of projects (一、产业项目), not a project
    refused: list[RowError] = field(default_factory=list)


def _words(value: str, table: Sequence[tuple[str, str]]) -> str | None:
    for word, result in table:
        if word in value:
            return result
    return None


def _day(value: Any) -> dt.date | None:
    try:
        return parse_date(value)
    except BadValue:
        match = _MONTH.match(text(value))
        if match and 1 <= int(match.group(2)) <= 12:
            return dt.date(int(match.group(1)), int(match.group(2)), 1)
        raise


def _none_as_empty(value: str) -> str:
    return "" if value in ("无", "暂无", "-", "—", "/") else value


def _amount(value: Any, in_yi: bool, label: str) -> Decimal:
    written = text(value).replace(",", "").replace(",", "").replace("万元", "").replace("亿元", "")
    if written in ("", "-", "—", "/"):
        return Decimal(0)
    if not _NUMBER.match(written):
        raise BadValue(f"“{text(value)}”不是金额(应为数字,单位万元)")
    number = Decimal(written) * (Decimal(10000) if in_yi else 1)
    return services.amount(number, label)


@transaction.atomic
def import_projects(
    path: Path,
    *,
    campaign: Campaign,
    by: Any,
    year: int | None = None,
    dry_run: bool = False,
    partial: bool = False,
) -> ProjectImportResult:
    table = read_table(path, {word for words in HEADERS.values() for word in words})
    header, columns = locate_header(table.sheet, table.rows, HEADERS, REQUIRED)
    upper = table.rows[header - 1] if header > 0 else []

    def raw_header(i: int) -> str:
        below = text(table.rows[header][i]) if i < len(table.rows[header]) else ""
        above = text(upper[i]) if i < len(upper) else ""
        return below or above

    names = {key: raw_header(i) for key, i in columns.items()}
    in_yi = {key: "亿" in names.get(key, "") for key in AMOUNTS}
    default_year = year or timezone.localdate().year
    units: dict[str, Org] = {}
    rows = Project.objects.filter(campaign=campaign).select_related("campaign__org", "org")
    existing = {p.number: p for p in rows}
    numbers = services.Numbers(campaign)
    fresh: list[Project] = []  # checked, saved together at the end
    by_name = {(p.name, p.org_id): p for p in existing.values()}
    result = ProjectImportResult()
    for line, raw in enumerate(table.rows[header + 1 :], start=header + 2):
        v = {key: raw[i] if i < len(raw) else "" for key, i in columns.items()}
        if all(text(x) == "" for x in v.values()):
            continue
        name = text(v.get("name"))
        if not name or name in ("合计", "总计", "小计") or name.startswith(("合计", "小计")):
            continue  # totals rows and blank names are not projects
        if not text(v.get("org")) and not text(v.get("investment_total")):
            result.headings += 1
            continue  # a group heading (一、产业项目(25个)) over the projects below it
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(RowError(table.sheet, line, names.get(key, ""), message))  # noqa: B023

        written_unit = text(v.get("org"))
        org = units.get(written_unit)
        if org is None:
            try:
                org = units[written_unit] = resolve_unit(written_unit, campaign.org)
            except ValidationError as exc:
                fail("org", exc.messages[0] if written_unit else "不能为空")
        amounts: dict[str, Decimal] = {}
        for key in AMOUNTS:
            try:
                amounts[key] = _amount(v.get(key), in_yi[key], names.get(key, key))
            except (BadValue, ValidationError) as exc:
                fail(key, getattr(exc, "messages", [str(exc)])[0])
        dates: dict[str, dt.date | None] = {}
        for key in DATES:
            try:
                dates[key] = _day(v.get(key))
            except BadValue as exc:
                fail(key, str(exc))
        year_text = text(v.get("year")).rstrip("年")
        if year_text and not (year_text.isdigit() and len(year_text) == 4):
            fail("year", f"“{year_text}”不是四位年份")
        stage_text = text(v.get("stage"))
        stage = _words(stage_text, STAGE_WORDS) if stage_text else None
        if stage_text and stage is None:
            fail("stage", f"“{stage_text}”不是项目阶段(谋划、储备、签约、开工、投产或竣工)")
        pool_text = text(v.get("pool"))
        pool = _words(pool_text, POOL_WORDS) if pool_text else Pool.KEY
        if pool is None:
            fail("pool", f"“{pool_text}”不是项目库(重点项目、招商引资、在谈跟进、储备签约开工)")
        if errors or org is None or pool is None:
            result.refused.extend(errors)
            continue
        needs_text = _none_as_empty(text(v.get("needs")))
        needs_note = _none_as_empty(text(v.get("needs_note")))
        labels = {str(label) for label in Need.labels}
        if not needs_note and not set(re.split(r"[、,,;;\s]+", needs_text)) <= labels:
            needs_note = needs_text  # a free-text 要素保障需求 column is the note
        if stage is None:
            stage = next(
                (s for s, f in reversed(STAGE_DATES.items()) if dates.get(f)), Stage.PLANNING
            )
        data = services.ProjectData(
            name=name,
            org=org,
            year=int(year_text) if year_text else default_year,
            investment_total=amounts["investment_total"],
            investment_annual=amounts["investment_annual"],
            number=text(v.get("number")),
            leader=text(v.get("leader")),
            industry=text(v.get("industry")),
            kind=_words(text(v.get("kind")) + text(v.get("industry")), KIND_WORDS)
            or ProjectKind.OTHER,
            pool=pool,
            location=text(v.get("location")),
            content=text(v.get("content")),
            sign_planned=dates["sign_planned"],
            start_planned=dates["start_planned"],
            finish_planned=dates["finish_planned"],
            needs=sorted({n for w, n in NEED_WORDS if w in needs_text + needs_note}),
            needs_note=needs_note,
        )
        project = existing.get(data.number) if data.number else by_name.get((name, org.pk))
        stood = _as_it_stands(stage, dates, amounts, text(v.get("progress_note")))
        try:
            if project is None:
                project = services.new_project(
                    campaign, data, by=by, numbers=numbers, as_it_stands=stood
                )
                fresh.append(project)
                result.created += 1
            elif project.pk is None:
                raise ValidationError("与本表前面的一行是同一个项目(项目编号或单位和名称相同)")
            else:
                data.number = project.number
                if services.changes(project, data) or services.stands_apart(project, stood):
                    with transaction.atomic():
                        before = project.version
                        project = services.update_project(project, data, by=by, version=before)
                        services.take_as_it_stands(project, stood, by=by)
                    result.updated += 1
                else:
                    result.unchanged += 1
        except (ValidationError, PermissionDenied) as exc:
            result.refused.extend(
                RowError(table.sheet, line, "", m) for m in getattr(exc, "messages", [str(exc)])
            )
            continue
        existing[project.number] = project
        by_name[(project.name, project.org_id)] = project
    if result.refused and not partial:
        transaction.set_rollback(True)
        raise ImportRefused(result.refused)
    services.save_new(fresh, by=by, imported=True)
    if dry_run:
        transaction.set_rollback(True)
    return result


def _as_it_stands(
    stage: str, dates: dict[str, dt.date | None], amounts: dict[str, Decimal], progress_note: str
) -> dict[str, Any]:
    """The stage, dates, investment done and 形象进度 the office's table records, taken as they
    stand (导入): marked in the history as imported, not as confirmed by the level above."""
    values: dict[str, Any] = {"stage": stage}
    for key in ("signed_on", "started_on", "finished_on"):
        if dates.get(key):
            values[key] = dates[key]
    if amounts["done_year"]:
        values["done_year"] = amounts["done_year"]
    total = max(amounts["done_total"], amounts["done_year"])
    if total:
        values["done_total"] = total
    if progress_note:
        values["progress_note"] = progress_note
    return values
