"""Spreadsheets people download (the collated views, the annual report's tables): CSV that a spreadsheet
opens as text, never as a formula.

A child's or parent's words may start with "=", "+", "-", "@", a tab or a carriage return; Excel and
LibreOffice would run `=HYPERLINK("http://…")` or `=cmd|…` as a formula when a manager opens the file.
Such a cell is written with a leading apostrophe (OWASP's advice), which spreadsheets show as text and
do not display; every other cell is written exactly as it is.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable

from flask import Response

# What a spreadsheet may read as the start of a formula or a command (full-width forms fold to these).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value) -> str:
    """One cell's text, made inert when a spreadsheet would read it as a formula. Numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    stripped = unicodedata.normalize("NFKC", text).lstrip(" \u00a0")
    if stripped.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """The whole file: a header row, then every row, each cell made safe; UTF-8 with a byte-order mark so
    Excel reads Welsh and other accented letters correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def csv_download(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A CSV file to download, never cached by a shared computer's browser."""
    response = Response(csv_text(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
