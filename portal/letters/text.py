"""The IRO's plain text as the letter shows it: paragraphs and lists, never HTML.

A blank line starts a new paragraph; lines starting "- ", "* " or "• " (or "1. ", "2) ") are a list.
The result is plain strings in a structure; templates escape every one of them (no Markup is made here),
so markup or script typed by a person is shown as the characters typed, on the page, in the PDF and in
every export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BULLET = re.compile(r"^\s*(?:[-*•‣◦]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class Block:
    """A paragraph (its lines, shown with line breaks) or a list (its items)."""

    kind: str  # "p" or "ul"
    lines: tuple[str, ...]


def blocks(text: str | None) -> list[Block]:
    """Split a part of the letter into paragraphs and lists."""
    result: list[Block] = []
    kind, lines = None, []

    def close():
        nonlocal kind, lines
        if lines:
            result.append(Block(kind, tuple(lines)))
        kind, lines = None, []

    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            close()
            continue
        bullet = _BULLET.match(line)
        this_kind = "ul" if bullet else "p"
        if kind is not None and kind != this_kind:
            close()
        kind = this_kind
        lines.append(line[bullet.end():].strip() if bullet else line)
    close()
    return result


def lines_of(text: str | None) -> list[str]:
    """The non-blank lines of a part (for 'who came': one person a line)."""
    return [line.strip().lstrip("-*• ").strip() for line in (text or "").splitlines() if line.strip()]
