"""Members of units (a branch's party members, say) from the sheets units keep.

All or nothing; every error names its sheet, row and column. A member with a 编号 already
known is updated instead of added twice; without one, the same name in the same unit is."""

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from taizhang.meetings.models import Member
from taizhang.meetings.services import can_manage, count_members
from taizhang.orgs.models import Org
from taizhang.sheets.directory_import import DirectoryResult, _records
from taizhang.sheets.errors import ImportRefused, RowError
from taizhang.sheets.values import BadValue, parse_date

MEMBER_HEADERS = {
    "name": ("姓名",),
    "org": ("单位代码", "支部代码", "所在单位代码"),
    "role": ("职务", "党内职务", "身份"),
    "joined_on": ("加入日期", "入党时间", "入党日期"),
    "external_id": ("编号", "人员编号"),
}


@transaction.atomic
def import_members(path: Path, *, by: Any = None, dry_run: bool = False) -> DirectoryResult:
    errors: list[RowError] = []
    result = DirectoryResult()
    orgs = {o.code: o for o in Org.objects.all()}
    today = timezone.localdate()
    new: list[Member] = []
    for sheet, line, names, v in _records(path, MEMBER_HEADERS, ("name", "org")):
        org = orgs.get(v.get("org", ""))
        if not v.get("name"):
            errors.append(RowError(sheet, line, names["name"], "不能为空"))
        if org is None:
            errors.append(RowError(sheet, line, names["org"], f"找不到单位代码“{v.get('org')}”"))
            continue
        if by is not None and not can_manage(by, org):
            errors.append(RowError(sheet, line, names["org"], f"您无权管理“{org.name}”的成员"))
            continue
        try:
            joined = parse_date(v.get("joined_on")) if v.get("joined_on") else None
        except BadValue as exc:
            errors.append(RowError(sheet, line, names["joined_on"], str(exc)))
            continue
        if joined and joined > today:
            errors.append(RowError(sheet, line, names["joined_on"], "不能晚于今天"))
            continue
        if not v.get("name"):
            continue
        fields = {"role": v.get("role", "")[:40], "joined_on": joined}
        known = Member.objects.filter(org=org)
        known = (
            known.filter(external_id=v["external_id"])
            if v.get("external_id")
            else known.filter(name=v["name"])
        )
        if known.update(name=v["name"][:60], **fields):
            result.updated += 1
            continue
        new.append(
            Member(
                org=org,
                org_path=org.path,
                name=v["name"][:60],
                external_id=v.get("external_id", "")[:40],
                **fields,
            )
        )
    if errors:
        transaction.set_rollback(True)
        raise ImportRefused(errors)
    Member.objects.bulk_create(new, batch_size=2000)
    added: dict[str, int] = {}
    for m in new:
        added[m.org_path] = added.get(m.org_path, 0) + 1
    count_members(added)
    result.created = len(new)
    if dry_run:
        transaction.set_rollback(True)
    return result
