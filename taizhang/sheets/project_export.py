"""The project pipeline (项目库) as offices exchange it: one row per project, amounts in 万元,
in the same columns the import reads (so an exported table can be edited and brought back)."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from taizhang.campaigns.models import Campaign
from taizhang.projects.models import Project
from taizhang.sheets.workbook import Column, write_csv, write_xlsx

COLUMNS = [
    Column("项目编号", 14),
    Column("项目名称", 34),
    Column("责任单位", 20),
    Column("包联领导", 10),
    Column("年度", 6),
    Column("项目库", 14),
    Column("项目类型", 10),
    Column("所属行业", 12),
    Column("项目阶段", 10),
    Column("总投资(万元)", 12),
    Column("年度计划投资(万元)", 12),
    Column("年度完成投资(万元)", 12),
    Column("累计完成投资(万元)", 12),
    Column("建设地点", 16),
    Column("建设内容", 30),
    Column("计划开工时间", 11),
    Column("开工时间", 11),
    Column("计划竣工时间", 11),
    Column("竣工时间", 11),
    Column("签约时间", 11),
    Column("最近报送月份", 10),
    Column("形象进度", 34),
    Column("要素保障需求", 14),
    Column("要素保障说明", 30),
]


def project_rows(projects: QuerySet[Project]) -> Iterator[list[Any]]:
    for p in projects.select_related("org").iterator(chunk_size=2000):
        yield [
            p.number, p.name, p.org.name, p.leader, p.year, p.get_pool_display(),
            p.get_kind_display(), p.industry, p.get_stage_display(), p.investment_total,
            p.investment_annual, p.done_year, p.done_total, p.location, p.content,
            p.start_planned, p.started_on, p.finish_planned, p.finished_on, p.signed_on,
            f"{p.last_month:%Y-%m}" if p.last_month else "", p.progress_note,
            "、".join(p.need_labels), p.needs_note,
        ]  # fmt: skip


def export_projects(
    projects: QuerySet[Project], *, campaign: Campaign, out: Path, today: dt.date | None = None
) -> int:
    today = today or timezone.localdate()
    rows = project_rows(projects.order_by("org_path", "number"))
    if out.suffix.lower() == ".csv":
        return write_csv(out, columns=COLUMNS, rows=rows)
    return write_xlsx(
        out,
        sheet="项目库",
        title=f"{campaign.name}重点项目表",
        subtitle=f"导出日期:{today:%Y年%m月%d日}    共 {projects.count()} 个项目    金额单位:万元",
        columns=COLUMNS,
        rows=rows,
    )
