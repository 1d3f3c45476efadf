"""The pictures in README.md and docs/, from a running demo (`make demo`):

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

docs/overview.png (the overview at 1366 × 768), docs/wall.png (the wall display at 1920 ×
1080), docs/problem-phone.png (a problem on a 390 px phone), docs/brief.png (the first page
of the weekly brief as PDF; needs LibreOffice and pdftoppm) and docs/mapping.png (the import's
mapping step for an office workbook whose header taizhang does not know).
"""

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
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


def login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "taizhang-demo")
    page.click("button[type=submit]")


def mapping(base: str) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        chromium_page(viewport={"width": 1366, "height": 900}) as page,
    ):
        login(page, base, "yaodu_handler")
        page.goto(f"{base}/c/{SLUG}/import/")
        page.set_input_files("input[name=file]", str(workbook(Path(folder))))
        page.click("#import-form button[type=submit]")
        page.select_option("select[name=sheet]", "整改台账")
        page.fill("input[name=header_row]", "3")
        page.click("button[value=pick]")
        page.click("#mapping-preview summary")
        page.locator("#mapping").screenshot(path=str(DOCS / "mapping.png"))


def overview_and_wall(base: str) -> None:
    with chromium_page(viewport={"width": 1366, "height": 768}) as page:
        login(page, base, "city_leader")
        page.goto(f"{base}/c/{SLUG}/")
        page.wait_for_timeout(2500)  # the charts' animation
        page.screenshot(path=str(DOCS / "overview.png"))
    with chromium_page(viewport={"width": 1920, "height": 1080}) as page:
        login(page, base, "city_leader")
        page.goto(f"{base}/c/{SLUG}/?wall=1")
        page.wait_for_timeout(2500)
        page.screenshot(path=str(DOCS / "wall.png"))


def problem_on_a_phone(base: str) -> None:
    from taizhang.ledger.models import Problem

    problem = (
        Problem.objects.filter(
            campaign__slug=SLUG, org__code="141002801", suggestions__isnull=False
        )
        .order_by("pk")
        .first()
        or Problem.objects.filter(campaign__slug=SLUG, org__code="141002801").order_by("pk").first()
    )
    assert problem is not None, "the demo has no problem of 尧都区发展和改革局"
    with chromium_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ) as page:
        login(page, base, "yaodu_handler")
        page.goto(f"{base}/problems/{problem.pk}/")
        page.screenshot(path=str(DOCS / "problem-phone.png"), full_page=True)


def brief_first_page() -> None:
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "brief.pdf"
        call_command("brief", "--campaign", SLUG, "--as-of", str(dt.date.today()),
                     "--format", "pdf", "--out", str(pdf))  # fmt: skip
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(DOCS / "brief")],
            check=True,
        )  # fmt: skip


def main() -> int:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    mapping(base)
    overview_and_wall(base)
    problem_on_a_phone(base)
    brief_first_page()
    for name in ("mapping", "overview", "wall", "problem-phone", "brief"):
        print(DOCS / f"{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
