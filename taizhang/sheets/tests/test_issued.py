"""Exports and printed pages carry who made them: the exporter, their unit and the time in
the file's header or footer, and a light watermark on printed pages."""

import csv
import io
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from taizhang.testing import BROWSER_MARKS, record


def _office(world) -> Client:
    world.office.first_name = "刘明"
    world.office.save()
    client = Client()
    client.force_login(world.office)
    return client


def test_a_ledger_workbook_names_its_exporter_in_the_subtitle_and_every_page_footer(world):
    record(world, title="路灯不亮")
    response = _office(world).get(reverse("problem_export", args=[world.campaign.slug, "xlsx"]))
    data = b"".join(response.streaming_content)
    values = [c for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
              for c in row if c]  # fmt: skip
    assert any("导出人:刘明(临汾市) 导出时间:" in str(v) for v in values)
    sheet = load_workbook(io.BytesIO(data)).active
    assert "导出人:刘明(临汾市)" in sheet.oddFooter.left.text
    assert "第 &P 页" in sheet.oddFooter.center.text


def test_a_ledger_csv_names_its_exporter_above_the_header(world, tmp_path):
    from taizhang.sheets.problem_import import import_problems

    record(world, title="路灯不亮")
    response = _office(world).get(reverse("problem_export", args=[world.campaign.slug, "csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    first, header, *_rows = list(csv.reader(io.StringIO(text)))
    assert first[0].startswith("导出人:刘明(临汾市) 导出时间:") and "编号" in header
    # The line above the header does not stop the file coming back in.
    path = tmp_path / "台账.csv"
    path.write_text(text, encoding="utf-8-sig")
    result = import_problems(path, campaign=world.campaign)
    assert (result.created, result.refused, result.unchanged) == (0, [], 1)


@pytest.mark.django_db(transaction=True)
@BROWSER_MARKS[0]
@BROWSER_MARKS[1]
def test_a_printed_page_carries_its_printer_as_a_head_and_a_watermark(
    world, live_server, browser_page, tmp_path
):
    page, base = browser_page, live_server.url
    problem = record(world, title="路灯不亮")
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "handler_a1")
    page.fill("input[name=password]", "pw-handler_a1")
    page.click("button[type=submit]")
    for path in (f"/c/{world.campaign.slug}/problems/", f"/problems/{problem.pk}/print/"):
        page.goto(base + path)
        assert not page.locator(".print-watermark").is_visible()  # on screen: nothing
        page.emulate_media(media="print")
        watermark = page.locator(".print-watermark")
        assert (
            watermark.is_visible() and "打印人:handler_a1(尧都区发改局)" in watermark.inner_text()
        )
        pdf = tmp_path / "page.pdf"
        page.pdf(path=str(pdf))
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True).stdout  # fmt: skip
        assert "打印人:handler_a1(尧都区发改局)" in text.replace("\n", "")
        page.emulate_media(media="screen")
