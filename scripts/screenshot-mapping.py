"""The user guide's picture of the import's mapping step (docs/mapping.png), from a running
demo (`make demo`):

    .venv/bin/python scripts/screenshot-mapping.py [http://127.0.0.1:8000]

Logs in as the demo's `yaodu_handler`, uploads an office workbook whose header taizhang does
not know (a title, a 填报单位 line, a sheet of notes before it), picks the sheet and the header
row, and photographs the mapping card.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402

from taizhang.demo.builder import SLUG  # noqa: E402
from taizhang.testing import chromium_page  # noqa: E402


def workbook(folder: Path) -> Path:
    wb = Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["本表由各责任单位每月 5 日前报送。"])
    ws = wb.create_sheet("整改台账")
    ws.append(["尧都区发展和改革局问题整改清单"])
    ws.merge_cells("A1:G1")
    ws.append(["填报单位:尧都区发展和改革局", "", "", "", "", "填报日期:2026年11月30日"])
    ws.append(["序号", "事项摘要", "办理主体", "包联领导", "工作举措", "办结期限", "目前进展"])
    ws.append(
        [1, "企业开办环节多", "区发改局", "张伟", "精简环节,一窗受理", "2026年12月底前", "正在推进"]
    )
    ws.append([2, "窗口排队时间长", "区发改局", "张伟", "增设窗口", "立行立改", "已完成"])
    path = folder / "尧都区发改局整改清单.xlsx"
    wb.save(path)
    return path


def main() -> int:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    with (
        tempfile.TemporaryDirectory() as folder,
        chromium_page(viewport={"width": 1366, "height": 900}) as page,
    ):
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "yaodu_handler")
        page.fill("input[name=password]", "taizhang-demo")
        page.click("button[type=submit]")
        page.goto(f"{base}/c/{SLUG}/import/")
        page.set_input_files("input[name=file]", str(workbook(Path(folder))))
        page.click("#import-form button[type=submit]")
        page.select_option("select[name=sheet]", "整改台账")
        page.fill("input[name=header_row]", "3")
        page.click("button[value=pick]")
        page.click("#mapping-preview summary")
        page.locator("#mapping").screenshot(path=str(ROOT / "docs" / "mapping.png"))
    print(ROOT / "docs" / "mapping.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
