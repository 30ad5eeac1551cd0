"""An autosave and a form post on the same answer: one wins, the other compares, nobody sees an error.

The threads racing through the pages are in tests/hostile/test_concurrent_saves.py."""

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
    assert answers._insert_if_absent(booklet, "enjoy", "how_things_are", "answered") is not None
    assert answers._insert_if_absent(booklet, "enjoy", "how_things_are", "answered") is None


def _other_request_updates_first(monkeypatch, text):
    """The other request's change lands just before this request's write (whichever write it is: the
    one-statement save of a page that says its version, or the write after a look)."""
    real = answers._update_where
    calls = []

    def racing(booklet, section, columns, *conditions):
        if not calls:
            db.session.execute(db.update(BookletAnswer).where(BookletAnswer.booklet_id == booklet.id)
                               .values(value_text=text, version=BookletAnswer.version + 1))
        calls.append(len(calls) + 1)
        return real(booklet, section, columns, *conditions)

    monkeypatch.setattr(answers, "_update_where", racing)
    return calls


def test_a_change_between_the_look_and_the_write_is_a_conflict(app, monkeypatch):
    booklet, question = _booklet()
    first = answers.save_answer(booklet, question, "answered", "reading", expected_version=0)
    assert isinstance(first, answers.Saved) and first.version == 1
    calls = _other_request_updates_first(monkeypatch, "football")
    result = answers.save_answer(booklet, question, "answered", "drawing", expected_version=1)
    assert isinstance(result, answers.Conflict) and calls == [1]
    assert result.theirs.value_text == "football" and result.theirs_version == 2
    stored = db.session.scalars(db.select(BookletAnswer).filter_by(booklet_id=booklet.id)).all()
    assert [(a.value_text, a.version) for a in stored] == [("football", 2)]


def test_without_a_version_to_check_the_save_looks_again_and_writes_over_the_newest(app, monkeypatch):
    booklet, question = _booklet()
    answers.save_answer(booklet, question, "answered", "reading")
    calls = _other_request_updates_first(monkeypatch, "football")
    result = answers.save_answer(booklet, question, "answered", "drawing")
    assert isinstance(result, answers.Saved) and calls == [1, 2] and result.version == 3
    assert db.session.scalar(db.select(BookletAnswer.value_text)) == "drawing"


def test_clearing_deletes_only_the_version_this_request_saw(app, monkeypatch):
    booklet, question = _booklet()
    answers.save_answer(booklet, question, "answered", "reading")
    real = answers._delete_if_unchanged

    def racing(answer, seen):
        db.session.execute(db.update(BookletAnswer).where(BookletAnswer.id == answer.id)
                           .values(value_text="football", version=BookletAnswer.version + 1))
        return real(answer, seen)

    monkeypatch.setattr(answers, "_delete_if_unchanged", racing)
    result = answers.save_answer(booklet, question, "answered", "", expected_version=1)
    assert isinstance(result, answers.Conflict) and result.theirs.value_text == "football"
    assert db.session.scalar(db.select(BookletAnswer.value_text)) == "football"
    monkeypatch.setattr(answers, "_delete_if_unchanged", real)
    cleared = answers.save_answer(booklet, question, "answered", "", expected_version=2)
    assert isinstance(cleared, answers.Saved) and cleared.answer is None
    assert db.session.scalar(db.select(BookletAnswer)) is None
