"""The letter as a PDF, made by WeasyPrint from the same letter markup as the child's page.

No remote resources at all: the fetcher refuses every URL (the letter has no images, the stylesheet is a
string read from disk), so a person's text can never make the server fetch anything. Fonts are the
system's Noto faces (Debian's fonts-noto-core), found by fontconfig through font-family fallback: Noto Sans,
then Noto Sans Arabic and Noto Sans Ethiopic, so names in Arabic or Tigrinya show as letters, not boxes.
The stylesheet and font configuration are parsed once per process; a two-page letter takes a fraction of
a second.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import render_template
from flask_babel import force_locale, format_date

from portal import pdfs
from portal.i18n import LANGUAGES
from portal.letters.models import LetterVersion
from portal.reviews.models import Review
from portal.settings import authority_settings
from portal.timeutil import london_date

STYLESHEET = Path(__file__).with_name("pdf.css")
LONG_DATE = "d MMMM y"


@lru_cache(maxsize=1)
def _base_css():
    return pdfs.stylesheet(STYLESHEET.read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def _page_css(language: str):
    """'Page 1 of 2' at the foot of every page, in the letter's language."""
    with force_locale(language):
        content = pdfs.page_of_pages()
    return pdfs.stylesheet(f"@page {{ @bottom-center {{ content: {content}; font-size: 9pt; color: #505a5f; }} }}")


def letter_language(review: Review) -> str:
    """The child's preferred language when the portal speaks it, else English."""
    language = review.child.preferred_language or "en"
    return language if language in LANGUAGES else "en"


def letter_html(version: LetterVersion, review: Review) -> str:
    language = letter_language(review)
    with force_locale(language):
        return render_template(
            "letters/pdf.html", version=version, review=review, iro=review.iro, lang=language,
            authority_name=authority_settings().name,
            review_date=format_date(london_date(review.held_at or review.meeting_at), LONG_DATE),
            issued_date=format_date(london_date(version.issued_at), LONG_DATE) if version.issued_at else "")


def letter_pdf(version: LetterVersion, review: Review) -> bytes:
    """The issued letter as PDF bytes (A4, page numbers, the authority's name, the child's name)."""
    return pdfs.render(letter_html(version, review), [_base_css(), _page_css(letter_language(review))])
