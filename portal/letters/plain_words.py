"""Help to write plainly: care jargon and the plainer words, the child's own words, long sentences, and
an estimated reading ease against a target for the child's age.

It only reports. Nothing here changes the IRO's text: a suggestion is applied only by the IRO's click.
The glossary is the `GlossaryEntry` table; its built-in entries (portal/letters/glossary.toml) are added
on first need by `sync_builtin_glossary`, never changing an entry a manager edited or switched off.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyphen
import textstat
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.letters.models import GlossaryEntry

GLOSSARY_FILE = Path(__file__).with_name("glossary.toml")
LANGUAGES = ("en", "cy")
# A sentence longer than this many words is flagged.
LONG_SENTENCE_WORDS = 20
# Flesch reading ease to aim for: 80 ("easy", about age 11) for ages 4-11, 70 ("fairly easy") for 12-17.
YOUNGER_TARGET, OLDER_TARGET = 80, 70
OLDER_FROM_AGE = 12
# Reading ease of a few words says nothing: below this many words no estimate is given.
MIN_WORDS_FOR_READING_EASE = 10
# Syllables are counted with Pyphen's British English hyphenation dictionary, as textstat does for words
# missing from the CMU dictionary. textstat's own flesch_reading_ease would first download NLTK's CMU
# dictionary over the network at run time (nltk.download), which a server must never do.
_HYPHENATION = pyphen.Pyphen(lang="en_GB")

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# A sentence ends at . ! ? (and any closing quotes or brackets) before a space, or at a line break:
# the letter's lists and paragraphs are written one per line.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")


# --- The glossary --------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def builtin_glossary() -> tuple[dict, ...]:
    """The built-in entries, as the TOML file lists them (language defaults to English)."""
    with GLOSSARY_FILE.open("rb") as handle:
        entries = tomllib.load(handle)["entry"]
    return tuple({"term": e["term"], "language": e.get("language", "en"), "suggestion": e.get("suggestion", ""),
                  "note": e.get("note", "")} for e in entries)


def sync_builtin_glossary() -> int:
    """Add every built-in entry the table lacks; never change one that is there. Returns how many were
    added. Flushes; the caller commits."""
    known = {(term.lower(), language) for term, language in
             db.session.execute(db.select(GlossaryEntry.term, GlossaryEntry.language))}
    added = 0
    for entry in builtin_glossary():
        if (entry["term"].lower(), entry["language"]) in known:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(GlossaryEntry(active=True, builtin=True, **entry))
            added += 1
        except IntegrityError:
            # Added meanwhile by another request: theirs stands.
            continue
    return added


def active_glossary(language: str = "en") -> list[GlossaryEntry]:
    """The active entries in a language; the built-in ones are added when the table is empty."""
    if db.session.scalar(db.select(GlossaryEntry.id).limit(1)) is None:
        sync_builtin_glossary()
    return list(db.session.scalars(db.select(GlossaryEntry).filter_by(language=language, active=True)
                                   .order_by(GlossaryEntry.term)))


def _term_pattern(term: str) -> re.Pattern:
    """A whole-word pattern for a term: any space or hyphen between its words, an optional plural -s.

    "contact" finds "Contact" and "contacts" but not "contacted"; an acronym (written in capitals)
    matches only in capitals, so "a pep talk" is not "PEP".
    """
    words = [re.escape(word) for word in re.split(r"[\s-]+", term.strip()) if word]
    body = r"[\s-]+".join(words)
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![\w'’-]){body}(?:s|es)?(?![\w-])", flags)


# --- The child's own words -----------------------------------------------------------------------

@dataclass(frozen=True)
class ChildWords:
    """Words the child asked for ("family time with Mum") and, if they said, the word they replace."""

    words: str
    instead_of: str | None = None


_INSTEAD_OF = re.compile(r"^(?P<words>.+?)[\s,;]+(?:not|instead of)\s+[\"'‘“]?(?P<term>[^\"'’”]+?)[\"'’”]?\s*$",
                         re.IGNORECASE)


def parse_child_words(text: str) -> tuple[ChildWords, ...]:
    """The child's words as the child's record keeps them (`Child.words_to_use`): one per line or
    separated by semicolons, each either "family time" or "mum time, not 'contact'"."""
    found = []
    for part in re.split(r"[\n;]+", text or ""):
        part = part.strip().strip(".")
        if not part:
            continue
        match = _INSTEAD_OF.match(part)
        if match:
            found.append(ChildWords(match["words"].strip().strip("'\"‘’“”"), match["term"].strip()))
        else:
            found.append(ChildWords(part.strip("'\"‘’“”")))
    return tuple(found)


def _as_child_words(items: Iterable[ChildWords | str | tuple]) -> list[ChildWords]:
    result = []
    for item in items:
        if isinstance(item, ChildWords):
            result.append(item)
        elif isinstance(item, str):
            result.extend(parse_child_words(item))
        else:
            words, instead_of = item
            result.append(ChildWords(words, instead_of))
    return result


def _words_of(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text or "")}


def _child_words_for(entry: GlossaryEntry, child_words: list[ChildWords]) -> tuple[str, ...]:
    """The child's words that fit where this term is: they named the term, or (naming none) their words
    share a word with the glossary's suggestion ("family time with Mum" for "contact")."""
    term = entry.term.lower()
    suggestion_words = _words_of(entry.suggestion) - {"a", "the", "your", "you", "with", "or", "and", "to"}
    fitting = []
    for item in child_words:
        if item.instead_of is not None:
            if _term_pattern(item.instead_of.lower()).fullmatch(term) or item.instead_of.lower() == term:
                fitting.append(item.words)
        elif _words_of(item.words) & suggestion_words:
            fitting.append(item.words)
    return tuple(dict.fromkeys(fitting))


# --- The check -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Jargon:
    """A care word found in the text, where (start, end offsets), and the words to say instead."""

    term: str
    found: str
    start: int
    end: int
    suggestion: str
    note: str = ""
    child_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class LongSentence:
    start: int
    end: int
    words: int


@dataclass(frozen=True)
class Advice:
    """What the check found. Nothing in it has been applied to the text."""

    language: str
    jargon: tuple[Jargon, ...] = ()
    long_sentences: tuple[LongSentence, ...] = ()
    words: int = 0
    # Flesch reading ease (higher is easier) and Flesch-Kincaid grade; None for Welsh or very short text.
    reading_ease: float | None = None
    grade: float | None = None
    target: int | None = None
    target_met: bool | None = None
    notes: tuple = field(default=())

    @property
    def clear(self) -> bool:
        """Nothing to look at again."""
        return not self.jargon and not self.long_sentences and self.target_met is not False


def reading_ease_target(age: int) -> int:
    """The reading ease to aim for at the child's age (4-11: 80; 12-17: 70)."""
    return YOUNGER_TARGET if age < OLDER_FROM_AGE else OLDER_TARGET


def find_jargon(text: str, entries: Iterable[GlossaryEntry], child_words: Iterable = ()) -> tuple[Jargon, ...]:
    """Every glossary term in the text, in order; where terms overlap ("LAC review", "LAC") the longer wins."""
    mine = _as_child_words(child_words)
    hits = []
    for entry in entries:
        for match in _term_pattern(entry.term).finditer(text):
            hits.append(Jargon(term=entry.term, found=match.group(0), start=match.start(), end=match.end(),
                               suggestion=entry.suggestion, note=entry.note,
                               child_words=_child_words_for(entry, mine)))
    # Where terms overlap the longer wins; of two the same length ("sibling" + s, "siblings"), the exact one.
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start), hit.found.lower() != hit.term.lower()))
    kept: list[Jargon] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return tuple(kept)


def sentences(text: str) -> list[tuple[int, int, int]]:
    """(start, end, words) of each sentence or line."""
    found, start = [], 0
    for boundary in [*_SENTENCE_END.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        piece = text[start:end]
        count = len(_WORD.findall(piece))
        if count:
            lead = len(piece) - len(piece.lstrip())
            found.append((start + lead, end, count))
        start = boundary.end() if boundary else len(text)
    return found


def syllables(text: str) -> int:
    """The syllables in a text, by hyphenation points (at least one a word)."""
    return sum(len(_HYPHENATION.positions(word)) + 1 for word in _WORD.findall(text.lower()))


def reading_scores(text: str) -> tuple[float, float]:
    """(Flesch reading ease, Flesch-Kincaid grade), with textstat's word and sentence counts and the
    formulas textstat uses for English (Flesch 1948; Kincaid et al. 1975)."""
    words = max(1, textstat.lexicon_count(text))
    per_sentence = words / max(1, textstat.sentence_count(text))
    per_word = syllables(text) / words
    ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
    return round(ease, 1), round(grade, 1)


def check(text: str, *, age: int, child_words: Iterable = (), language: str = "en",
          entries: Iterable[GlossaryEntry] | None = None) -> Advice:
    """Look at a piece of the letter: jargon (with the child's own words where they fit), sentences over
    20 words, and (in English) the reading ease against the target for the child's age.

    `child_words` are `ChildWords`, (words, instead_of) pairs, or the child's record text. `entries`
    saves reading the glossary per call (from `active_glossary(language)`).
    """
    if language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}")
    text = text or ""
    if entries is None:
        entries = active_glossary(language)
    jargon = find_jargon(text, entries, child_words)
    long_ones = tuple(LongSentence(start, end, words) for start, end, words in sentences(text)
                      if words > LONG_SENTENCE_WORDS)
    words = len(_WORD.findall(text))
    if language != "en":
        return Advice(language=language, jargon=jargon, long_sentences=long_ones, words=words,
                      notes=(_l("Reading age is estimated for English only: its formulas count English "
                                "syllables, so they say nothing true about Welsh."),))
    if words < MIN_WORDS_FOR_READING_EASE:
        return Advice(language=language, jargon=jargon, long_sentences=long_ones, words=words,
                      target=reading_ease_target(age),
                      notes=(_l("Write a little more for an estimate of how easy it is to read."),))
    ease, grade = reading_scores(text)
    target = reading_ease_target(age)
    return Advice(language=language, jargon=jargon, long_sentences=long_ones, words=words, reading_ease=ease,
                  grade=grade, target=target, target_met=ease >= target)
