"""Screening: the built-in lists and the matcher catch what children really write, and little else."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.safeguarding.builtin import builtin_entries
from portal.safeguarding.matching import Entry, Matcher, english_forms, highlight_spans, welsh_forms
from portal.safeguarding.models import CATEGORIES, ScreeningEntry
from portal.safeguarding.services import screen
from tests.safeguarding.corpus import builtin_matcher, must_flag, must_not_flag

FALSE_POSITIVE_GOAL = 0.10


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return builtin_matcher()


# --- The corpus ----------------------------------------------------------------------------------

def test_the_corpus_is_big_enough_to_mean_something():
    flag, clear = must_flag(), must_not_flag()
    assert len(flag) >= 150 and len(clear) >= 150
    assert {line.category for line in flag} == set(CATEGORIES)
    assert sum(line.language != "en" for line in flag) >= 20


def test_every_sentence_that_must_flag_flags(matcher):
    missed = [line.text for line in must_flag() if not matcher.find(line.text)]
    assert not missed, f"{len(missed)} not flagged:\n" + "\n".join(missed)


def test_false_positives_stay_under_the_goal(matcher):
    clear = must_not_flag()
    flagged = [(line.text, sorted({m.phrase for m in matcher.find(line.text)})) for line in clear
               if matcher.find(line.text)]
    rate = len(flagged) / len(clear)
    assert rate <= FALSE_POSITIVE_GOAL, f"{rate:.1%} flagged:\n" + "\n".join(map(str, flagged))


def test_every_category_is_filled_in_english_and_welsh():
    found = {(language, category) for language, category, _phrase in builtin_entries()}
    for category in CATEGORIES:
        assert ("en", category) in found and ("cy", category) in found, category


def test_the_built_in_lists_are_loaded_by_the_migration(app):
    rows = db.session.execute(db.select(ScreeningEntry.language, ScreeningEntry.category, ScreeningEntry.phrase)
                              .where(ScreeningEntry.builtin.is_(True), ScreeningEntry.active.is_(True))).all()
    assert len(rows) == len({(language, phrase) for language, _category, phrase in builtin_entries()})
    assert {m.category for m in screen("sometimes I want to kill myself")} == {"suicide_self_harm"}


# --- How the matcher reads text -------------------------------------------------------------------

@pytest.fixture(scope="module")
def small() -> Matcher:
    return Matcher([Entry("kill myself", "en", "suicide_self_harm"), Entry("suicide~", "en", "suicide_self_harm"),
                    Entry("hit me", "en", "physical_harm"), Entry("self harm", "en", "suicide_self_harm"),
                    Entry("brifo fi", "cy", "physical_harm"), Entry("want to die", "en", "suicide_self_harm")])


@pytest.mark.parametrize("text", [
    "I want to KILL MYSELF", "k1ll myself", "kiiiill myselfff", "k i l l myself", "k.i.l.l myself", "ki-ll myself",
    "k\u0456ll myself",  # Cyrillic і
    "\u041aILL MYSELF",  # Cyrillic К
    "ki\u200bll myself", "ki\u00adll myself",  # zero-width space, soft hyphen
    "ｋｉｌｌ myself",  # full-width
    "kill my self", "killmyself", "KILL MYSELF!!!", "kil myself",
])
def test_variants_of_a_phrase_are_found(small, text):
    assert [m.phrase for m in small.find(text)] == ["kill myself"]


@pytest.mark.parametrize("text", ["sucide", "suicde", "su1c1de", "SUICIDE", "s u i c i d e", "suïcide",
                                  "sui\u0301cide"])  # an accent typed as a combining mark (NFD)
def test_one_slip_accents_and_leetspeak_in_a_long_word(small, text):
    assert [m.phrase for m in small.find(text)] == ["suicide~"]


@pytest.mark.parametrize("text", ["he hits me", "he hit me", "she keeps hitting me", "they hitted me"])
def test_inflections_are_found(small, text):
    assert [m.phrase for m in small.find(text)] == ["hit me"]


@pytest.mark.parametrize("text", ["I killed it at football", "my skills", "hit meat", "white mesh",
                                  "self harmony", "I want to diet"])
def test_whole_words_only(small, text):
    assert small.find(text) == []


def test_negation_never_clears_a_flag(small):
    assert [m.phrase for m in small.find("I don't want to die")] == ["want to die"]


def test_welsh_mutations_are_found(small):
    assert welsh_forms("brifo") >= {"brifo", "frifo", "mrifo"}
    assert [m.phrase for m in small.find("mae o'n frifo fi")] == ["brifo fi"]


def test_english_forms():
    assert english_forms("hit") >= {"hits", "hitting", "hitter"}
    assert english_forms("abuse") >= {"abused", "abusing", "abuses"}
    assert english_forms("bully") >= {"bullies", "bullied", "bullying"}
    assert english_forms("me") == {"me"}


def test_matches_point_at_the_original_text(small):
    text = "ok so.. he h1ts   me lol"
    (match,) = small.find(text)
    assert text[match.start:match.end] == "h1ts   me"
    pieces = highlight_spans(text, [match.as_dict()])
    assert pieces == [("ok so.. he ", False), ("h1ts   me", True), (" lol", False)]


def test_an_empty_list_or_text_finds_nothing():
    assert Matcher([]).find("kill myself") == []
    assert Matcher([Entry("kill myself", "en", "x")]).find("") == []
