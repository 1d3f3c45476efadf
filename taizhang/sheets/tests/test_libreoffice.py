"""Workbooks as many offices make them (WPS and LibreOffice), and ours as they open them."""

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from taizhang.ledger.models import Problem
from taizhang.sheets.ledger_export import export_problems
from taizhang.sheets.problem_import import import_problems
from taizhang.testing import record

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (make test installs it)",
)


def convert(path: Path, target: str, folder: Path) -> Path:
    read_utf8 = ["--infilter=CSV:44,34,76"] if path.suffix == ".csv" else []
    subprocess.run(
        [
            SOFFICE or "soffice",
            "--headless",
            f"-env:UserInstallation=file://{folder}/profile",
            *read_utf8,
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder / f"{path.stem}.{target.split(':')[0]}"


@pytest.mark.parametrize("target", ["xlsx", "ods", "xls:MS Excel 97"])
def test_a_ledger_saved_by_libreoffice_imports(world, tmp_path, target):
    source = tmp_path / "台账.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["编号", "问题", "聚焦领域", "责任单位", "整改类型", "完成时限"])
        writer.writerow(["LO-1", "办事指南不清晰", "优化营商环境", "尧都区发改局", "立行立改", ""])
        writer.writerow(["LO-2", "路面破损", "破解民生难题", "尧都区大阳镇", "限期整改", ""])
    workbook = convert(source, target, tmp_path)
    result = import_problems(workbook, campaign=world.campaign)
    assert (result.created, result.refused) == (2, [])
    assert set(Problem.objects.values_list("number", flat=True)) == {"LO-1", "LO-2"}


def test_our_export_opens_in_libreoffice(world, tmp_path):
    for i in range(3):
        record(world, title=f"问题 & <{i}>")
    out = tmp_path / "export.xlsx"
    export_problems(Problem.objects.order_by("number"), campaign=world.campaign, org=None, out=out)
    back = convert(out, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
    rows = list(csv.reader(back.open(encoding="utf-8")))
    assert rows[2][:3] == ["序号", "编号", "问题"]
    assert [r[2] for r in rows[3:]] == ["问题 & <0>", "问题 & <1>", "问题 & <2>"]
