"""Every text a person reads goes through Flask-Babel, and every language is complete."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment

from portal.config import PROJECT_ROOT
from portal.i18n import LANGUAGES

TEMPLATES = PROJECT_ROOT / "templates"
TAG = re.compile(r"<[^>]*>", re.S)
READ_ATTRIBUTES = re.compile(r'\b(?:alt|title|aria-label|placeholder|aria-description)="([^"{]*)"')
# Literal text that is not words for people: codes, names of things, symbols.
NOT_WORDS = {"portal_session", "999", "0800 1111"}


def literal_text(source: str) -> list[str]:
    """The words in a template that sit outside any Jinja expression or block."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    # Keep the template's own text; every Jinja construct becomes a neutral marker.
    pieces, in_data = [], False
    for _lineno, token_type, value in env.lex(source):
        if token_type == "data":
            pieces.append(value)
            in_data = True
        elif in_data or not pieces:
            pieces.append("\x00")
            in_data = False
    markup = "".join(pieces)
    found = [v for v in READ_ATTRIBUTES.findall(markup) if re.search(r"[^\W\d_]{2,}", v.replace("\x00", ""))]
    for chunk in TAG.split(markup):
        text = re.sub(r"&[a-z]+;|&#\d+;", " ", chunk).replace("\x00", " ").strip()
        if re.search(r"[^\W\d_]{2,}", text) and text not in NOT_WORDS:
            found.append(text)
    return found


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_the_checker_finds_bare_text():
    assert literal_text("<p>Hello there</p>") == ["Hello there"]
    assert literal_text('<img alt="A house">') == ["A house"]
    assert literal_text('<p>{{ _("Hello there") }}</p><span class="x">{{ name }}</span>') == []


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_has_no_text_outside_a_translation_call(path):
    assert literal_text(path.read_text(encoding="utf-8")) == []


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory) -> Path:
    """Extract the messages from the code as it is now, not from a possibly stale messages.pot."""
    pot_path = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-o", str(pot_path), "."], cwd=PROJECT_ROOT, check=True, capture_output=True)
    return pot_path


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_message_is_translated(language, fresh_template):
    """Every text in the code has a translation, none empty or fuzzy."""
    po_path = PROJECT_ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    pot_path = fresh_template
    with po_path.open("rb") as handle:
        catalogue = read_po(handle)
    with pot_path.open("rb") as handle:
        template = read_po(handle)
    missing = [m.id for m in template if m.id and m.id not in catalogue]
    assert not missing, f"{language}: run `flask translate update` and translate: {missing[:5]}"
    untranslated = [m.id for m in catalogue if m.id and (m.fuzzy or not (m.string if isinstance(m.string, str) else all(m.string)))]
    assert not untranslated, f"{language}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
