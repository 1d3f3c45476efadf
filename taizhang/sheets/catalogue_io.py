"""The dispatch catalogue (派单目录) as a workbook: written for the office to edit, read back
whole as the next version. Every error names its sheet, row and column; a file with one
refused row changes nothing."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from taizhang.campaigns.models import Campaign
from taizhang.catalogue import services
from taizhang.catalogue.models import CatalogueVersion
from taizhang.ledger.models import Kind
from taizhang.orgs.finding import resolve_unit
from taizhang.orgs.naming import unit_names
from taizhang.sheets.directory_import import _records
from taizhang.sheets.errors import ImportRefused, RowError
from taizhang.sheets.workbook import Column, write_xlsx

HEADERS: dict[str, tuple[str, ...]] = {
    "focus_area": ("聚焦领域", "领域", "问题领域"),
    "sub_category": ("子类", "问题子类", "问题类别", "小类"),
    "keywords": ("关键词", "关键字"),
    "lead": ("主办单位", "牵头单位", "责任单位", "承办单位"),
    "cooperating": ("协办单位", "配合单位"),
    "kind": ("整改类型", "办理类型"),
    "days": ("办理时限(工作日)", "办理时限", "时限(工作日)", "时限"),
}
COLUMNS = [
    Column("聚焦领域", 14),
    Column("子类", 14),
    Column("关键词", 30, wrap=True),
    Column("主办单位", 22),
    Column("协办单位", 28, wrap=True),
    Column("整改类型", 10),
    Column("办理时限(工作日)", 12),
]
KINDS = {str(label): value for value, label in Kind.choices}


def write_catalogue(out: Path, version: CatalogueVersion | None, campaign: Campaign) -> int:
    rows = [
        (
            e.focus_area.name if e.focus_area else "",
            e.sub_category,
            e.keywords,
            e.lead_org.name,
            "、".join(o.name for o in e.cooperating_orgs.all()),
            e.get_kind_display() if e.kind else "",
            e.time_limit_days or "",
        )
        for e in services.entries_of(version)
    ]
    number = version.number if version else 0
    return write_xlsx(
        out,
        sheet="派单目录",
        title=f"{campaign.name} 派单目录",
        subtitle=f"第 {number} 版;协办单位用顿号分隔,关键词任一出现即匹配",
        columns=COLUMNS,
        rows=rows,
    )


def read_catalogue(path: Path, campaign: Campaign) -> list[services.EntryData]:
    """The rows of a catalogue workbook, each unit and area found; ImportRefused listing every
    row that is wrong."""
    areas = {a.name: a for a in campaign.focus_areas.all()}
    errors: list[RowError] = []
    entries: list[services.EntryData] = []
    for sheet, line, names, v in _records(path, HEADERS, ("lead",)):

        def fail(
            key: str, message: str, sheet: str = sheet, line: int = line, names: Any = names
        ) -> None:
            errors.append(RowError(sheet, line, names.get(key, ""), message))

        area = None
        if v.get("focus_area"):
            area = areas.get(v["focus_area"])
            if area is None:
                fail("focus_area", f"“{v['focus_area']}”不是本活动的聚焦领域")
        lead = _unit(v.get("lead", ""), campaign, "lead", fail)
        if not v.get("lead"):
            fail("lead", "不能为空")
        found = (
            _unit(n, campaign, "cooperating", fail) for n in unit_names(v.get("cooperating", ""))
        )
        cooperating = [o for o in found if o is not None]
        kind = ""
        if v.get("kind"):
            kind = KINDS.get(v["kind"], "")
            if not kind:
                fail("kind", f"“{v['kind']}”应为 {'、'.join(KINDS)}")
        days = None
        if v.get("days"):
            try:
                days = int(float(v["days"]))
            except ValueError:
                fail("days", f"“{v['days']}”不是工作日数")
            if days is not None and not 1 <= days <= services.MAX_TIME_LIMIT_DAYS:
                fail("days", f"应为 1 到 {services.MAX_TIME_LIMIT_DAYS} 个工作日")
        if lead is not None and any(o.pk == lead.pk for o in cooperating):
            fail("cooperating", f"主办单位“{lead.name}”不能同时是协办单位")
        if not (v.get("focus_area") or v.get("sub_category") or v.get("keywords")):
            fail("keywords", "请至少填写聚焦领域、子类或关键词之一")
        if lead is not None:
            entries.append(
                services.EntryData(
                    lead_org=lead,
                    focus_area=area,
                    sub_category=v.get("sub_category", ""),
                    keywords=v.get("keywords", ""),
                    cooperating=cooperating,
                    kind=kind,
                    time_limit_days=days,
                )
            )
    if errors:
        raise ImportRefused(errors)
    return entries


def _unit(written: str, campaign: Campaign, key: str, fail: Any) -> Any:
    if not written:
        return None
    try:
        return resolve_unit(written, campaign.org)
    except ValidationError as exc:
        fail(key, "".join(exc.messages))
        return None
