"""The labelled corpus: sentences written as children write, that must and must not raise a concern."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Line:
    category: str | None
    language: str
    text: str


def must_flag() -> list[Line]:
    lines = []
    for raw in (HERE / "must_flag.tsv").read_text(encoding="utf-8").splitlines():
        if raw.strip():
            category, language, text = raw.split("\t")
            lines.append(Line(category, language, text))
    return lines


def must_not_flag() -> list[Line]:
    lines = []
    for raw in (HERE / "must_not_flag.tsv").read_text(encoding="utf-8").splitlines():
        if raw.strip():
            language, text = raw.split("\t")
            lines.append(Line(None, language, text))
    return lines


def builtin_matcher():
    """The matcher over the built-in lists, as a fresh install has them (no database needed)."""
    from portal.safeguarding.builtin import builtin_entries
    from portal.safeguarding.matching import Entry, Matcher

    return Matcher([Entry(phrase, language, category) for language, category, phrase in builtin_entries()])
