"""Find words and phrases of harm in anything a person writes, however it is typed.

Pure functions, no database: `Matcher` is built from entries (phrase, language, category) and finds
them in a text. Both the text and every entry go through the same folding:

- Unicode compatibility forms, case, accents and other marks are folded (NFKC, casefold, NFD);
- zero-width and other format characters (soft hyphen, ZWSP, ZWJ) are dropped inside words;
- letters of other scripts that look like Latin letters (Cyrillic 'а', Greek 'ο') become those letters;
- in a word that has a letter, leetspeak digits and symbols become letters (k1ll, $tab, h@te);
- punctuation is a word boundary like a space, so "k.i.l.l", "ki-ll" and "don't" read as spaced letters;
- runs of one letter fold to one (kiiill -> kil; kill -> kil too);
- spaces are optional inside an entry ("self harm" finds "selfharm", "self-harm", "k i l l" finds "kill"),
  but a match must start and end on a word boundary ("kill" never finds "skill").

Entries also match their usual inflections (English: hits, hitting, kicked; Welsh: the initial
mutations of the first word), and an entry ending in "~" matches one-letter slips of itself.
Matching is by an Aho-Corasick automaton (pyahocorasick): one pass over the text for every entry.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick
import confusable_homoglyphs

# In a word that has a letter, these stand for letters.
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e", "£": "l"}
LEET_SYMBOLS = frozenset(ch for ch in LEET if not ch.isdigit())
# Scripts whose look-alike letters are read as Latin ones (never Arabic, Hebrew or others whose
# own words a list may hold).
CONFUSABLE_SCRIPTS = ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC", "LATIN", "MATHEMATICAL",
                      "FULLWIDTH", "LISU", "SMALL CAPITAL", "MODIFIER LETTER")
# Small letters whose capitals imitate Latin ones (КILL folds to кill): the Unicode table lists
# the capitals, and text is case-folded before it is looked up.
EXTRA_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԛ": "q", "ԝ": "w", "ү": "y",
    "һ": "h", "ӏ": "l", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "η": "n", "ω": "w", "ѡ": "w",
}
FUZZY_MARK = "~"
# Words never inflected inside a phrase: they do not change ("kill myself", not "kill myselfs").
FUNCTION_WORDS = frozenset(
    "a an and at be by for from i im in is it me my myself of off on or out our over so the them to up us "
    "we with you your yourself he she him her his they their this that all no not dont cant any".split())
MAX_VARIANTS_PER_ENTRY = 400

LETTER, DIGIT, SYMBOL, DROP, BOUNDARY = range(5)


@lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    """Look-alike letters from other scripts, each to the one Latin letter it imitates."""
    path = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    table: dict[str, str] = {}
    for char, entries in json.loads(path.read_text(encoding="utf-8")).items():
        # Text is case-folded first, so only a character's folded form is looked up (the capital
        # Cyrillic 'І' imitates 'l', but folds to 'і', which imitates 'i').
        if len(char) != 1 or char.isascii() or char != char.casefold():
            continue
        name = unicodedata.name(char, "")
        if not name.startswith(CONFUSABLE_SCRIPTS):
            continue
        for entry in entries:
            target = entry["c"]
            if len(target) == 1 and target.isascii() and target.isalpha():
                table[char] = target.lower()
                break
    table.update(EXTRA_CONFUSABLES)
    return table


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> tuple[str, int]:
    """One character of text as folded letters, and what kind of character it is."""
    if char in LEET_SYMBOLS:
        return char, SYMBOL
    category = unicodedata.category(char)
    if category == "Cf":
        return "", DROP
    if category[0] == "M":
        # A combining mark typed on its own (NFD text): part of the letter before it, and dropped.
        return "", DROP
    if category[0] not in "LN":
        return "", BOUNDARY
    confusables = _confusables()
    folded = []
    for part in unicodedata.normalize("NFKC", char).casefold():
        part = confusables.get(part, part)
        for piece in unicodedata.normalize("NFD", part):
            piece_category = unicodedata.category(piece)
            if piece_category[0] == "M" or piece_category == "Cf":
                continue
            folded.append(confusables.get(piece, piece))
    text = "".join(folded)
    if not text:
        return "", DROP
    return text, DIGIT if category[0] == "N" else LETTER


def _tokens(text: str) -> list[list[tuple[str, int]]]:
    """Words of the text as (folded character, index in the original text) pairs."""
    tokens: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int, int]] = []
    for index, char in enumerate(text):
        folded, kind = _fold_char(char)
        if kind == DROP:
            continue
        if kind == BOUNDARY:
            if current:
                tokens.append(_finish(current))
                current = []
            continue
        for piece in folded:
            current.append((piece, index, kind))
    if current:
        tokens.append(_finish(current))
    return [token for token in tokens if token]


def _finish(token: list[tuple[str, int, int]]) -> list[tuple[str, int]]:
    """Leetspeak read as letters in a word that has a letter; stray symbols at its ends dropped."""
    has_letter = any(kind == LETTER for _char, _index, kind in token)
    # '!' and '|' at the ends are punctuation ("help!"); '$' and '@' at the start are letters ("$tab").
    while token and token[-1][2] == SYMBOL:
        token = token[:-1]
    while token and token[0][2] == SYMBOL and (token[0][0] not in "$@" or len(token) == 1):
        token = token[1:]
    if not has_letter:
        return [(char, index) for char, index, kind in token if kind == DIGIT]
    return [(LEET.get(char, char) if kind != LETTER else char, index) for char, index, kind in token]


@dataclass
class Stream:
    """The text as one string of folded letters, with where words may start and end."""

    chars: str
    origin: list[int]
    origin_end: list[int]
    starts: set[int]
    ends: set[int]


def fold(text: str) -> Stream:
    """Fold a text for matching: see the module's description."""
    chars: list[str] = []
    origin: list[int] = []
    origin_end: list[int] = []
    starts: set[int] = set()
    ends: set[int] = set()
    for token in _tokens(text or ""):
        first = True
        for char, index in token:
            if chars and chars[-1] == char and char.isalpha():
                # A repeated letter folds into the one before it; where a word boundary fell
                # between them, the folded letter may both end one word and start the next.
                if first:
                    starts.add(len(chars) - 1)
                origin_end[-1] = index
                first = False
                continue
            if first:
                starts.add(len(chars))
                first = False
            chars.append(char)
            origin.append(index)
            origin_end.append(index)
        ends.add(len(chars))
    return Stream("".join(chars), origin, origin_end, starts, ends)


def folded_key(phrase: str) -> str:
    """An entry as the automaton stores it: folded letters, no spaces."""
    return fold(phrase).chars


# --- Variants of an entry ---------------------------------------------------------------------

VOWELS = frozenset("aeiou")


def english_forms(word: str) -> set[str]:
    """A word and its regular inflections (irregular ones are listed as entries of their own)."""
    forms = {word}
    if len(word) < 3 or not word.isalpha() or word in FUNCTION_WORDS:
        return forms
    forms |= {word + "s", word + "es", word + "ed", word + "ing", word + "er", word + "ers"}
    if word.endswith("e"):
        forms |= {word + "d", word + "r", word[:-1] + "ing"}
    if word.endswith("y") and word[-2] not in VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if word[-1] not in VOWELS | {"w", "x", "y"} and word[-2] in VOWELS and word[-3] not in VOWELS:
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed", word + word[-1] + "er"}
    return forms


# Welsh initial mutations of a word's first letters: soft, nasal and aspirate.
WELSH_MUTATIONS = {
    "p": ("b", "mh", "ph"), "t": ("d", "nh", "th"), "c": ("g", "ngh", "ch"),
    "b": ("f", "m"), "d": ("dd", "n"), "g": ("", "ng"), "m": ("f",), "ll": ("l",), "rh": ("r",),
}


def welsh_forms(word: str) -> set[str]:
    forms = {word}
    for radical in ("ll", "rh"):
        if word.startswith(radical):
            forms |= {mutated + word[len(radical):] for mutated in WELSH_MUTATIONS[radical]}
            return forms
    if word[:1] in WELSH_MUTATIONS:
        forms |= {mutated + word[1:] for mutated in WELSH_MUTATIONS[word[:1]] if mutated + word[1:]}
    return forms


def slips(key: str) -> set[str]:
    """One letter missing, or two neighbouring letters swapped ("sucide", "suicdie")."""
    found = {key[:i] + key[i + 1:] for i in range(len(key))}
    found |= {key[:i] + key[i + 1] + key[i] + key[i + 2:] for i in range(len(key) - 1)}
    return {item for item in found if len(item) >= 4}


@lru_cache(maxsize=16384)
def variants(phrase: str, language: str) -> frozenset[str]:
    """Every folded form of an entry the automaton looks for."""
    fuzzy = phrase.rstrip().endswith(FUZZY_MARK)
    text = phrase.rstrip().rstrip(FUZZY_MARK).strip().casefold()
    words = [w for w in text.replace("'", "").replace("’", "").split() if w]
    if not words:
        return frozenset()
    if language == "en":
        choices = [sorted(english_forms(w)) for w in words]
    elif language == "cy":
        choices = [sorted(welsh_forms(words[0]))] + [[w] for w in words[1:]]
    else:
        choices = [[w] for w in words]
    combos = [""]
    for options in choices:
        combos = [f"{so_far} {option}".strip() for so_far in combos for option in options]
        if len(combos) > MAX_VARIANTS_PER_ENTRY:
            # Too many: inflect only the first word, keep the rest as written.
            combos = [" ".join([option] + words[1:]) for option in choices[0]]
            break
    keys = {folded_key(combo) for combo in combos}
    if fuzzy:
        keys |= slips(folded_key(text))
    return frozenset(key for key in keys if len(key) >= 2)


# --- The matcher ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    phrase: str
    language: str
    category: str
    id: int | None = None


@dataclass(frozen=True)
class Match:
    """One entry found: where in the original text (start, end), and which entry."""

    start: int
    end: int
    phrase: str
    category: str
    language: str

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "phrase": self.phrase, "category": self.category,
                "language": self.language}


class Matcher:
    """Every entry in one automaton; `find` is one pass over the text."""

    def __init__(self, entries: list[Entry]):
        self.entries = list(entries)
        automaton = ahocorasick.Automaton()
        by_key: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for key in variants(entry.phrase, entry.language):
                by_key.setdefault(key, []).append(entry)
        for key, found in by_key.items():
            automaton.add_word(key, (len(key), tuple(found)))
        self.pattern_count = len(by_key)
        self._automaton = automaton
        if by_key:
            automaton.make_automaton()

    def find(self, text: str | None) -> list[Match]:
        """Every entry found in the text, longest first where they overlap, in text order."""
        if not text or not self.pattern_count:
            return []
        stream = fold(text)
        if not stream.chars:
            return []
        found: dict[tuple[int, int, str], Match] = {}
        for last, (length, entries) in self._automaton.iter(stream.chars):
            first = last - length + 1
            if first not in stream.starts or last + 1 not in stream.ends:
                continue
            start, end = stream.origin[first], stream.origin_end[last] + 1
            for entry in entries:
                found.setdefault((start, end, entry.category),
                                 Match(start, end, entry.phrase, entry.category, entry.language))
        # An entry found inside a longer find of the same entry ("suicid" in "s u i c i d e") is the same find.
        ordered = sorted(found.values(), key=lambda m: (-(m.end - m.start), m.start))
        kept: list[Match] = []
        for match in ordered:
            if not any(k.phrase == match.phrase and k.start <= match.start and match.end <= k.end for k in kept):
                kept.append(match)
        return sorted(kept, key=lambda m: (m.start, -(m.end - m.start), m.category))


def highlight_spans(text: str, matches: list[dict]) -> list[tuple[str, bool]]:
    """The text cut into (piece, matched?) runs, for showing matched words marked (never as HTML)."""
    marked = [False] * len(text)
    for match in matches:
        for index in range(max(0, int(match["start"])), min(len(text), int(match["end"]))):
            marked[index] = True
    pieces: list[tuple[str, bool]] = []
    for char, flag in zip(text, marked, strict=True):
        if pieces and pieces[-1][1] == flag:
            pieces[-1] = (pieces[-1][0] + char, flag)
        else:
            pieces.append((char, flag))
    return pieces
