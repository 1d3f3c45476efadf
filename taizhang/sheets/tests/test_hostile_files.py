"""Workbooks made to kill the reader are refused with a message, and the server lives on."""

import re
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from taizhang.sheets.reading import read_table


def sparse_bomb(path, *, declared: bool = True):
    """Two cells, A1 and XFD1048576: 1.6 KB that a reader takes for 17 billion cells."""
    book = openpyxl.Workbook()
    book.active["A1"] = "序号"
    book.active["XFD1048576"] = "x"
    book.save(path)
    if not declared:
        with zipfile.ZipFile(path) as source:
            parts = {i.filename: source.read(i.filename) for i in source.infolist()}
        sheet = "xl/worksheets/sheet1.xml"
        parts[sheet] = re.sub(rb"<dimension[^>]*/>", b"", parts[sheet])
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in parts.items():
                out.writestr(name, data)
    return path


def test_a_sheet_that_declares_billions_of_cells_is_refused_before_reading(tmp_path):
    with pytest.raises(ValidationError, match=r"1048576 行 × 16384 列.*A1:XFD1048576"):
        read_table(sparse_bomb(tmp_path / "bomb.xlsx"), set())


@override_settings(SHEET_READER_MEMORY_MB=1024)
def test_a_sheet_that_hides_its_size_dies_in_the_child_not_here(tmp_path):
    with pytest.raises(ValidationError, match="内存超出上限"):
        read_table(sparse_bomb(tmp_path / "bomb.xlsx", declared=False), set())
    # This process is still here to read the next file.
    book = openpyxl.Workbook()
    book.active.append(["序号", "问题"])
    book.active.append([1, "路灯不亮"])
    book.save(tmp_path / "fine.xlsx")
    assert read_table(tmp_path / "fine.xlsx", {"问题"}).rows[1] == [1.0, "路灯不亮"]


def test_a_deflate_bomb_is_refused_without_unpacking(tmp_path):
    path = tmp_path / "deflate.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", "<Types/>")
        out.writestr("xl/worksheets/sheet1.xml", b" " * (64 * 2**20))
    assert path.stat().st_size < 2**20
    with pytest.raises(ValidationError, match="解压为 64 MB,不像电子表格"):
        read_table(path, set())


def test_a_file_that_is_not_a_workbook_says_so(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValidationError, match="不是电子表格或已损坏"):
        read_table(path, set())


def test_the_import_page_refuses_a_bomb_by_the_name_it_was_uploaded_under(world, tmp_path):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(world.admin_a)
    with sparse_bomb(tmp_path / "尧都区台账.xlsx").open("rb") as upload:
        page = client.post(
            reverse("ledger_import", args=[world.campaign.slug]),
            {"file": upload, "mode": "check", "kind": "problems"},
        )
    text = page.content.decode()
    assert page.status_code == 400 and "“尧都区台账.xlsx”中的一个工作表声明了" in text
