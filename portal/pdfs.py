"""PDFs made by WeasyPrint from the portal's own templates (the letter to the child, the annual-report pack).

Shared, knowing no feature. Nothing is ever fetched: the URL fetcher refuses every address (no file, no URL, no
data), so a person's text can never make the server fetch anything, and stylesheets are passed as strings read
from disk. Fonts are the system's Noto faces (Debian's fonts-noto-core) by font-family fallback. The font
configuration is made once per process and shared, so one PDF is drawn at a time per process.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from flask_babel import gettext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

_lock = threading.Lock()
PAGE, PAGES = "\x00", "\x01"


class RemoteResourceRefused(ValueError):
    """A PDF here fetches nothing: no file, no URL, no data from anywhere."""


def refuse_every_url(url: str, *args, **kwargs):
    raise RemoteResourceRefused(f"The portal's PDFs fetch no resources ({url[:40]!r} refused)")


@lru_cache(maxsize=1)
def font_config() -> FontConfiguration:
    return FontConfiguration()


def stylesheet(text: str) -> CSS:
    """A stylesheet from text (callers cache the ones they use on every PDF)."""
    return CSS(string=text, font_config=font_config(), url_fetcher=refuse_every_url)


def css_string(text: str) -> str:
    """A CSS string literal of `text` (quotes, backslashes and line breaks escaped)."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;-_()'" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def page_of_pages() -> str:
    """The CSS `content` value for "Page 1 of 2" in the current language (translated as a whole sentence,
    with the page counters where the translation puts the numbers)."""
    words = gettext("Page %(page)s of %(pages)s", page=PAGE, pages=PAGES)
    out, text = [], ""
    for ch in words:
        if ch in (PAGE, PAGES):
            if text:
                out.append(css_string(text))
                text = ""
            out.append("counter(page)" if ch == PAGE else "counter(pages)")
        else:
            text += ch
    if text:
        out.append(css_string(text))
    return " ".join(out)


def render(html: str, stylesheets: list[CSS]) -> bytes:
    """The PDF of a page of HTML made by the portal (never fetched: no base URL, every URL refused)."""
    with _lock:
        document = HTML(string=html, base_url=None, url_fetcher=refuse_every_url)
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config())
