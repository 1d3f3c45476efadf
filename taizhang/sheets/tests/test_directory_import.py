import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from openpyxl import Workbook

from taizhang.identity.matching import account_for, id_digest
from taizhang.orgs.models import Org, RoleAssignment
from taizhang.orgs.scoping import scope_of
from taizhang.sheets.directory_import import import_orgs, import_users
from taizhang.sheets.errors import ImportRefused


def sheet(tmp_path, header, rows, name="x.xlsx"):
    wb = Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def test_units_come_in_any_order_and_update_by_code(world, tmp_path):
    path = sheet(
        tmp_path,
        ["单位代码", "单位名称", "上级单位代码", "单位类型"],
        [
            ["141002102201", "柳树村党支部", "141002102", "党支部"],  # its parent comes later
            ["141002102", "尧都区刘村镇", "141002", "乡镇(街道)"],
            ["141002801", "尧都区发展和改革局", "141002", "部门"],  # exists: renamed
        ],
    )
    result = import_orgs(path)
    assert (result.created, result.updated) == (2, 1)
    branch = Org.objects.get(code="141002102201")
    assert branch.path == "/141000/141002/141002102/141002102201/"
    assert Org.objects.get(code="141002801").name == "尧都区发展和改革局"


def test_unit_errors_write_nothing(world, tmp_path):
    count = Org.objects.count()
    path = sheet(
        tmp_path,
        ["单位代码", "单位名称", "上级单位代码", "单位类型"],
        [
            ["9001", "甲", "9002", "部门"],
            ["9002", "乙", "9001", "部门"],  # a cycle
            ["9003", "丙", "8888", "部门"],  # no such parent
            ["9004", "", "141000", "星球"],
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        import_orgs(path)
    text = str(refused.value)
    assert "第 5 行“单位名称”列:不能为空" in text and "“星球”不是单位类型" in text
    assert Org.objects.count() == count


def test_people_and_roles(world, tmp_path):
    path = sheet(
        tmp_path,
        ["用户名", "姓名", "单位代码", "角色", "初始密码"],
        [
            ["liu", "刘洋", "141002101", "经办人", "s3cret-pass"],
            ["handler_a1", "", "141002", "领导", ""],  # exists: gains a role
        ],
    )
    result = import_users(path)
    assert (result.created, result.updated) == (1, 1)
    liu = get_user_model().objects.get(username="liu")
    assert liu.check_password("s3cret-pass") and liu.first_name == "刘洋"
    assert scope_of(liu).paths() == ["/141000/141002/141002101/"]
    assert RoleAssignment.objects.filter(user=world.handler_a1, role="leader").exists()
    bad = sheet(tmp_path, ["用户名", "单位代码", "角色"], [["x", "000", "国王"]], name="bad.xlsx")
    with pytest.raises(ImportRefused, match="找不到单位代码"):
        import_users(bad)
    assert not get_user_model().objects.filter(username="x").exists()


def test_command_for_orgs(world, tmp_path, capsys):
    path = sheet(
        tmp_path,
        ["单位代码", "单位名称", "上级单位代码", "单位类型"],
        [["141002103", "尧都区土门镇", "141002", "乡镇"]],
    )
    call_command("import", str(path), "--kind", "orgs", "--dry-run")
    assert not Org.objects.filter(code="141002103").exists()
    call_command("import", str(path), "--kind", "orgs")
    assert Org.objects.filter(code="141002103").exists()
    assert "已新增 1 个" in capsys.readouterr().out


def test_a_cycle_of_parents_is_named(world, tmp_path):
    path = sheet(
        tmp_path,
        ["单位代码", "单位名称", "上级单位代码", "单位类型"],
        [["9001", "甲", "9002", "部门"], ["9002", "乙", "9001", "部门"]],
    )
    with pytest.raises(ImportRefused, match="循环"):
        import_orgs(path)
    assert not Org.objects.filter(code__in=["9001", "9002"]).exists()


def test_only_the_office_over_a_unit_imports_there(world, tmp_path):
    units = sheet(
        tmp_path,
        ["单位代码", "单位名称", "上级单位代码", "单位类型"],
        [["141002103", "尧都区新镇", "141002", "乡镇(街道)"]],
    )
    with pytest.raises(ImportRefused) as refused:
        import_orgs(units, by=world.leader_a)
    assert "第 2 行“单位代码”列:您无权导入或修改单位 141002103" in str(refused.value)
    assert not Org.objects.filter(code="141002103").exists()
    people = sheet(tmp_path, ["用户名", "单位代码", "角色"], [["wang", "141002", "领导"]], "p.xlsx")
    with pytest.raises(ImportRefused) as refused:
        import_users(people, by=world.admin_a)
    assert "您无权为“尧都区”导入人员" in str(refused.value)
    assert import_orgs(units, by=world.office).created == 1
    assert import_users(people, by=world.office).created == 1


def test_an_id_number_column_is_kept_only_as_its_digest(world, tmp_path, settings):
    """身份证号 lets the identity platform find the account (SSO_MATCH=id_number); the
    number itself is not stored, and a malformed one is refused with its row and column."""
    path = sheet(
        tmp_path,
        ["用户名", "单位代码", "角色", "身份证号"],
        [["liu", "141002101", "经办人", "14100219800101001x"]],
    )
    import_users(path)
    liu = get_user_model().objects.get(username="liu")
    settings.SSO_MATCH = "id_number"
    assert liu.id_number.digest == id_digest("14100219800101001X")
    assert account_for("oidc", "sub-liu", id_sent="14100219800101001X") == liu
    bad = sheet(tmp_path, ["用户名", "单位代码", "角色", "身份证号"],
                [["wang", "141002101", "经办人", "1234"]], name="bad.xlsx")  # fmt: skip
    with pytest.raises(ImportRefused, match="第 2 行“身份证号”列:身份证号“1234”格式不正确"):
        import_users(bad)
    assert not get_user_model().objects.filter(username="wang").exists()
