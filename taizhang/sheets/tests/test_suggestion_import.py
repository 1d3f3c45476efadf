import pytest
from django.core.management import call_command
from openpyxl import Workbook

from taizhang.intake.models import Suggestion
from taizhang.sheets.errors import ImportRefused
from taizhang.sheets.suggestion_import import import_suggestions


def sheet(tmp_path, header, rows):
    wb = Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append(row)
    path = tmp_path / "forms.xlsx"
    wb.save(path)
    return path


def test_paper_forms_come_in_with_receipt_codes(world, tmp_path, capsys):
    day = world.campaign.starts_on
    path = sheet(
        tmp_path,
        ["渠道", "意见内容", "收集日期", "座谈地点", "姓名", "联系电话", "保密"],
        [
            ["座谈会", "希望增加\n社区养老食堂", day, "东关社区", "王五", 13812345678, "是"],
            ["", "路口缺少红绿灯", f"{day:%Y年%-m月%-d日}", "", "", "", ""],
            *[
                ["意见箱", f"同一号码的第 {i} 张意见表", "", "", "", "13912345678", ""]
                for i in range(7)
            ],
        ],
    )
    call_command("import", str(path), "--kind", "suggestions", "--campaign", world.campaign.slug)
    assert "已登记 9 条意见建议" in capsys.readouterr().out
    first = Suggestion.objects.get(channel="symposium")
    assert first.text == "希望增加\n社区养老食堂" and first.title.startswith("希望增加")
    assert first.collected_on == day and first.collected_at_place == "东关社区"
    assert first.phone == "13812345678" and first.confidential
    assert Suggestion.objects.get(text="路口缺少红绿灯").channel == "form"  # the default
    assert len(set(Suggestion.objects.values_list("receipt_code", flat=True))) == 9


def test_bad_rows_refuse_the_whole_file(world, tmp_path):
    path = sheet(
        tmp_path,
        ["渠道", "内容", "收集日期", "电话"],
        [
            ["意见表", "好的一条", "", ""],
            ["飞鸽", "渠道不对", "", ""],
            ["意见箱", "日期不对", "2022-13-01", ""],
            ["意见箱", "电话不对", "", "123"],
            ["意见箱", "", "", ""],
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        import_suggestions(path, campaign=world.campaign)
    text = str(refused.value)
    assert "第 3 行“渠道”列:“飞鸽”应为" in text and "第 4 行“收集日期”列" in text
    assert "第 5 行:电话号码“123”格式不正确" in text and "第 6 行“内容”列:不能为空" in text
    assert not Suggestion.objects.exists()
