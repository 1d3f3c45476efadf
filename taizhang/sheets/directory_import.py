"""Units (单位) and people with their roles, from the lists offices already keep.

Units may come in any order: each is created after its parent, whether the parent is already
stored or further down the file. Existing codes are updated (a new parent moves the subtree).
People are matched by 用户名; a role is added, never removed, by an import. All or nothing.
Someone importing (`by`) must hold the office role (活动办公室) over every unit a row places or
changes; the command line (`by` None) is the server's administrator.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from taizhang.identity.matching import clean_id_number, set_id_number
from taizhang.orgs.models import Org, OrgKind, Role, RoleAssignment
from taizhang.orgs.scoping import scope_of
from taizhang.orgs.services import assign_role, create_org, move_org, set_aliases
from taizhang.sheets.errors import ImportRefused, RowError
from taizhang.sheets.headers import locate_header
from taizhang.sheets.reading import read_table
from taizhang.sheets.values import text

ORG_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("单位代码", "代码", "组织代码"),
    "name": ("单位名称", "名称", "单位"),
    "parent": ("上级单位代码", "上级代码", "上级单位"),
    "kind": ("单位类型", "类型", "层级"),
    "aliases": ("别名", "简称", "其他名称"),
}
USER_HEADERS = {
    "username": ("用户名", "账号", "登录名"),
    "name": ("姓名",),
    "org": ("单位代码", "所在单位代码"),
    "role": ("角色",),
    "password": ("初始密码", "密码"),
    # Kept only as a keyed digest: it finds the account when the city's identity platform
    # names people by ID number (identity.matching).
    "id_number": ("身份证号", "身份证号码", "公民身份号码"),
}
ORG_KINDS = {
    "市": OrgKind.CITY,
    "县(市、区)": OrgKind.COUNTY,
    "县": OrgKind.COUNTY,
    "区": OrgKind.COUNTY,
    "开发区": OrgKind.ZONE,
    "部门": OrgKind.DEPARTMENT,
    "乡镇(街道)": OrgKind.TOWNSHIP,
    "乡镇": OrgKind.TOWNSHIP,
    "街道": OrgKind.TOWNSHIP,
    "村(社区)": OrgKind.VILLAGE,
    "村": OrgKind.VILLAGE,
    "社区": OrgKind.VILLAGE,
    "党支部": OrgKind.BRANCH,
    **{k.value: k.value for k in OrgKind},
}
ROLES = {
    "活动办公室": Role.OFFICE,
    "单位管理员": Role.ADMIN,
    "经办人": Role.HANDLER,
    "领导": Role.LEADER,
    "督导组成员": Role.INSPECTOR,
    "坐席": Role.OPERATOR,
    **{r.value: r.value for r in Role},
}


def _office_reaches(by: Any, path: str) -> bool:
    return by is None or scope_of(by).reaches(path, (Role.OFFICE,))


@dataclass
class DirectoryResult:
    created: int = 0
    updated: int = 0


def _records(path: Path, headers: dict[str, tuple[str, ...]], required: tuple[str, ...]):  # type: ignore[no-untyped-def]
    table = read_table(path, {w for words in headers.values() for w in words})
    header, columns = locate_header(table.sheet, table.rows, headers, required)
    names = {key: text(table.rows[header][i]) for key, i in columns.items()}
    for line, raw in enumerate(table.rows[header + 1 :], start=header + 2):
        values = {key: text(raw[i]) if i < len(raw) else "" for key, i in columns.items()}
        if any(values.values()):
            yield table.sheet, line, names, values


@transaction.atomic
def import_orgs(path: Path, *, by: Any = None, dry_run: bool = False) -> DirectoryResult:
    errors: list[RowError] = []
    pending: dict[str, tuple[str, int, dict[str, str], dict[str, str]]] = {}
    for sheet, line, names, v in _records(path, ORG_HEADERS, ("code", "name", "kind")):
        for key in ("code", "name", "kind"):
            if not v.get(key):
                errors.append(RowError(sheet, line, names.get(key, ""), "不能为空"))
        if v.get("kind") and v["kind"] not in ORG_KINDS:
            errors.append(RowError(sheet, line, names["kind"], f"“{v['kind']}”不是单位类型"))
        if v.get("code") in pending:
            errors.append(RowError(sheet, line, names["code"], f"单位代码 {v['code']} 重复"))
        if v.get("code"):
            pending.setdefault(v["code"], (sheet, line, names, v))
    stored = {o.code: o for o in Org.objects.all()}
    result = DirectoryResult()
    done: set[str] = set()

    def place(code: str, trail: tuple[str, ...] = ()) -> None:
        if code in done:
            return
        sheet, line, names, v = pending[code]
        parent_code = v.get("parent", "")
        if parent_code in trail or parent_code == code:
            errors.append(RowError(sheet, line, names.get("parent", ""), "上级单位形成了循环"))
            return
        if parent_code and parent_code in pending:
            place(parent_code, (*trail, code))
        parent = stored.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            errors.append(
                RowError(sheet, line, names.get("parent", ""), f"找不到上级单位代码 {parent_code}")
            )
            return
        done.add(code)
        places = [parent.path if parent else f"/{code}/"]
        if code in stored:
            places.append(stored[code].path)
        if not all(_office_reaches(by, where) for where in places):
            errors.append(RowError(sheet, line, names["code"], f"您无权导入或修改单位 {code}"))
            return
        kind = ORG_KINDS.get(v["kind"], OrgKind.DEPARTMENT)
        if code in stored:
            org = stored[code]
            Org.objects.filter(pk=org.pk).update(name=v["name"], kind=kind)
            if parent is not None and org.parent_id != parent.pk:
                stored[code] = move_org(org, parent)
            result.updated += 1
        else:
            stored[code] = create_org(code=code, name=v["name"], kind=kind, parent=parent)
            result.created += 1
        if v.get("aliases"):
            try:
                set_aliases(stored[code], re.split(r"[\u3001,\uff0c;\uff1b]+", v["aliases"]))
            except ValidationError as exc:
                errors.append(RowError(sheet, line, names.get("aliases", ""), exc.messages[0]))

    if not errors:
        for code in pending:
            place(code)
    if errors:
        transaction.set_rollback(True)
        raise ImportRefused(errors)
    if dry_run:
        transaction.set_rollback(True)
    return result


@transaction.atomic
def import_users(path: Path, *, by: Any = None, dry_run: bool = False) -> DirectoryResult:
    User = get_user_model()
    errors: list[RowError] = []
    orgs = {o.code: o for o in Org.objects.all()}
    result = DirectoryResult()
    for sheet, line, names, v in _records(path, USER_HEADERS, ("username", "org", "role")):
        org, role = orgs.get(v.get("org", "")), ROLES.get(v.get("role", ""))
        if not v.get("username"):
            errors.append(RowError(sheet, line, names["username"], "不能为空"))
        if org is None:
            errors.append(RowError(sheet, line, names["org"], f"找不到单位代码“{v.get('org')}”"))
        elif not _office_reaches(by, org.path):
            errors.append(RowError(sheet, line, names["org"], f"您无权为“{org.name}”导入人员"))
        if role is None:
            errors.append(
                RowError(
                    sheet,
                    line,
                    names["role"],
                    f"“{v.get('role')}”应为:{'、'.join(list(ROLES)[:6])}",
                )
            )
        user = User.objects.filter(username=v.get("username", "")).first()
        if v.get("password") and user is None:
            try:  # the password policy holds for imported passwords too
                validate_password(v["password"], User(username=v.get("username", "")))
            except ValidationError as exc:
                errors.append(RowError(sheet, line, names.get("password", "密码"),
                                       ";".join(exc.messages)))  # fmt: skip
        id_number = ""
        if v.get("id_number"):
            try:
                id_number = clean_id_number(v["id_number"])
            except ValueError as exc:
                errors.append(RowError(sheet, line, names["id_number"], str(exc)))
        if errors:
            continue
        assert org is not None and role is not None  # refused above otherwise
        if user is None:
            user = User(username=v["username"], first_name=v.get("name", "")[:150])
            if v.get("password"):
                user.set_password(v["password"])
            else:
                user.set_unusable_password()  # the unit admin sets one in the admin
            user.save()
            result.created += 1
        else:
            result.updated += 1
        if not RoleAssignment.objects.filter(user=user, org=org, role=role).exists():
            assign_role(user, org, role)
        if id_number:
            set_id_number(user, id_number)
    if errors:
        transaction.set_rollback(True)
        raise ImportRefused(errors)
    if dry_run:
        transaction.set_rollback(True)
    return result
