"""Answers to any questionnaire: reading one question from a posted form, comparing what a page
loaded with what is stored, and saying an answer in words.

An answer has a state: 'answered' (with a value, or 'none' when there is nothing), or the state of
an alternative the question set offers ('skipped', 'tell_iro'). A form posts, for question `key`:
`key` (the value: typed words, an option's key, or several for checkboxes), `key__alt` (ticked
alternatives under a typed answer), `key__version` (the version the page loaded) and `key__loaded`
(the fingerprint of what the page loaded), and, after a conflict, `key__choose`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.questionnaires.kinds import getlist, normalise_text
from portal.questionnaires.schema import ALTERNATIVES, ANSWERED, Alternative, Question

__all__ = ["Posted", "answer_in_words", "fingerprint", "normalise_text", "read_posted", "stored_value"]


@dataclass
class Posted:
    """One question as a form sent it."""

    state: str
    value: str | None
    expected_version: int | None = None
    loaded: str | None = None
    keep_theirs: bool = False


def _alternative_chosen(question: Question, form, offered: tuple[Alternative, ...]) -> str | None:
    """The state of the alternative ticked, if any; when several are, the last offered says the most."""
    if question.is_free_text:
        ticked = set(getlist(form, f"{question.key}__alt"))
        chosen = [a.state for a in offered if a.state in ticked]
    else:
        ticked = set(getlist(form, question.key))
        chosen = [a.state for a in offered if a.value in ticked]
    return chosen[-1] if chosen else None


def read_posted(question: Question, form, alternatives: tuple[Alternative, ...] = ()) -> Posted | None:
    """What the form says for one question; None when the form did not include it.

    `alternatives` are those the question set offers (`QuestionSet.offered`); any other is read
    as an answer, which `Kind.validate` then refuses.
    """
    key = question.key
    if key not in form and f"{key}__version" not in form:
        return None
    version_text = form.get(f"{key}__version", "")
    expected = int(version_text) if version_text.isdigit() else None
    state = _alternative_chosen(question, form, alternatives) or ANSWERED
    value = question.answer_kind.parse(form, question) if state == ANSWERED else None
    return Posted(state=state, value=value, expected_version=expected, loaded=form.get(f"{key}__loaded") or None,
                  keep_theirs=form.get(f"{key}__choose") == "theirs")


def stored_value(answer) -> tuple[str, str | None]:
    """(state, value) of a stored answer (any table with AnswerColumns); ('none', None) when there is none."""
    if answer is None:
        return "none", None
    if answer.state != ANSWERED:
        return answer.state, None
    return ANSWERED, answer.value_choice if answer.value_choice is not None else answer.value_text


def fingerprint(state: str, value: str | None) -> str:
    """A short hash of what a page loaded, so an untouched field never overwrites a newer answer."""
    if state == ANSWERED and not value:
        state = "none"
    text = f"{state}\x00{value or ''}" if state != "none" else "none"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def answer_in_words(question: Question | None, state: str, value: str | None, *, for_staff: bool = False,
                    nothing: object = _l("Nothing yet")) -> str | None:
    """A state and value in the words a person reads.

    `for_staff`: False reads an answer back to whoever gave it ("You skipped this question."),
    True to staff ("Skipped"). `nothing`: the words for no answer (None to leave it out). Without
    its question (a set no longer known) a value is shown as stored.
    """
    alternative = ALTERNATIVES.get(state)
    if alternative is not None:
        return str(alternative.theirs if for_staff else alternative.yours)
    if not value:
        return None if nothing is None else str(nothing)
    if question is None:
        return value
    return question.answer_kind.describe(question, value)
