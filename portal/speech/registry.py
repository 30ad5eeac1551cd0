"""The fixed texts the portal may speak, per language: catalogue strings from child-facing files, no placeholders.

The English msgids come from translations/messages.pot and the child-facing files' own `_()`/`_l()` calls (babel's
extractors, as `flask translate extract` uses); another language's words from its compiled catalogue.

A text's key is the SHA-256 of its normalised form (Unicode NFC, every run of whitespace one space, trimmed),
exactly as static/js/listen.js normalises what it reads off the page, so the page can ask for a text's audio
by its key without sending the text.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from portal.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
# The files whose texts a child sees, relative to the project: folders take every file in them. Staff pages in
# the same folders (portal/booklet/staff_*.py) are left out.
CHILD_FACING = (
    "templates/booklet",
    "templates/questionnaires",
    "templates/safeguarding/_help_now.html",
    "templates/letters/read.html",
    "templates/letters/landing.html",
    "portal/booklet",
    "portal/questionnaires",
)
STAFF_FILES = re.compile(r"(^|/)staff_[^/]*$")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}
# espeak-ng's voice for each language of portal.i18n.LANGUAGES that it can speak.
VOICES = {"en": "en-gb", "cy": "cy"}
SOURCE_VOICE = VOICES["en"]
# The first hex digits of the SHA-256 that name a text in URLs: 80 bits, no collisions among a few thousand texts.
KEY_LENGTH = 20
# JavaScript's \s, exactly: what String.prototype.trim and /\s+/ treat as whitespace.
JS_WHITESPACE = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")
PLACEHOLDER = re.compile(r"%\(|%\{|%[sd]|\{[a-z_]+\}")
TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class SpokenText:
    text: str
    # espeak-ng's voice: the page language's, or English's where the text is not translated yet.
    voice: str


def normalise(text: str) -> str:
    """NFC, whitespace collapsed to single spaces, trimmed (the same as listen.js)."""
    # Every run of whitespace is one space by then, so trimming spaces trims all of it.
    return JS_WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip(" ")


def text_key(text: str) -> str:
    """The URL key of a text: the first KEY_LENGTH hex digits of the SHA-256 of its normalised UTF-8."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:KEY_LENGTH]


def _as_shown(message: str) -> str:
    """A catalogue string as the page shows it: markup removed, entities decoded, normalised."""
    if "<" in message or "&" in message:
        message = html.unescape(TAG.sub("", message))
    return normalise(message)


def _child_facing_files(root: Path) -> list[Path]:
    files = []
    for name in CHILD_FACING:
        path = root / name
        found = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in {".py", ".html"})
        files += [p for p in found if not STAFF_FILES.search(p.relative_to(root).as_posix())]
    return files


def _extract(path: Path) -> set[str]:
    method = babel_extract if path.suffix == ".html" else "python"
    texts = set()
    for _line, message, _comments, _context in extract_from_file(method, str(path), keywords=KEYWORDS,
                                                                 options={"extensions": "jinja2.ext.i18n"}):
        if isinstance(message, str):  # plurals always carry a number
            texts.add(message)
    return texts


def _catalogue(lang: str):
    """English: the template of every msgid. Another language: its compiled .mo, which is what the pages show
    (fuzzy entries left out), or its .po when it has not been compiled."""
    if lang == "en":
        with (TRANSLATIONS / "messages.pot").open("rb") as handle:
            return read_po(handle)
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    if (folder / "messages.mo").is_file():
        with (folder / "messages.mo").open("rb") as handle:
            return read_mo(handle)
    with (folder / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


@cache
def child_facing_messages(root: Path = PROJECT_ROOT) -> frozenset[str]:
    """The catalogue's English msgids that child-facing files use and that have no placeholders."""
    used = set().union(*(_extract(path) for path in _child_facing_files(root)))
    catalogue = _catalogue("en")
    return frozenset(m for m in used if m in catalogue and not PLACEHOLDER.search(m) and _as_shown(m))


@cache
def registry(lang: str) -> dict[str, SpokenText]:
    """key -> the text as the page in `lang` shows it and the voice to speak it; empty for a language
    espeak-ng cannot speak."""
    if lang not in VOICES:
        return {}
    catalogue = None if lang == "en" else _catalogue(lang)
    texts = {}
    for msgid in child_facing_messages():
        shown, voice = msgid, SOURCE_VOICE
        if catalogue is not None:
            entry = catalogue.get(msgid)
            if entry is not None and isinstance(entry.string, str) and entry.string and not entry.fuzzy:
                shown, voice = entry.string, VOICES[lang]
        shown = _as_shown(shown)
        if shown and not PLACEHOLDER.search(shown):
            texts[text_key(shown)] = SpokenText(shown, voice)
    return texts
