"""An autosave and a form post that both create the same answer: one wins, the other compares, nobody sees an error."""

from __future__ import annotations

from portal.booklet import answers
from portal.booklet.models import BookletAnswer
from portal.booklet.questions import question_set
from portal.booklet.services import booklet_for_review
from portal.extensions import db
from portal.timeutil import utcnow
from tests import factories as f


def _booklet():
    iro = f.staff("iro")
    review = f.review(f.child(iro, age=14))
    booklet = booklet_for_review(review)
    db.session.commit()
    return booklet, question_set(booklet.question_set).question("enjoy")


def _other_request_inserts_first(monkeypatch, booklet, text):
    real = answers._insert_if_absent
    calls = []

    def racing(*args, **kwargs):
        if not calls:
            # The other request's insert lands between this request's look and its insert.
            db.session.execute(db.insert(BookletAnswer).values(
                booklet_id=booklet.id, question_key="enjoy", question_set=booklet.question_set,
                section="how_things_are", state="answered", value_text=text, version=1, urgent=False,
                updated_at=utcnow()))
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(answers, "_insert_if_absent", racing)
    return calls


def test_the_loser_with_different_words_gets_a_conflict_not_an_error(app, monkeypatch):
    booklet, question = _booklet()
    calls = _other_request_inserts_first(monkeypatch, booklet, "football")
    result = answers.save_answer(booklet, question, "answered", "drawing", expected_version=0)
    assert isinstance(result, answers.Conflict)
    assert len(calls) == 1
    stored = db.session.scalars(db.select(BookletAnswer).filter_by(booklet_id=booklet.id)).all()
    assert [(a.value_text, a.version) for a in stored] == [("football", 1)]


def test_the_loser_with_the_same_words_is_simply_saved(app, monkeypatch):
    booklet, question = _booklet()
    _other_request_inserts_first(monkeypatch, booklet, "drawing")
    result = answers.save_answer(booklet, question, "answered", "drawing", expected_version=0)
    assert isinstance(result, answers.Saved) and result.version == 1


def test_inserting_twice_does_not_raise(app):
    booklet, question = _booklet()
    assert answers._insert_if_absent(booklet, "enjoy", "how_things_are", "answered") is True
    assert answers._insert_if_absent(booklet, "enjoy", "how_things_are", "answered") is False
