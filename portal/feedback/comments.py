"""What the portal makes of a feedback comment: its sentiment and its themes.

Sentiment is TextBlob's polarity (offline: its lexicon ships in the package; -1 negative to 1 positive).
Themes come from a lexicon a manager can edit (FeedbackTheme rows; the built-in ones are in
themes.toml): a theme is found when one of its phrases is in the comment as whole words, with case,
accents and punctuation folded ("Didn't LISTEN!" finds "didn't listen"). A manager may correct both.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from textblob import TextBlob

from portal.extensions import db
from portal.feedback.models import FeedbackTheme

THEMES_FILE = Path(__file__).with_name("themes.toml")


@dataclass(frozen=True)
class Analysis:
    sentiment: float
    themes: tuple[str, ...]


@dataclass(frozen=True)
class ThemeWords:
    """A theme's key and its phrases, folded for matching."""

    key: str
    phrases: tuple[str, ...]


def fold(text: str | None) -> str:
    """Words in one form for matching: lower case, no accents, apostrophes kept inside words, any other
    punctuation a space; wrapped in spaces so a phrase matches whole words only."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or "").casefold())
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] == "M" or category == "Cf":
            continue
        if char in "'’‘`":
            out.append("'")
        elif category[0] in "LN":
            out.append(char)
        else:
            out.append(" ")
    return " " + " ".join("".join(out).split()) + " "


def _folded_phrase(phrase: str) -> str:
    folded = fold(phrase)
    return folded if folded.strip() else ""


@lru_cache(maxsize=1)
def builtin_lexicon() -> dict[str, dict]:
    """The built-in themes from themes.toml: {key: {"label", "label_cy", "en": [...], "cy": [...]}}."""
    with THEMES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def builtin_phrases(key: str) -> str:
    theme = builtin_lexicon()[key]
    return "\n".join([*theme.get("en", []), *theme.get("cy", [])])


def sync_builtin_themes() -> int:
    """Add every built-in theme the table lacks; never change one that is there (a manager may have
    edited it, or switched it off). Returns how many were added. Flushes; the caller commits."""
    known = set(db.session.scalars(db.select(FeedbackTheme.key)))
    added = 0
    for key, theme in builtin_lexicon().items():
        if key in known:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(FeedbackTheme(key=key, label=theme["label"], phrases=builtin_phrases(key),
                                             active=True, builtin=True))
            added += 1
        except IntegrityError:
            # Added meanwhile by another request: theirs stands.
            continue
    return added


def active_themes() -> list[ThemeWords]:
    """The active themes and their folded phrases; the built-in ones are added on first need."""
    rows = list(db.session.scalars(db.select(FeedbackTheme).order_by(FeedbackTheme.key)))
    if not rows:
        sync_builtin_themes()
        rows = list(db.session.scalars(db.select(FeedbackTheme).order_by(FeedbackTheme.key)))
    themes = []
    for row in rows:
        if not row.active:
            continue
        phrases = tuple(p for p in (_folded_phrase(line) for line in (row.phrases or "").splitlines()) if p)
        themes.append(ThemeWords(row.key, phrases))
    return themes


def sentiment(text: str) -> float:
    """TextBlob's polarity, rounded: -1 (negative) to 1 (positive); 0 for neutral or unknown words."""
    return round(float(TextBlob(text).sentiment.polarity), 3)


def find_themes(text: str, themes: list[ThemeWords]) -> tuple[str, ...]:
    folded = fold(text)
    return tuple(theme.key for theme in themes if any(phrase in folded for phrase in theme.phrases))


def analyse(text: str, themes: list[ThemeWords] | None = None) -> Analysis:
    """A comment's sentiment and themes. `themes` (from `active_themes`) saves reading them per comment."""
    if themes is None:
        themes = active_themes()
    return Analysis(sentiment=sentiment(text or ""), themes=find_themes(text or "", themes))


def themes_text(themes: tuple[str, ...]) -> str | None:
    """Theme keys as stored on an answer (comma-separated), or None."""
    return ",".join(themes)[:400] or None
