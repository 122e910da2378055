"""Cells that a spreadsheet program must show as text, never run as a formula.

A name like `=HYPERLINK(...)` or `+1+cmd|...` typed by a member would otherwise become a live
formula when finance opens the export ("CSV injection"). Following OWASP's advice, a text cell
that starts with `= + - @`, a tab or a carriage return is written with a leading single quote in
CSV, and as a plain string cell in XLSX (openpyxl's own data type, so nothing is changed).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def risky(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    return "'" + value if isinstance(value, str) and risky(value) else value


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as CSV, every risky text cell defused; a byte-order mark so accents read right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def append_row(sheet: Any, row: Sequence[object]) -> None:
    """Append to an openpyxl sheet; risky text stays a string cell, not a formula."""
    sheet.append(list(row))
    for cell in sheet[sheet.max_row]:
        if risky(cell.value):
            cell.data_type = "s"
