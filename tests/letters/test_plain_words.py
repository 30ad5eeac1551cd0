"""Help to write plainly: jargon from the glossary, the child's own words, long sentences, reading ease."""

from __future__ import annotations

import nltk

from portal.extensions import db
from portal.letters import plain_words
from portal.letters.models import GlossaryEntry

EASY = "You like your home. You like your school. Your cat is called Max. You want to see Nana more."
HARD = ("The multidisciplinary professional network considered comprehensive documentation regarding "
        "educational attainment, emotional wellbeing, and longitudinal developmental trajectories.")


def _terms(advice):
    return [hit.term for hit in advice.jargon]


def test_the_built_in_glossary_is_added_on_first_need_and_once(app):
    entries = plain_words.active_glossary("en")
    assert {"contact", "placement", "respite", "LAC", "LAC review", "care plan", "pathway plan", "siblings",
            "advocate", "IRO", "PEP", "SDQ", "CIN"} <= {e.term for e in entries}
    assert plain_words.sync_builtin_glossary() == 0
    assert all(e.builtin for e in entries)


def test_jargon_is_found_as_whole_words_with_where_it_is(app):
    text = "Your Contact with Mum and your siblings will carry on. We contacted school."
    advice = plain_words.check(text, age=9)
    assert _terms(advice) == ["contact", "siblings"]
    hit = advice.jargon[0]
    assert (hit.found, text[hit.start:hit.end]) == ("Contact", "Contact")
    assert "family time" in hit.suggestion
    assert advice.jargon[1].suggestion == "brothers and sisters"


def test_jargon_finds_plurals_phrases_and_prefers_the_longer_term(app):
    advice = plain_words.check("Your placements were good. At your LAC review the care-plan and the "
                               "looked after child were discussed.", age=14)
    assert _terms(advice) == ["placement", "LAC review", "care plan", "looked-after child"]


def test_acronyms_match_in_capitals_only(app):
    advice = plain_words.check("Your IRO and your PEP. Mum gave you a pep talk.", age=12)
    assert _terms(advice) == ["IRO", "PEP"]
    assert advice.jargon[0].note  # "write it in full or explain it"


def test_a_switched_off_or_added_entry_counts(app):
    plain_words.active_glossary("en")
    db.session.scalar(db.select(GlossaryEntry).filter_by(term="respite", language="en")).active = False
    db.session.add(GlossaryEntry(term="LADO", language="en", suggestion="explain it", active=True))
    db.session.flush()
    advice = plain_words.check("Respite is planned. The LADO was told.", age=10)
    assert _terms(advice) == ["LADO"]


def test_the_childs_own_words_are_suggested_where_the_term_they_replace_appears(app):
    child_words = plain_words.parse_child_words("mum time, not 'contact'\nNana's house, not \"placement\"; football")
    assert child_words == (plain_words.ChildWords("mum time", "contact"),
                           plain_words.ChildWords("Nana's house", "placement"),
                           plain_words.ChildWords("football"))
    advice = plain_words.check("Contact will be weekly. Your placement is stable.", age=8,
                               child_words=child_words)
    assert [hit.child_words for hit in advice.jargon] == [("mum time",), ("Nana's house",)]
    # Words that name no term fit where they share words with the suggestion.
    advice = plain_words.check("Contact is on Saturdays.", age=8, child_words=["family time with Mum"])
    assert advice.jargon[0].child_words == ("family time with Mum",)
    # And never where they do not fit.
    advice = plain_words.check("Your siblings visit.", age=8, child_words=["family time with Mum"])
    assert advice.jargon[0].child_words == ()


def test_the_check_never_changes_the_text(app):
    text = "Contact with your siblings."
    advice = plain_words.check(text, age=8, child_words=["family time"])
    assert text == "Contact with your siblings." and advice.jargon


def test_sentences_over_twenty_words_are_flagged(app):
    long_one = " ".join(["word"] * 21) + "."
    text = f"A short one. {long_one}\n" + " ".join(["line"] * 20)
    advice = plain_words.check(text, age=15)
    assert [(s.words, text[s.start:s.end]) for s in advice.long_sentences] == [(21, long_one)]


def test_reading_ease_against_the_target_for_the_childs_age(app):
    easy_young = plain_words.check(EASY, age=8)
    assert easy_young.target == 80 and easy_young.target_met is True and easy_young.reading_ease >= 80
    hard_older = plain_words.check(HARD, age=15)
    assert hard_older.target == 70 and hard_older.target_met is False
    assert hard_older.grade is not None and hard_older.grade > 12
    assert plain_words.reading_ease_target(4) == 80 and plain_words.reading_ease_target(11) == 80
    assert plain_words.reading_ease_target(12) == 70 and plain_words.reading_ease_target(17) == 70


def test_very_short_text_gets_no_estimate(app):
    advice = plain_words.check("Dear Ellie", age=9)
    assert advice.reading_ease is None and advice.target_met is None and advice.notes


def test_welsh_uses_welsh_entries_and_no_reading_ease(app):
    text = "Bydd cyswllt gyda Mam bob wythnos ac mae dy leoliad yn dda. Mae lleoliad newydd yn agos i'r ysgol a'r parc."
    advice = plain_words.check(text, age=9, language="cy")
    assert _terms(advice) == ["cyswllt", "lleoliad"]
    assert advice.jargon[0].suggestion.startswith("amser teulu")
    assert advice.reading_ease is None and advice.target is None and advice.target_met is None
    assert "English" in str(advice.notes[0])
    # English entries are not used for Welsh text, nor Welsh ones for English.
    assert plain_words.check("Your contact.", age=9, language="cy").jargon == ()
    assert plain_words.check("Cyswllt.", age=9).jargon == ()


def test_reading_ease_downloads_nothing(app, monkeypatch):
    """textstat's own Flesch functions would fetch NLTK's CMU dictionary at run time; ours never do."""


    def refuse(*_args, **_kwargs):
        raise AssertionError("tried to download")

    monkeypatch.setattr(nltk, "download", refuse)
    advice = plain_words.check(EASY + " " + HARD, age=13)
    assert advice.reading_ease is not None and advice.grade is not None
