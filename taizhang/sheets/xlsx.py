"""A small streaming XLSX writer for big, plain tables: inline strings, a few styles.

XlsxWriter spends ≈ 6 µs a cell; the 台账 of a city has 4.6 million cells. This writes the
sheets' XML straight into the zip as rows arrive (≈ 1 µs a cell) and keeps nothing in memory.
It writes what an office's printed 台账 needs: a merged title and subtitle, a styled frozen
header repeated on every page, column widths, bordered cells, dates, numbers, wrapped text in
rows tall enough for it (Excel and LibreOffice alike), a signature line under the table, A4
landscape with 第 X 页 共 Y 页 at the foot of each page.

One pass over the rows fills every sheet: each shows some of a row's values (the columns an
office prints on the first, the rest on a second); the later sheets wait in temporary files
while the first is written into the zip.
"""

import datetime as dt
import math
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Styles (cellXfs): 0 plain, 1 date, 2 header, 3 title, 4 wrapped text, then the same three
# data styles with borders, and the bordered empty cell.
PLAIN, DATE, HEADER, TITLE, WRAP, BORDERED, BORDERED_DATE, BORDERED_WRAP = range(8)
_ILLEGAL = {c: None for c in range(32) if c not in (9, 10, 13)}
# Points per line of 11-point text, and the row's padding; Excel's default row is 14.25.
LINE_HEIGHT, ROW_PADDING = 14.4, 3.0

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_BORDER = '<border><left style="thin"><color rgb="FF666666"/></left><right style="thin"><color rgb="FF666666"/></right><top style="thin"><color rgb="FF666666"/></top><bottom style="thin"><color rgb="FF666666"/></bottom><diagonal/></border>'
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="等线"/><family val="2"/></font>
<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="等线"/><family val="2"/></font>
<font><b/><sz val="16"/><name val="等线"/><family val="2"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFB42318"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>{_BORDER}</borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="8">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="164" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: which of each row's values it shows, under which headers."""

    name: str
    title: str
    subtitle: str
    headers: Sequence[str]
    widths: Sequence[float]
    wrapped: Sequence[bool]
    values: Sequence[int] | None = None  # indices into each row; None: all, in order
    # Under the table: 填表人 / 审核人 / 日期, as an office signs its printed ledger.
    footer_line: str = ""
    borders: bool = False
    merges: Sequence[str] = ()  # more merged ranges (A3:A4), beside the title and subtitle
    issued: str = ""  # who it was exported for, printed at the foot of every page


def _footer(issued: str) -> str:
    """The printed page's footer: who it was exported for on the left, the page in the middle
    (an "&" in the text is doubled: a single one starts a footer code)."""
    left = f"&L{issued.replace('&', '&&')[:120]}" if issued else ""
    return _text(f"{left}&C第 &P 页 共 &N 页")


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    return escape(value.translate(_ILLEGAL))


def text_lines(value: str, width: float) -> int:
    """How many lines a wrapped cell takes in a column `width` characters wide: a Chinese
    character takes 1.7 of them (measured in LibreOffice; Excel's 等线 takes a little more
    room per digit, so as much per character). Its UTF-8 length is 3, a Latin letter's 1."""
    room = max(1.0, width - 0.5)
    return sum(
        max(1, math.ceil((len(line) + 0.35 * (len(line.encode()) - len(line))) / room))
        for line in value.split("\n")
    )


def write_table(
    out: Path,
    *,
    sheet: str,
    title: str,
    subtitle: str,
    headers: Sequence[str],
    widths: Sequence[float],
    wrapped: Sequence[bool],
    rows: Iterable[Sequence[Any]],
) -> int:
    """A one-sheet workbook; returns the number of data rows."""
    return write_sheets(out, [Sheet(sheet, title, subtitle, headers, widths, wrapped)], rows)


def write_sheets(out: Path, sheets: Sequence[Sheet], rows: Iterable[Sequence[Any]]) -> int:
    """Write the workbook, every sheet from the one pass over `rows`; returns their number."""
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _content_types(len(sheets)))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/workbook.xml", _workbook(sheets))
        with ExitStack() as spools:
            later = [spools.enter_context(tempfile.TemporaryFile()) for _ in sheets[1:]]
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as first:
                writers = [_SheetWriter(s, h) for s, h in zip(sheets, [first, *later], strict=True)]
                for writer in writers:
                    writer.start()
                for row in rows:
                    for writer in writers:
                        writer.row(row)
                    count += 1
                for writer in writers:
                    writer.end()
            for number, spooled in enumerate(later, start=2):
                spooled.seek(0)
                with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as f:
                    while chunk := spooled.read(1 << 20):
                        f.write(chunk)
    return count


class _SheetWriter:
    def __init__(self, sheet: Sheet, out: IO[bytes]) -> None:
        self.sheet, self.put = sheet, out.write
        self.picks = list(sheet.values) if sheet.values is not None else None
        self.letters = [column_letter(i) for i in range(len(sheet.headers))]
        plain, date, wrap = (BORDERED, BORDERED_DATE, BORDERED_WRAP) if sheet.borders else (
            PLAIN, DATE, WRAP
        )  # fmt: skip
        self.date_style = date
        self.styles = [f' s="{wrap}"' if w else (f' s="{plain}"' if plain else "")
                       for w in sheet.wrapped]  # fmt: skip
        self.number = 3

    def start(self) -> None:
        s = self.sheet
        self.put(
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="3" topLeftCell="A4" '
                'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                '<sheetFormatPr defaultRowHeight="15"/><cols>'
                + "".join(
                    f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                    for i, w in enumerate(s.widths)
                )
                + "</cols><sheetData>"
                f'<row r="1" ht="30" customHeight="1"><c r="A1" s="{TITLE}" t="inlineStr">'
                f"<is><t>{_text(s.title)}</t></is></c></row>"
                f'<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">'
                f"{_text(s.subtitle)}</t></is></c></row>"
                f'<row r="3" ht="{self._height(s.headers, [True] * len(s.headers))}" '
                'customHeight="1">'
                + "".join(
                    f'<c r="{self.letters[i]}3" s="{HEADER}" t="inlineStr"><is><t>{_text(h)}'
                    f"</t></is></c>"
                    for i, h in enumerate(s.headers)
                )
                + "</row>"
            ).encode()
        )

    def _height(self, values: Sequence[Any], wrapped: Sequence[bool]) -> float:
        lines = max(
            (
                text_lines(v, self.sheet.widths[i])
                for i, v in enumerate(values)
                if wrapped[i] and isinstance(v, str) and v
            ),
            default=1,
        )
        return round(lines * LINE_HEIGHT + ROW_PADDING, 1)

    def row(self, full: Sequence[Any]) -> None:
        self.number += 1
        row = full if self.picks is None else [full[i] for i in self.picks]
        number, letters, cells = self.number, self.letters, []
        for i, value in enumerate(row):
            ref = f"{letters[i]}{number}"
            if value is None or value == "":
                if self.sheet.borders:
                    cells.append(f'<c r="{ref}" s="{BORDERED}"/>')
                continue
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}"{self.styles[i]} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{ref}"{self.styles[i]}><v>{value}</v></c>')
            elif isinstance(value, dt.date):
                moment = (
                    value
                    if isinstance(value, dt.datetime)
                    else dt.datetime(value.year, value.month, value.day)
                )
                serial = (moment.replace(tzinfo=None) - EXCEL_EPOCH).total_seconds() / 86400
                cells.append(f'<c r="{ref}" s="{self.date_style}"><v>{serial!r}</v></c>')
            else:
                cells.append(
                    f'<c r="{ref}"{self.styles[i]} t="inlineStr"><is><t xml:space="preserve">'
                    f"{_text(str(value))}</t></is></c>"
                )
        height = self._height(row, self.sheet.wrapped)
        # A row's height is written when its text wraps: LibreOffice otherwise prints the
        # lines over each other, and Excel only measures rows it lays out itself.
        tall = f' ht="{height}" customHeight="1"' if height > LINE_HEIGHT + ROW_PADDING else ""
        self.put(f'<row r="{number}"{tall}>{"".join(cells)}</row>'.encode())

    def end(self) -> None:
        s, last = self.sheet, self.letters[-1]
        merges = [f"A1:{last}1", f"A2:{last}2", *s.merges]
        if s.footer_line:
            self.number += 2
            self.put(
                f'<row r="{self.number}"><c r="A{self.number}" t="inlineStr"><is>'
                f'<t xml:space="preserve">{_text(s.footer_line)}</t></is></c></row>'.encode()
            )
            merges.append(f"A{self.number}:{last}{self.number}")
        self.put(
            (
                f'</sheetData><mergeCells count="{len(merges)}">'
                + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
                + "</mergeCells>"
                '<printOptions horizontalCentered="1"/>'
                '<pageMargins left="0.3" right="0.3" top="0.5" bottom="0.6" header="0.3" '
                'footer="0.3"/>'
                '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
                f"<headerFooter><oddFooter>{_footer(s.issued)}</oddFooter></headerFooter>"
                "</worksheet>"
            ).encode()
        )


def _content_types(sheets: int) -> str:
    worksheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{worksheet}"/>'
            for n in range(1, sheets + 1)
        )
        + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    )


def _workbook_rels(sheets: int) -> str:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{kind}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, sheets + 1)
        )
        + f'<Relationship Id="rId{sheets + 1}" Type="{kind}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )


def _workbook(sheets: Sequence[Sheet]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name="{_text(s.name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, s in enumerate(sheets, start=1)
        )
        + "</sheets><definedNames>"
        # The header row is printed again at the top of every page.
        + "".join(
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
            f"'{_text(s.name)}'!$3:$3</definedName>"
            for n, s in enumerate(sheets)
        )
        + "</definedNames></workbook>"
    )
