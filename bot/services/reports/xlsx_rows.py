"""The rows of a big sheet written straight into the workbook's XML, as openpyxl itself writes them.

openpyxl builds the workbook: its sheets, styles, column widths, frozen panes and filters. For the
work orders of a year (100,000 rows of 36 columns) its per-cell path (a cell object, an element, the
incremental XML writer) cost 30 s of the year's 42; the same cells as text cost 2 s. So openpyxl
writes that sheet with its header alone, and :func:`with_rows` puts the rows into the saved package:
the same cell XML openpyxl's write-only mode writes (inline strings, numbers, dates as serial numbers
in the date style openpyxl registered), streamed into the zip entry, a thousand rows at a time.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Characters XML 1.0 (and so Excel) refuses: dropped, as the rest of the workbook drops them."""
_EPOCH = datetime(1899, 12, 30)
"""Excel's (Windows) day 0, openpyxl's WINDOWS_EPOCH."""
_BATCH = 1000


@dataclass(frozen=True)
class Rows:
    """Rows to put into one sheet of a saved workbook, from `first` (1-based) on.

    `sheet` is openpyxl's worksheet (its entry in the package is named when the workbook is saved) and
    `date_style` the style index of the date cells (openpyxl's `cell.style_id` of a dated cell)."""

    sheet: Any
    rows: Iterable[Sequence[Any]]
    first: int
    date_style: int


def column_letters(count: int) -> list[str]:
    """"A" … "Z", "AA" …: the first `count` column names."""
    names = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        names.append(name)
    return names


def serial(instant: datetime) -> float:
    """A naive local time as Excel's day number (openpyxl's `to_excel`, for the days after 1900-03-01)."""
    delta = instant - _EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1_000_000) / 86400


def _text(value: str) -> str:
    value = escape(_ILLEGAL.sub("", value))
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<is><t{space}>{value}</t></is>"


def row_xml(number: int, values: Sequence[Any], letters: Sequence[str], date_style: int) -> str:
    """One `<row>`: None has no cell, as openpyxl leaves it out too (and "" an empty one, as it writes)."""
    cells = []
    for letter, value in zip(letters, values, strict=False):
        if value is None:
            continue
        ref = f"{letter}{number}"
        if value == "":
            cells.append(f'<c r="{ref}" t="inlineStr"/>')
        elif isinstance(value, str):
            cells.append(f'<c r="{ref}" t="inlineStr">{_text(value)}</c>')
        elif isinstance(value, bool):
            cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, datetime):
            cells.append(f'<c r="{ref}" s="{date_style}" t="n"><v>{serial(value):.16g}</v></c>')
        elif isinstance(value, int):
            cells.append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
        elif isinstance(value, float):  # as openpyxl writes numbers (compat.safe_string)
            cells.append(f'<c r="{ref}" t="n"><v>{value:.16g}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr">{_text(str(value))}</c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def with_rows(package: bytes, rows: Rows, width: int) -> bytes:
    """The saved workbook `package` with `rows` added to the end of its sheet's data."""
    output = io.BytesIO()
    write_with_rows(output, package, rows, width)
    return output.getvalue()


def write_with_rows(output: BinaryIO, package: bytes, rows: Rows, width: int) -> None:
    """:func:`with_rows` written to `output` (a file: a year's 17 MB need not be held twice more)."""
    letters = column_letters(width)
    part = rows.sheet.path.lstrip("/")
    if part not in zipfile.ZipFile(io.BytesIO(package)).namelist():
        raise ValueError(f"the workbook has no {part}: save it before adding rows to it")
    with zipfile.ZipFile(io.BytesIO(package)) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename != part:
                target.writestr(entry, content)
                continue
            head, tail = _split(content.decode("utf-8"))
            with target.open(entry.filename, "w", force_zip64=True) as sheet:
                sheet.write(head.encode("utf-8"))
                batch: list[str] = []
                for number, values in enumerate(rows.rows, start=rows.first):
                    batch.append(row_xml(number, values, letters, rows.date_style))
                    if len(batch) == _BATCH:
                        sheet.write("".join(batch).encode("utf-8"))
                        batch.clear()
                sheet.write("".join(batch).encode("utf-8"))
                sheet.write(tail.encode("utf-8"))


def _split(sheet: str) -> tuple[str, str]:
    """The sheet's XML before and after the end of its data (`</sheetData>`, or an empty `<sheetData/>`)."""
    end = sheet.find("</sheetData>")
    if end >= 0:
        return sheet[:end], sheet[end:]
    empty = re.search(r"<sheetData\s*/>", sheet)
    if empty is None:
        raise ValueError("the sheet has no sheetData element")
    return sheet[:empty.start()] + "<sheetData>", "</sheetData>" + sheet[empty.end():]
