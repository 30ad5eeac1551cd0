"""The letter as a PDF: WeasyPrint from the same markup, no remote resources, fonts for Arabic and Ethiopic
scripts, page numbers, the authority's name, text that can be selected, and markup shown as text."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from portal import pdfs
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.letters import pdf
from portal.letters.pdf import letter_pdf
from tests.letters.test_reading import held_review, issue_letter, letter_link_path

POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
LONG = "\n\n".join(["You told us you like art, football and seeing your friends after school."] * 10)


def _run(tool: str, *args, data: bytes | None = None, tmp_path: Path) -> str:
    source = tmp_path / "letter.pdf"
    source.write_bytes(data)
    return subprocess.run([tool, *args, str(source), "-"] if tool == "pdftotext" else [tool, *args, str(source)],
                          check=True, capture_output=True, text=True).stdout


@needs_poppler
def test_the_pdf_has_the_childs_name_page_numbers_and_markup_as_text(app, tmp_path):
    review, iro = held_review(name="Ellie")
    version = issue_letter(review, iro, worries='<script>alert("x")</script> and <b>bold</b>', going_well=LONG)
    with app.test_request_context():
        body = letter_pdf(version, review)
    assert body.startswith(b"%PDF")
    text = _run("pdftotext", "-layout", data=body, tmp_path=tmp_path)
    assert "A letter for Ellie" in text and "Dear Ellie" in text
    assert "Testshire County Council" in text
    assert "Page 1 of" in text
    assert '<script>alert("x")</script> and <b>bold</b>' in text
    assert "Visit Nana" in text and "Priya Shah" in text


@needs_poppler
def test_arabic_and_tigrinya_names_are_drawn_with_noto_fonts(app, tmp_path):
    review, iro = held_review(name="مريم ሰላም ዳዊት")
    version = issue_letter(review, iro, who_came="مريم\nሰላም ዳዊት\nMum", going_well=LONG, worries=LONG)
    with app.test_request_context():
        body = letter_pdf(version, review)
    text = _run("pdftotext", data=body, tmp_path=tmp_path)
    assert "مريم" in text and "ሰላም ዳዊት" in text
    fonts = _run("pdffonts", data=body, tmp_path=tmp_path)
    assert "Noto-Sans-Arabic" in fonts and "Noto-Sans-Ethiopic" in fonts and "Noto-Sans " in fonts + " "
    # Every font is embedded ("emb" column yes): the PDF reads the same on any computer.
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("yes" in row[-5:-4] for row in rows), fonts
    assert "Page 2 of 2" in text
    # A picture to look at: no missing-glyph boxes.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "letter.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(SCREENSHOTS / "letter-pdf-arabic-tigrinya")],
                   check=True)
    assert (SCREENSHOTS / "letter-pdf-arabic-tigrinya-1.png").exists()


def test_no_url_is_ever_fetched(app):
    with pytest.raises(pdfs.RemoteResourceRefused):
        pdfs.refuse_every_url("https://example.org/x.png")
    with pytest.raises(pdfs.RemoteResourceRefused):
        pdfs.refuse_every_url("file:///etc/passwd")
    review, iro = held_review()
    version = issue_letter(review, iro, going_well="![x](http://example.org/track.png) <img src=http://example.org/a>")
    with app.test_request_context():
        html = pdf.letter_html(version, review)
        assert "<img" not in html and "&lt;img" in html
        assert "<link" not in html and "<script" not in html
        assert letter_pdf(version, review).startswith(b"%PDF")


def test_the_pdf_is_in_the_childs_language(app):
    review, iro = held_review(language="cy")
    version = issue_letter(review, iro)
    with app.test_request_context():
        assert 'lang="cy"' in pdf.letter_html(version, review)
    other, iro2 = held_review(language="ar")
    version2 = issue_letter(other, iro2)
    with app.test_request_context():
        assert 'lang="en"' in pdf.letter_html(version2, other)


def test_a_two_page_letter_is_quick(app):
    review, iro = held_review()
    version = issue_letter(review, iro, going_well=LONG, worries=LONG)
    with app.test_request_context():
        letter_pdf(version, review)  # the first one loads the fonts
        started = time.perf_counter()
        for _ in range(3):
            letter_pdf(version, review)
        each = (time.perf_counter() - started) / 3
    # The goal is 0.5 s; a busy test machine gets some slack.
    assert each < 1.5, f"{each:.2f} s per PDF"


def test_the_child_downloads_the_pdf(client):
    review, iro = held_review(name="Ellie")
    issue_letter(review, iro)
    client.post(letter_link_path(review), data={})
    response = client.get("/letter.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="letter-from-your-review.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF")
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="letter_downloaded")).all()
    assert len(events) == 1 and events[0].link_id is not None


def test_without_a_session_no_pdf(client):
    review, iro = held_review()
    issue_letter(review, iro)
    assert client.get("/letter.pdf").status_code == 401
