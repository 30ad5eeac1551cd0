"""CSV downloads: a person's words that look like a formula open as text in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from portal.exports import csv_text, safe_cell


@pytest.mark.parametrize("words", [
    '=HYPERLINK("http://evil.example","Click")', "=1+2", "+44 7700 900123", "-2+3", "@SUM(A1:A2)",
    "\t=1+1", "\r=1+1", " =1+1", "\u00a0=1+1", "\uff1d1+1", "=cmd|' /C calc'!A0", "|calc", "%0A=1",
])
def test_words_a_spreadsheet_would_run_are_written_as_text(words):
    cell = safe_cell(words)
    assert cell == "'" + words


@pytest.mark.parametrize("value, cell", [
    ("I like football", "I like football"), ("Zoë – 12", "Zoë – 12"), ("", ""), (None, ""), (3, "3"),
    (2.5, "2.5"), (True, "yes"), ("{{7*7}}", "{{7*7}}"), ("<script>alert(1)</script>", "<script>alert(1)</script>"),
])
def test_other_cells_are_written_exactly(value, cell):
    assert safe_cell(value) == cell


def test_the_file_reads_back_with_every_word_and_no_formula():
    rows = [["=1+1", "Siân", "line one\nline two"], ["plain", "Ngọc 🦄", '"quoted"']]
    text = csv_text(["comment", "name", "note"], rows)
    assert text.startswith("\ufeff")
    read = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert read[0] == ["comment", "name", "note"]
    assert read[1] == ["'=1+1", "Siân", "line one\nline two"]
    assert read[2] == ["plain", "Ngọc 🦄", '"quoted"']
