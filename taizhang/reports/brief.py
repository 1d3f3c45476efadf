"""The weekly brief (通报) an office issues: headline figures and their change, the ranking,
the units named for overdue items, hot topics, a chart. Every number comes from the daily
snapshots, so the brief for a past date is the same whenever it is made."""

import datetime as dt
import io
import itertools
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign
from taizhang.evaluation.models import Snapshot
from taizhang.ledger.models import ChainHead
from taizhang.orgs.models import Org, OrgKind
from taizhang.reports.ranking import ranking_kinds
from taizhang.sheets.issued import current as issued_now
from taizhang.sheets.workbook import Column, write_xlsx
from taizhang.triage.models import Run, RunKind, RunStatus

FORMATS = ("docx", "pdf", "xlsx")
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "SimHei", "Microsoft YaHei")


@dataclass
class Brief:
    campaign: Campaign
    as_of: dt.date
    headline: dict[str, Any]
    previous: dict[str, Any] | None
    units: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)
    # The history chain's head the figures were frozen with (ledger.chain), for checking later.
    chain_seq: int | None = None
    chain_digest: str = ""
    chain_algorithm: str = "sha256"

    @property
    def check_code(self) -> str:
        """数据校验码, printed at the foot of the brief: `taizhang verify --head` checks it."""
        if self.chain_seq is None:
            return ""
        name = {"sha256": "SHA-256", "sm3": "SM3"}.get(self.chain_algorithm, self.chain_algorithm)
        return (
            f"数据校验码(截至第 {self.chain_seq} 条办理记录,{name}):"
            f"{self.chain_seq}:{self.chain_digest}"
        )

    def change(self, key: str) -> float | None:
        if not self.previous or self.previous.get(key) is None or self.headline.get(key) is None:
            return None
        return round(self.headline[key] - self.previous[key], 1)

    @property
    def named(self) -> list[dict[str, Any]]:
        """Units with the most overdue problems (the office names them in the brief)."""
        late = [u for u in self.units if u["overdue"]]
        return sorted(late, key=lambda u: (-u["overdue"], u["code"]))[:5]


def gather(campaign: Campaign, as_of: dt.date) -> Brief:
    root = Snapshot.objects.filter(campaign=campaign, org=campaign.org, day=as_of).first()
    if root is None:
        raise ValidationError(
            _("没有 %(d)s 的数字快照:通报只用每日冻结的数字(taizhang supervise run 生成)。")
            % {"d": as_of}
        )
    week_ago = Snapshot.objects.filter(
        campaign=campaign, org=campaign.org, day=as_of - dt.timedelta(days=7)
    ).first()
    children = {o.pk: o for o in Org.objects.filter(parent=campaign.org)}
    units = []
    for snap in Snapshot.objects.filter(campaign=campaign, day=as_of, org_id__in=children):
        f = snap.figures
        org = children[snap.org_id]
        units.append(
            {
                "code": org.code,
                "name": org.name,
                "kind": org.kind,
                "total": f.get("problems_total", 0),
                "rate": f.get("rectification_rate"),
                "on_time": f.get("on_time_rate"),
                "overdue": f.get("overdue", 0),
                "score": f.get("score"),
            }
        )
    # Units are ranked among their peers: counties with counties, departments with departments.
    kinds = ranking_kinds(campaign.org)
    units.sort(
        key=lambda u: (kinds.index(u["kind"]) if u["kind"] in kinds else len(kinds),
                       u["score"] is None, -(u["score"] or 0), u["code"])
    )  # fmt: skip
    topics_run = (
        Run.objects.filter(
            campaign=campaign,
            kind=RunKind.TOPICS,
            status=RunStatus.DONE,
            finished_at__date__lte=as_of,
        )
        .order_by("-finished_at")
        .first()
    )
    topics = (
        [
            {"rank": c.rank, "title": c.title, "citizens": c.citizens, "size": c.size}
            for c in topics_run.clusters.all()[:5]
        ]
        if topics_run
        else []
    )
    algorithm = ChainHead.objects.filter(campaign=campaign).values_list("algorithm", flat=True)
    return Brief(
        campaign, as_of, root.figures, week_ago.figures if week_ago else None, units, topics,
        root.chain_seq, root.chain_digest, algorithm.first() or "sha256",
    )  # fmt: skip


def ranked_groups(b: Brief) -> list[tuple[str, list[tuple[int, dict[str, Any]]]]]:
    """(the kind's name, [(rank within the kind, unit)]) in the order the brief shows them."""
    groups: list[tuple[str, list[tuple[int, dict[str, Any]]]]] = []
    for kind, units in itertools.groupby(b.units, key=lambda u: u["kind"]):
        label = str(OrgKind(kind).label) if kind in OrgKind.values else kind
        groups.append((label, list(enumerate(units, start=1))))
    return groups


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _signed(value: float | None) -> str:
    return "" if value is None else f"(较上周{'+' if value >= 0 else ''}{value:.1f}个百分点)"


def paragraphs(b: Brief) -> list[str]:
    h = b.headline
    lines = [
        f"截至{b.as_of:%Y年%-m月%-d日},全市共排查问题{h['problems_total']}个,"
        f"已整改销号{h['problems_rectified']}个,整改率{_pct(h['rectification_rate'])}"
        f"{_signed(b.change('rectification_rate'))};按期整改率{_pct(h['on_time_rate'])};"
        f"逾期未整改{h['overdue']}个。",
    ]
    s = h.get("supervision", {})
    if s:
        satisfied = s.get("satisfaction_rate")
        lines.append(
            f"本轮共发出督办通知{s.get('notices_issued', 0)}份,"
            f"按期回复{s.get('notices_replied_on_time', 0)}份;"
            f"抽查{s.get('spot_checks_done', 0)}个问题,通过{s.get('spot_checks_passed', 0)}个;"
            f"群众评价{s.get('ratings', 0)}次,"
            f"满意率{_pct(satisfied)}。"
        )
    p = h.get("projects", {})
    if p.get("projects_total"):
        lines.append(
            f"项目建设方面,{p['year']}年度在库项目{p['projects_total']}个,"
            f"总投资{p['investment_total_yi']:g}亿元,年度计划投资"
            f"{p['investment_annual_planned_yi']:g}亿元,已完成{p['investment_annual_done_yi']:g}亿元,"
            f"年度投资完成率{_pct(p['annual_investment_rate'])};签约率{_pct(p['signed_rate'])},"
            f"开工率{_pct(p['started_rate'])};滞后项目{p['projects_behind']}个,"
            f"未按时报送月报{p['projects_unreported']}个。"
        )
    if b.named:
        names = "、".join(f"{u['name']}({u['overdue']}个)" for u in b.named)
        lines.append(f"逾期问题较多的单位:{names},请抓紧整改。")
    return lines


def chart_png(b: Brief) -> bytes | None:
    """A bar chart of the units' rectification rates, drawn with a CJK font (None without one)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    if not _has_cjk_font():
        return None
    available = {f.name for f in font_manager.fontManager.ttflist}
    font = next(f for f in CJK_FONTS if f in available)
    units = [u for u in b.units if u["rate"] is not None and u["kind"] == "county"] or [
        u for u in b.units if u["rate"] is not None
    ]
    units = sorted(units, key=lambda u: -u["rate"])[:20]
    if not units:
        return None
    plt.rcParams["font.family"] = font
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(units) + 1))
    ax.barh([u["name"] for u in units][::-1], [u["rate"] for u in units][::-1], color="#b42318")
    ax.set_xlim(0, 100)  # from zero: a bar's length is its rate
    ax.set_xlabel("整改率(%)")
    for i, u in enumerate(units[::-1]):
        ax.text(u["rate"], i, f" {u['rate']:.1f}%", va="center", fontsize=8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, metadata={"Software": None})
    plt.close(fig)
    return out.getvalue()


# 公文 (GB/T 9704-2012): the issuing mark in red 小标宋, the body in 仿宋 三号 (16 pt) on a
# 28-point line, headings in 黑体 and 楷体, page numbers as "— 1 —". Word uses these fonts where
# they are installed; LibreOffice (the PDF) takes the nearest free ones it has.
TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT = (
    "方正小标宋简体",
    "仿宋_GB2312",
    "黑体",
    "楷体_GB2312",
)
RED = (0xD0, 0x00, 0x00)


def issue_number(b: Brief) -> int:
    """The brief's 期 number: the weeks since the campaign began, counting the first as 1."""
    return max(1, (b.as_of - b.campaign.starts_on).days // 7 + 1)


def write_docx(b: Brief, out: Path) -> None:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Cm, Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "FangSong", Pt(16)
    _east_asian(style.element, BODY_FONT)
    style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    style.paragraph_format.line_spacing = Pt(28)
    style.paragraph_format.space_after = Pt(0)

    def line(
        text: str = "",
        *,
        font: str = BODY_FONT,
        size: int = 16,
        bold: bool = False,
        center: bool = False,
        red: bool = False,
        indent: bool = False,
    ) -> Any:
        paragraph = doc.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(size * 2)  # two characters
        run = paragraph.add_run(text)
        run.font.size, run.bold = Pt(size), bold
        if red:
            run.font.color.rgb = RGBColor(*RED)
        _east_asian(run._element, font)
        return paragraph

    # 版头: the issuing mark in red, the 期 number, the office and the date, a red rule.
    head = line(f"{b.campaign.org.name}活动办公室", font=TITLE_FONT, size=26, center=True,
                red=True)  # fmt: skip
    head.paragraph_format.line_spacing = Pt(40)
    line(
        "工作通报", font=TITLE_FONT, size=26, center=True, red=True
    ).paragraph_format.line_spacing = Pt(40)
    line(f"第 {issue_number(b)} 期", center=True)
    stamp = line(f"{b.campaign.org.name}活动办公室{' ' * 8}{b.as_of:%Y年%-m月%-d日}", center=True)
    _red_rule(stamp)
    line()
    title = line(f"{b.campaign.name}工作进展情况", font=TITLE_FONT, size=22, center=True)
    title.paragraph_format.line_spacing = Pt(32)
    line()
    line("一、总体情况", font=HEADING_FONT).paragraph_format.keep_with_next = True
    for text in paragraphs(b):
        line(text, indent=True)
    line("二、比学赶超排名", font=HEADING_FONT).paragraph_format.keep_with_next = True
    headers = ["排名", "单位", "问题数", "整改率", "按期整改率", "得分"]
    widths = [Cm(1.6), Cm(5.2), Cm(2.0), Cm(2.2), Cm(2.8), Cm(2.0)]
    for label, ranked in ranked_groups(b):
        # A caption never stands alone at the foot of a page: it keeps with its table.
        line(f"({label})", font=SUBHEADING_FONT).paragraph_format.keep_with_next = True
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        rows = [headers] + [
            [str(rank), u["name"], str(u["total"]), _pct(u["rate"]), _pct(u["on_time"]),
             _pct(u["score"])]
            for rank, u in ranked
        ]  # fmt: skip
        for index, values in enumerate(rows):
            cells = table.rows[0].cells if index == 0 else table.add_row().cells
            for cell, text, width in zip(cells, values, widths, strict=True):
                cell.width = width
                cell.text = ""
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.line_spacing = Pt(18)
                paragraph.paragraph_format.keep_with_next = index < len(rows) - 1
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run(text)
                run.font.size, run.bold = Pt(12), index == 0
                _east_asian(run._element, HEADING_FONT if index == 0 else BODY_FONT)
        line()
    picture = chart_png(b)
    if picture:
        line("各县(市、区)整改率:", font=SUBHEADING_FONT).paragraph_format.keep_with_next = True
        doc.add_picture(io.BytesIO(picture), width=Cm(15))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if b.topics:
        line("三、群众反映的热点问题", font=HEADING_FONT).paragraph_format.keep_with_next = True
        for t in b.topics:
            line(f"{t['rank']}. {t['title']}({t['citizens']}位群众反映)", indent=True)
    if b.check_code:
        line()
        line(b.check_code, size=9).paragraph_format.line_spacing = Pt(14)
    _page_numbers(section)
    issued = issued_now()
    if issued:  # written for a person: named under the page number, and a light watermark
        _issued_footer(section, issued)
        _watermark(section, issued.split(" ")[0])
    doc.core_properties.created = dt.datetime.combine(b.as_of, dt.time())
    doc.core_properties.modified = dt.datetime.combine(b.as_of, dt.time())
    doc.core_properties.last_modified_by = "taizhang"
    doc.core_properties.author = "taizhang"
    doc.save(str(out))


def _red_rule(paragraph: Any) -> None:
    """The red line under the 版头 (a bottom border of the paragraph)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "4"), ("color", "D00000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _issued_footer(section: Any, line: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = section.footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(line)
    run.font.size = Pt(9)
    _east_asian(run._element, "宋体")


TEXT_SHAPE_FORMULAS = ("sum #0 0 10800", "prod #0 2 1", "sum 21600 0 @1", "sum 0 0 @2",
                       "sum 21600 0 @3", "if @0 @3 0", "if @0 21600 @1", "if @0 0 @2",
                       "if @0 @4 21600", "mid @5 @6", "mid @8 @5", "mid @7 @8", "mid @6 @7",
                       "sum @6 0 @5")  # fmt: skip
# Word's own text watermark (水印): its shape type and a shape named as Word names it, which is
# how LibreOffice recognises one when it prints the brief to PDF.
WATERMARK = (
    '<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<w:r><w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" '
    'adj="10800" path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(f'<v:f eqn="{f}"/>' for f in TEXT_SHAPE_FORMULAS)
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/>'
    '</v:shapetype><v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" '
    'type="#_x0000_t136" o:allowincell="f" '
    'style="position:absolute;margin-left:0;margin-top:0;width:420pt;height:70pt;rotation:315;'
    "z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
    'mso-position-vertical:center;mso-position-vertical-relative:margin" fillcolor="#d9d9d9" '
    'stroked="f"><v:fill opacity=".35"/><v:textpath style="font-family:&quot;SimSun&quot;;'
    'font-size:1pt" string="{text}"/></v:shape></w:pict></w:r></w:p>'
)


def _watermark(section: Any, text: str) -> None:
    """A light diagonal text behind every page (Word's 水印, which LibreOffice prints too)."""
    from xml.sax.saxutils import quoteattr

    from docx.oxml import parse_xml

    section.header.is_linked_to_previous = False
    attribute = quoteattr(text)[1:-1]
    section.header._element.append(parse_xml(WATERMARK.replace("{text}", attribute)))


def _page_numbers(section: Any) -> None:
    """ "— 1 —" at the foot of every page, in 宋体 四号 (14 pt), from Word's PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(text: str = "") -> Any:
        made = footer.add_run(text)
        made.font.size = Pt(14)
        _east_asian(made._element, "宋体")
        return made

    run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        part = run()
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            part._r.append(field)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            part._r.append(instruction)
    run(" —")


def _east_asian(element: Any, font: str) -> None:
    """Word takes Chinese text's font from w:eastAsia, which python-docx does not set."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _has_cjk_font() -> bool:
    from matplotlib import font_manager

    if any(f.name in CJK_FONTS for f in font_manager.fontManager.ttflist):
        return True
    # matplotlib keeps the fonts it found in a cache of its own, which knows nothing of a font
    # installed after it was made: look at the system's fonts again before saying none is there.
    font_manager.fontManager = font_manager._load_fontmanager(try_read_cache=False)  # type: ignore[attr-defined]
    return any(f.name in CJK_FONTS for f in font_manager.fontManager.ttflist)


def write_pdf(b: Brief, out: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ValidationError(
            _("生成 PDF 需要 LibreOffice(Debian 软件包 libreoffice-writer-nogui)。")
        )
    if not _has_cjk_font():
        raise ValidationError(
            _("服务器上没有中文字体,PDF 中的中文会显示为方框:请安装 fonts-wqy-microhei。")
        )
    with tempfile.TemporaryDirectory() as folder:
        docx = Path(folder) / "brief.docx"
        write_docx(b, docx)
        done = subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation=file://{folder}/profile",
             "--convert-to", "pdf", "--outdir", folder, str(docx)],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        made = Path(folder) / "brief.pdf"
        if not made.exists():
            raise ValidationError(
                _("LibreOffice 未能生成 PDF(需要 libreoffice-writer-nogui):%(e)s")
                % {"e": (done.stderr or done.stdout).strip()[:300]}
            )
        shutil.move(str(made), out)


def write_brief_xlsx(b: Brief, out: Path) -> None:

    rows: list[list[Any]] = [[line, "", "", "", "", ""] for line in paragraphs(b)]
    rows.append(["", "", "", "", "", ""])
    for label, ranked in ranked_groups(b):
        rows.append([label, "", "", "", "", ""])
        rows.append(["排名", "单位", "问题数", "整改率(%)", "按期整改率(%)", "得分(%)"])
        for rank, u in ranked:
            rows.append([rank, u["name"], u["total"], u["rate"], u["on_time"],
                         u["score"]])  # fmt: skip
    if b.check_code:
        rows += [["", "", "", "", "", ""], [b.check_code, "", "", "", "", ""]]
    write_xlsx(
        out,
        sheet="通报",
        title=f"{b.campaign.name}工作通报",
        subtitle=f"{b.campaign.org.name}活动办公室 {b.as_of:%Y年%-m月%-d日}",
        columns=[
            Column("", 60),
            Column("", 20),
            Column("", 10),
            Column("", 12),
            Column("", 14),
            Column("", 10),
        ],
        rows=rows,
    )


def make_brief(campaign: Campaign, as_of: dt.date, fmt: str, out: Path) -> Brief:
    if fmt not in FORMATS:
        raise ValidationError(_("格式应为 docx、pdf 或 xlsx。"))
    b = gather(campaign, as_of)
    {"docx": write_docx, "pdf": write_pdf, "xlsx": write_brief_xlsx}[fmt](b, out)
    return b
