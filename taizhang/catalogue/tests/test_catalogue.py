"""The dispatch catalogue: versions, matching, the office's page, Excel out and back, and the
conversion and import that fill from it."""

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.catalogue import services
from taizhang.catalogue.models import CatalogueVersion
from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.ledger.models import Problem
from taizhang.sheets.catalogue_io import read_catalogue, write_catalogue
from taizhang.sheets.errors import ImportRefused
from taizhang.sheets.problem_import import import_problems
from taizhang.workdays.calendar import add_workdays


def _table(world):
    return [
        services.EntryData(lead_org=world.dept_a1, focus_area=world.area, keywords="审批、备案",
                           cooperating=[world.town_a2], kind="immediate", time_limit_days=5),
        services.EntryData(lead_org=world.dept_b1, focus_area=world.area2, keywords="学校、教育"),
        services.EntryData(lead_org=world.town_a2, keywords="路灯、积水",
                           sub_category="市政设施"),
        services.EntryData(lead_org=world.county_a, focus_area=world.area2),
    ]  # fmt: skip


def test_each_change_is_a_new_version_and_only_the_office_makes_one(world):
    with pytest.raises(PermissionDenied):
        services.publish(world.campaign, by=world.admin_a, entries=_table(world))
    first = services.publish(world.campaign, by=world.office, entries=_table(world))
    second = services.remove_entry(
        world.campaign, by=world.office, entry_id=first.entries.get(order=2).pk
    )
    assert (first.number, second.number) == (1, 2)
    assert first.entries.count() == 4 and second.entries.count() == 3  # the old one is kept
    assert services.current_version(world.campaign) == second
    bad = services.EntryData(lead_org=world.dept_a1, cooperating=[world.dept_a1])
    with pytest.raises(ValidationError) as refused:
        services.add_entry(world.campaign, by=world.office, entry=bad)
    assert refused.value.messages == [
        "第 4 条:主办单位不能同时是协办单位",
        "第 4 条:请至少填写聚焦领域、子类或关键词之一",
    ]
    assert CatalogueVersion.objects.count() == 2  # nothing written


def test_the_entry_with_most_keywords_found_then_the_most_specific_wins(world):
    services.publish(world.campaign, by=world.office, entries=_table(world))
    router = services.Router(world.campaign)
    found = router.route(world.area.pk, "企业备案审批材料多")
    assert (found.lead, found.matched, found.kind) == (world.dept_a1, ["审批", "备案"], "immediate")
    assert found.cooperating == [world.town_a2]
    assert found.deadline(dt.date(2026, 9, 30)) == add_workdays(dt.date(2026, 9, 30), 5).date
    assert router.route(world.area.pk, "学校门口拥堵") is None  # another area's keywords
    assert router.route(world.area2.pk, "学校门口拥堵").lead == world.dept_b1
    # an area alone catches what no keyword does; a sub-category must be named or written
    assert router.route(world.area2.pk, "别的事情").lead == world.county_a
    assert router.route(world.area.pk, "路灯不亮") is None
    assert router.route(world.area.pk, "路灯不亮", "市政设施").lead == world.town_a2
    assert router.route(world.area.pk, "市政设施:路灯不亮").lead == world.town_a2


def test_the_table_goes_out_to_excel_and_comes_back_the_same(world, tmp_path):
    version = services.publish(world.campaign, by=world.office, entries=_table(world))
    out = tmp_path / "目录.xlsx"
    write_catalogue(out, version, world.campaign)
    back = read_catalogue(out, world.campaign)
    original = _table(world)
    assert [(e.lead_org, e.focus_area, e.keywords, e.cooperating, e.kind, e.time_limit_days)
            for e in back] == [
        (e.lead_org, e.focus_area, "、".join(services.keyword_list(e.keywords)), e.cooperating,
         e.kind, e.time_limit_days) for e in original
    ]  # fmt: skip


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "目录"
    sheet.append(["聚焦领域", "子类", "关键词", "主办单位", "协办单位", "整改类型", "办理时限"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_bad_workbook_names_each_row_and_column_and_changes_nothing(world, tmp_path):
    path = _workbook(tmp_path / "坏.xlsx", [
        ["优化营商环境", "", "审批", "尧都区发改局", "", "", 5],
        ["不存在的领域", "", "x", "没有这个单位", "", "马上改", "三天"],
        ["", "", "", "尧都区发改局", "尧都区发改局", "", 0],
    ])  # fmt: skip
    with pytest.raises(ImportRefused) as refused:
        read_catalogue(path, world.campaign)
    assert [str(e) for e in refused.value.errors] == [
        "工作表“目录”第 3 行“聚焦领域”列:“不存在的领域”不是本活动的聚焦领域",
        "工作表“目录”第 3 行“主办单位”列:找不到单位“没有这个单位”。",
        "工作表“目录”第 3 行“整改类型”列:“马上改”应为 立行立改、限期整改、长期坚持",
        "工作表“目录”第 3 行“办理时限”列:“三天”不是工作日数",
        "工作表“目录”第 4 行“办理时限”列:应为 1 到 1000 个工作日",
        "工作表“目录”第 4 行“协办单位”列:主办单位“尧都区发改局”不能同时是协办单位",
        "工作表“目录”第 4 行“关键词”列:请至少填写聚焦领域、子类或关键词之一",
    ]


def test_the_page_adds_removes_imports_and_shows_old_versions(world, client, tmp_path):
    client.force_login(world.office)
    url = f"/c/{world.campaign.slug}/catalogue/"
    added = client.post(url + "add/", {
        "focus_area": world.area.pk, "keywords": "审批,备案", "lead_org": "尧都区发改局",
        "cooperating": "大阳镇", "kind": "immediate", "time_limit_days": "5",
    })  # fmt: skip
    assert added.status_code == 302
    refused = client.post(url + "add/", {"keywords": "x", "lead_org": "没有这个单位"})
    assert refused.status_code == 400 and "没有这个单位" in refused.content.decode()
    assert 'value="没有这个单位"' in refused.content.decode()  # what was typed is kept
    row = ["破解民生难题", "", "学校", "侯马市教育局", "", "", ""]
    path = _workbook(tmp_path / "目录.xlsx", [row])
    with path.open("rb") as f:
        assert client.post(url + "import/", {"file": f}).status_code == 302
    page = client.get(url).content.decode()
    assert "第 2 版" in page and "侯马市教育局" in page and "尧都区发改局" not in page.split(
        'id="versions"')[0]  # fmt: skip
    old = client.get(url + "?version=1").content.decode()
    assert "尧都区发改局" in old and "历史版本" in old
    exported = client.get(url + "export/")
    assert exported.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    client.force_login(world.handler_a1)
    assert client.get(url).status_code == 404


def test_conversion_fills_from_the_catalogue_and_import_too(world, tmp_path):
    services.publish(world.campaign, by=world.office, entries=_table(world))
    s = intake.submit_suggestion(
        campaign=world.campaign, channel=Channel.WEB, title="备案难", text="企业备案审批要跑很多次"
    )
    problem = intake.triage(s, by=world.office, version=s.version, action="convert",
                            focus_area_id=world.area.pk)  # fmt: skip
    assert (problem.org, problem.kind) == (world.dept_a1, "immediate")
    assert list(problem.cooperating_orgs.all()) == [world.town_a2]
    assert problem.deadline == add_workdays(dt.date.today(), 5).date
    other = intake.submit_suggestion(
        campaign=world.campaign, channel=Channel.WEB, title="别的", text="别的事情"
    )
    with pytest.raises(ValidationError, match="派单目录中没有匹配"):
        intake.triage(other, by=world.office, version=other.version, action="convert",
                      focus_area_id=world.area.pk)  # fmt: skip
    book = openpyxl.Workbook()
    book.active.append(["序号", "问题", "责任单位", "聚焦领域"])
    book.active.append([1, "学校周边交通拥堵", "", "破解民生难题"])
    book.active.append([2, "没有单位也不在目录里的问题", "", "优化营商环境"])
    book.save(tmp_path / "台账.xlsx")
    refused = import_problems(tmp_path / "台账.xlsx", campaign=world.campaign, by=world.office)
    assert not refused.written and not Problem.objects.filter(title="学校周边交通拥堵").exists()
    assert [str(e) for e in refused.refused] == [
        "工作表“Sheet”第 3 行“责任单位”列:不能为空(派单目录中也没有与之匹配的条目)"
    ]
    book.active.delete_rows(3)
    book.save(tmp_path / "台账.xlsx")
    result = import_problems(tmp_path / "台账.xlsx", campaign=world.campaign, by=world.office)
    assert result.inferred["org_from_catalogue"] == 1
    assert Problem.objects.get(title="学校周边交通拥堵").org == world.dept_b1


def test_the_suggestion_page_shows_the_catalogue_beside_the_learned_proposal(world, client):
    services.publish(world.campaign, by=world.office, entries=_table(world))
    s = intake.submit_suggestion(
        campaign=world.campaign, channel=Channel.WEB, title="备案难", text="企业备案审批要跑很多次"
    )
    s.focus_area = world.area
    s.save(update_fields=["focus_area"])
    client.force_login(world.office)
    page = client.get(f"/suggestions/{s.pk}/").content.decode()
    assert 'id="catalogue-route"' in page and "命中“审批、备案”" in page
    assert 'name="org_code" value="尧都区发改局"' in page
    assert 'name="cooperating" value="尧都区大阳镇"' in page
    assert '<option value="immediate" selected>' in page
