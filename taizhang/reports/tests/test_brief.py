import datetime as dt
import io
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document

from taizhang.evaluation.models import Snapshot
from taizhang.reports.snapshots import take_snapshots
from taizhang.testing import close, record


def _text(path_or_bytes):
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else str(path_or_bytes)
    doc = Document(source)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [p.text for p in doc.paragraphs] + cells


@pytest.fixture
def frozen(world):
    """Figures frozen yesterday (as the nightly run would have done)."""
    for i in range(3):
        close(world, record(world, title=f"已整改{i}"))
    record(world, title="未整改")
    today = dt.date.today()
    take_snapshots(world.campaign, today)
    Snapshot.objects.filter(day=today).update(day=today - dt.timedelta(days=1))
    world.day = today - dt.timedelta(days=1)
    return world


def test_the_brief_of_a_past_day_is_reproducible(frozen, tmp_path):
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    args = ["brief", "--campaign", frozen.campaign.slug, "--as-of", str(frozen.day)]
    call_command(*args, "--out", str(first))
    record(frozen, title="快照之后登记的问题")  # the ledger moves on
    close(frozen, record(frozen, title="快照之后整改的问题"))
    call_command(*args, "--out", str(second))
    text = _text(first)
    assert text == _text(second)
    assert any("整改率75.0%" in line for line in text)  # 3 of 4, as frozen
    assert "尧都区" in text and "比学赶超排名" in "".join(text)


def test_the_brief_needs_its_day_frozen(frozen, tmp_path):
    with pytest.raises(CommandError, match=r"没有 .* 的数字快照"):
        call_command("brief", "--campaign", frozen.campaign.slug, "--as-of", "2020-01-01",
                     "--out", str(tmp_path / "x.docx"))  # fmt: skip


def test_the_brief_as_a_workbook_and_from_the_overview(frozen, tmp_path, client):
    from openpyxl import load_workbook

    out = tmp_path / "brief.xlsx"
    call_command("brief", "--campaign", frozen.campaign.slug, "--as-of", str(frozen.day),
                 "--format", "xlsx", "--out", str(out))  # fmt: skip
    values = [c for row in load_workbook(out).active.iter_rows(values_only=True) for c in row]
    assert "尧都区" in values
    client.force_login(frozen.city_leader)
    page = client.get(reverse("campaign_overview", args=[frozen.campaign.slug])).content.decode()
    assert reverse("brief", args=[frozen.campaign.slug]) in page
    response = client.get(reverse("brief", args=[frozen.campaign.slug]) + "?format=docx")
    assert "尧都区" in _text(b"".join(response.streaming_content))
    client.force_login(frozen.handler_a1)
    assert client.get(reverse("brief", args=[frozen.campaign.slug])).status_code == 403


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_brief_as_a_pdf(frozen, tmp_path):
    out = tmp_path / "brief.pdf"
    call_command("brief", "--campaign", frozen.campaign.slug, "--as-of", str(frozen.day),
                 "--format", "pdf", "--out", str(out))  # fmt: skip
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 5000


def test_the_overview_follows_every_change_of_the_ledger(world, client):
    """The overview's figures are cached per ledger version: a write shows at once."""
    from taizhang.orgs.services import move_org

    client.force_login(world.city_leader)
    url = reverse("campaign_overview", args=[world.campaign.slug])

    def total():
        page = client.get(url).content.decode()
        return int(page.split('id="figure-problems_total"')[1].split('class="value"')[1]
                   .split(">")[1].split("<")[0])  # fmt: skip

    assert total() == 0
    p = record(world)
    assert total() == 1
    close(world, p)
    page = client.get(url).content.decode()
    assert "100.0%" in page
    # A unit moved to another county: its problems count there at once.
    move_org(world.dept_a1, world.county_b)
    county_b = client.get(url + f"?org={world.county_b.code}").content.decode()
    assert world.dept_a1.name in county_b


def test_the_brief_ranks_counties_and_departments_apart(world, tmp_path):
    from taizhang.orgs.models import OrgKind
    from taizhang.orgs.services import create_org

    create_org(code="141000801", name="临汾市发改委", kind=OrgKind.DEPARTMENT, parent=world.city)
    close(world, record(world, title="已整改"))
    take_snapshots(world.campaign, dt.date.today())
    out = tmp_path / "brief.docx"
    call_command("brief", "--campaign", world.campaign.slug, "--as-of", str(dt.date.today()),
                 "--out", str(out))  # fmt: skip
    doc = Document(str(out))
    tables = [[row.cells[1].text for row in t.rows[1:]] for t in doc.tables]
    assert tables == [["尧都区", "侯马市"], ["临汾市发改委"]]  # each kind ranked among its own
    assert "(县(市、区))" in [p.text for p in doc.paragraphs]


def test_the_brief_is_laid_out_as_a_gongwen(frozen, tmp_path):
    from docx.shared import Pt

    out = tmp_path / "brief.docx"
    call_command("brief", "--campaign", frozen.campaign.slug, "--as-of", str(frozen.day),
                 "--out", str(out))  # fmt: skip
    doc = Document(str(out))
    section = doc.sections[0]
    margins = (round(section.top_margin.mm), round(section.left_margin.mm))
    assert margins == (37, 28)  # GB/T 9704
    head = doc.paragraphs[0].runs[0]
    assert head.font.color.rgb is not None and str(head.font.color.rgb) == "D00000"
    assert 'w:eastAsia="方正小标宋简体"' in head._element.xml
    body = next(p for p in doc.paragraphs if p.text.startswith("截至"))
    assert (
        body.runs[0].font.size == Pt(16) and 'w:eastAsia="仿宋_GB2312"' in body.runs[0]._element.xml
    )
    assert any("w:pBdr" in p._p.xml and "D00000" in p._p.xml for p in doc.paragraphs[:5])
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and footer.count("—") == 2  # — 1 —
    caption = next(p for p in doc.paragraphs if p.text.startswith("("))
    assert caption.paragraph_format.keep_with_next  # never alone at the foot of a page
    from django.test import Client

    from taizhang.campaigns.access import forget_campaigns

    frozen.campaign.name = "“争先、进位”测试活动"
    frozen.campaign.save()
    forget_campaigns()
    client = Client()
    client.force_login(frozen.office)
    response = client.get(reverse("brief", args=[frozen.campaign.slug]) + "?format=docx")
    named = response["Content-Disposition"]
    assert "“" not in named and "%E2%80%9C" not in named and "E4" in named.upper()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_a_brief_downloaded_names_who_it_was_made_for_with_a_watermark(frozen, client, tmp_path):
    import subprocess
    import zipfile

    frozen.city_leader.first_name = "王建华"
    frozen.city_leader.save()
    client.force_login(frozen.city_leader)
    url = reverse("brief", args=[frozen.campaign.slug])
    docx = b"".join(client.get(url + "?format=docx").streaming_content)
    parts = zipfile.ZipFile(io.BytesIO(docx))
    footer = "".join(parts.read(n).decode() for n in parts.namelist() if "footer" in n)
    header = "".join(parts.read(n).decode() for n in parts.namelist() if "header" in n)
    assert "导出人:王建华(临汾市) 导出时间:" in footer
    assert 'string="导出人:王建华(临汾市)"' in header and "rotation:315" in header
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(b"".join(client.get(url + "?format=pdf").streaming_content))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "导出人:王建华(临汾市)" in text
    # Made by the command line for nobody in particular: no one is named.
    out = tmp_path / "brief.docx"
    call_command("brief", "--campaign", frozen.campaign.slug, "--as-of", str(frozen.day),
                 "--out", str(out))  # fmt: skip
    assert not any("导出人" in line for line in _text(out))
