"""The letter as a PDF, made by WeasyPrint from the same letter markup as the child's page.

No remote resources at all: the fetcher refuses every URL (the letter has no images, the stylesheet is a
string read from disk), so a person's text can never make the server fetch anything. Fonts are the
system's Noto faces (Debian's fonts-noto-core), found by fontconfig through font-family fallback: Noto Sans,
then Noto Sans Arabic and Noto Sans Ethiopic, so names in Arabic or Tigrinya show as letters, not boxes.
The stylesheet and font configuration are parsed once per process; a two-page letter takes a fraction of
a second.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from flask import render_template
from flask_babel import force_locale, format_date, gettext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from portal.i18n import LANGUAGES
from portal.letters.models import LetterVersion
from portal.reviews.models import Review
from portal.settings import authority_settings
from portal.timeutil import london_date

STYLESHEET = Path(__file__).with_name("pdf.css")
LONG_DATE = "d MMMM y"
_lock = threading.Lock()


class RemoteResourceRefused(ValueError):
    """The letter's PDF fetches nothing: no file, no URL, no data from anywhere."""


def refuse_every_url(url: str, *args, **kwargs):
    raise RemoteResourceRefused(f"The letter's PDF fetches no resources ({url[:40]!r} refused)")


@lru_cache(maxsize=1)
def _font_config():
    return FontConfiguration()


@lru_cache(maxsize=1)
def _base_css():
    return CSS(string=STYLESHEET.read_text(encoding="utf-8"), font_config=_font_config(),
               url_fetcher=refuse_every_url)


def _css_string(text: str) -> str:
    """A CSS string literal of `text` (quotes, backslashes and line breaks escaped)."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;-_()'" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


@lru_cache(maxsize=8)
def _page_css(language: str):
    """'Page 1 of 2' at the foot of every page, in the letter's language."""
    with force_locale(language):
        words = gettext("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    css = f"@page {{ @bottom-center {{ content: {_page_content(words)}; font-size: 9pt; color: #505a5f; }} }}"
    return CSS(string=css, font_config=_font_config(), url_fetcher=refuse_every_url)


def _page_content(words: str) -> str:
    """The CSS `content` value for a translated "Page %(page)s of %(pages)s" (with \\x00 and \\x01 marking
    the page and the page count)."""
    out, text = [], ""
    for ch in words:
        if ch in "\x00\x01":
            if text:
                out.append(_css_string(text))
                text = ""
            out.append("counter(page)" if ch == "\x00" else "counter(pages)")
        else:
            text += ch
    if text:
        out.append(_css_string(text))
    return " ".join(out)


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
    html = letter_html(version, review)
    with _lock:  # WeasyPrint's font configuration is shared: one letter at a time per process.
        document = HTML(string=html, base_url=None, url_fetcher=refuse_every_url)
        return document.write_pdf(stylesheets=[_base_css(), _page_css(letter_language(review))],
                                  font_config=_font_config())
