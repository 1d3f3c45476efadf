import datetime as dt
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from taizhang.projects.models import Pool, Project, ProjectEvent, ProjectKind, Stage
from taizhang.sheets.errors import ImportRefused
from taizhang.sheets.project_export import export_projects
from taizhang.sheets.project_import import import_projects

YEAR = dt.date.today().year
HEADER = ["序号", "项目名称", "责任单位", "包联领导", "项目类型", "项目阶段",
          "总投资（亿元）", "2026年计划投资（万元）", "1-10月完成投资（万元）",
          "计划开工时间", "形象进度", "存在问题"]  # fmt: skip


def _workbook(path, rows, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "重点项目"
    sheet.append(["2026年临汾市重点工程项目推进表"])  # a title row over the header
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


ROWS = [
    ["", "一、产业项目(1个)", "", "", "", "", "", "", "", "", "", ""],
    [1, "尧都区智能装备产业园项目", "尧都区", "王副市长", "产业项目", "在建",
     "1.5", "3,000", 1200, "2026年3月", "主体完工", "用地指标未落实"],
    [2, "侯马市职业教育实训基地", "侯马市", "", "社会事业", "前期", 0.8, 2000, "", "", "", "无"],
    ["二、社会事业项目", "", "", "", "", "", "", "", "", "", "", ""],  # in the 序号 column
    ["合计", "", "", "", "", "", 2.3, 5000, 1200, "", "", ""],
]  # fmt: skip


PROJECT_A = ROWS[1]


def test_an_office_table_comes_in_as_it_stands(world, tmp_path):
    path = _workbook(tmp_path / "重点项目.xlsx", ROWS)
    result = import_projects(path, campaign=world.campaign, by=world.office, year=YEAR)
    assert (result.created, result.updated, result.headings) == (2, 0, 1)
    yaodu = Project.objects.get(name="尧都区智能装备产业园项目")
    assert yaodu.org == world.county_a and yaodu.investment_total == Decimal("15000.00")
    assert yaodu.investment_annual == Decimal("3000") and yaodu.done_year == Decimal("1200")
    assert yaodu.stage == Stage.STARTED and yaodu.kind == ProjectKind.INDUSTRY
    assert yaodu.start_planned == dt.date(2026, 3, 1) and yaodu.needs == "land"
    assert yaodu.progress_note == "主体完工" and yaodu.pool == Pool.KEY
    assert ProjectEvent.objects.filter(project=yaodu, action="imported").exists()
    houma = Project.objects.get(name="侯马市职业教育实训基地")
    assert houma.stage == Stage.RESERVE and houma.kind == ProjectKind.SOCIAL
    assert houma.needs_note == ""
    # The same table again changes nothing; a changed figure updates the project.
    again = import_projects(path, campaign=world.campaign, by=world.office, year=YEAR)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = _workbook(tmp_path / "二.xlsx", [[*PROJECT_A[:8], 2500, *PROJECT_A[9:]]])
    assert import_projects(changed, campaign=world.campaign, by=world.office).updated == 1
    yaodu.refresh_from_db()
    assert yaodu.done_year == Decimal("2500") and Project.objects.count() == 2


def test_bad_cells_are_named_by_row_and_column_and_nothing_is_written(world, tmp_path):
    rows = [
        PROJECT_A,
        [2, "某项目", "不存在的县", "", "", "开工", "abc", 1, "", "2026年13月", "", ""],
        [3, "另一项目", "侯马市", "", "", "某阶段", 1, 1, "", "", "", ""],
    ]
    path = _workbook(tmp_path / "bad.xlsx", rows)
    with pytest.raises(ImportRefused) as caught:
        import_projects(path, campaign=world.campaign, by=world.office)
    text = "\n".join(str(e) for e in caught.value.errors)
    assert "第 4 行“责任单位”列" in text and "不存在的县" in text
    assert "第 4 行“总投资（亿元）”列" in text and "不是金额" in text
    assert "第 4 行“计划开工时间”列" in text
    assert "第 5 行“项目阶段”列" in text and "某阶段" in text
    assert not Project.objects.exists()
    partial = import_projects(path, campaign=world.campaign, by=world.office, partial=True)
    assert partial.created == 1 and Project.objects.count() == 1


def test_the_same_project_twice_in_one_table_is_refused(world, tmp_path):
    path = _workbook(tmp_path / "twice.xlsx", [PROJECT_A, PROJECT_A])
    with pytest.raises(ImportRefused, match=r"第 4 行.*同一个项目"):
        import_projects(path, campaign=world.campaign, by=world.office)
    assert not Project.objects.exists()


def test_a_table_without_the_required_columns_is_refused_with_what_is_missing(world, tmp_path):
    path = _workbook(tmp_path / "x.xlsx", [["a", "b"]], header=["项目名称", "责任单位"])
    with pytest.raises(ImportRefused, match="总投资"):
        import_projects(path, campaign=world.campaign, by=world.office)


def test_the_export_comes_back_in_unchanged_and_the_commands_work(world, tmp_path):
    path = _workbook(tmp_path / "in.xlsx", ROWS)
    out = StringIO()
    call_command("import", str(path), "--kind", "projects", "--campaign", world.campaign.slug,
                 "--year", str(YEAR), stdout=out)  # fmt: skip
    assert "已新增 2 个项目" in out.getvalue()
    exported = tmp_path / "out.xlsx"
    call_command("export", "--kind", "projects", "--campaign", world.campaign.slug,
                 "--out", str(exported), stdout=StringIO())  # fmt: skip
    book = openpyxl.load_workbook(exported, read_only=True)
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "尧都区智能装备产业园项目" in cells and "项目编号" in cells
    before = list(Project.objects.order_by("pk").values())
    back = import_projects(exported, campaign=world.campaign, by=world.office)
    assert (back.created, back.updated, back.unchanged) == (0, 0, 2)
    assert list(Project.objects.order_by("pk").values()) == before
    assert export_projects(Project.objects.all(), campaign=world.campaign,
                           out=tmp_path / "o.csv") == 2  # fmt: skip
    bad = _workbook(tmp_path / "bad.xlsx", [[1, "某项目", "不存在的县", "", "", "", 1]])
    with pytest.raises(CommandError, match="不存在的县"):
        call_command("import", str(bad), "--kind", "projects", "--campaign",
                     world.campaign.slug, stdout=StringIO())  # fmt: skip
