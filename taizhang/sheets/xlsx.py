"""A small streaming XLSX writer for big, plain tables: one sheet, inline strings, a few styles.

XlsxWriter spends ≈ 6 µs a cell; the 台账 of a city has 4.6 million cells. This writes the
sheet's XML straight into the zip as rows arrive (≈ 1 µs a cell) and keeps nothing in memory.
It writes only what the standard ledger needs: a merged title and subtitle, a styled frozen
header, column widths, dates, numbers, wrapped text, and A4-landscape print settings.
"""

import datetime as dt
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Styles (cellXfs): 0 plain, 1 date, 2 header, 3 title, 4 wrapped text.
PLAIN, DATE, HEADER, TITLE, WRAP = range(5)
_ILLEGAL = {c: None for c in range(32) if c not in (9, 10, 13)}

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="等线"/><family val="2"/></font>
<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="等线"/><family val="2"/></font>
<font><b/><sz val="16"/><name val="等线"/><family val="2"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFB42318"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>
<border><left style="thin"><color rgb="FF999999"/></left><right style="thin"><color rgb="FF999999"/></right><top style="thin"><color rgb="FF999999"/></top><bottom style="thin"><color rgb="FF999999"/></bottom><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    return escape(value.translate(_ILLEGAL))


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
    """Write the workbook; returns the number of data rows."""
    letters = [column_letter(i) for i in range(len(headers))]
    last = letters[-1]
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr(
            "xl/workbook.xml",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheets><sheet name="{_text(sheet)}" sheetId="1" r:id="rId1"/></sheets>'
                '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'
                f"'{_text(sheet)}'!$1:$3</definedName></definedNames></workbook>"
            ),
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            put = raw.write
            put(
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
                        for i, w in enumerate(widths)
                    )
                    + "</cols><sheetData>"
                    f'<row r="1" ht="28" customHeight="1"><c r="A1" s="{TITLE}" t="inlineStr">'
                    f"<is><t>{_text(title)}</t></is></c></row>"
                    f'<row r="2"><c r="A2" t="inlineStr"><is><t>{_text(subtitle)}</t></is></c></row>'
                    '<row r="3">'
                    + "".join(
                        f'<c r="{letters[i]}3" s="{HEADER}" t="inlineStr"><is><t>{_text(h)}'
                        f"</t></is></c>"
                        for i, h in enumerate(headers)
                    )
                    + "</row>"
                ).encode()
            )
            text_style = [f' s="{WRAP}"' if w else "" for w in wrapped]
            for number, row in enumerate(rows, start=4):
                cells = []
                for i, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    ref = f"{letters[i]}{number}"
                    if isinstance(value, bool):
                        cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
                    elif isinstance(value, int | float):
                        cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                    elif isinstance(value, dt.date):
                        moment = (
                            value
                            if isinstance(value, dt.datetime)
                            else dt.datetime(value.year, value.month, value.day)
                        )
                        serial = (moment.replace(tzinfo=None) - EXCEL_EPOCH).total_seconds() / 86400
                        cells.append(f'<c r="{ref}" s="{DATE}"><v>{serial!r}</v></c>')
                    else:
                        cells.append(
                            f'<c r="{ref}"{text_style[i]} t="inlineStr"><is><t xml:space="preserve">'
                            f"{_text(str(value))}</t></is></c>"
                        )
                put(f'<row r="{number}">{"".join(cells)}</row>'.encode())
                count += 1
            put(
                (
                    f'</sheetData><mergeCells count="2"><mergeCell ref="A1:{last}1"/>'
                    f'<mergeCell ref="A2:{last}2"/></mergeCells>'
                    '<printOptions horizontalCentered="1"/>'
                    '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
                    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
                    "</worksheet>"
                ).encode()
            )
    return count
