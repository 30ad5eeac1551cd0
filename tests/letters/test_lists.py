"""The letter on the lists: due, due soon or late after the last held review (two queries for all the
children), the link under a held review, and the counts for the collated views."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from portal.extensions import db
from portal.letters import services, status
from portal.letters.models import LetterVersion
from portal.reviews import hooks
from portal.reviews.dates import record_due_date
from portal.settings import authority_settings
from portal.timeutil import LONDON
from tests import factories as f
from tests.test_save_path import statements

TODAY = date(2026, 12, 10)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(status, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=LONDON)


def _child_held(iro, held: date, name="Ellie"):
    child = f.child(iro, preferred_name=name, came_into_care=date(2024, 1, 8))
    review = f.review(child, status="held", meeting_at=_at(held), held_at=_at(held))
    return child, review


def _issue(review, iro, on: datetime | None = None, reason=None):
    version = services.draft(review, iro)
    services.save_draft(version, version.version_counter, going_well="School is going well.")
    issued = services.issue(version, iro, reason)
    if on is not None:
        db.session.execute(db.update(LetterVersion).where(LetterVersion.id == issued.id).values(issued_at=on))
    db.session.flush()
    return issued


def _with_letter_pages(app):
    for endpoint, rule in ((status.WRITE_ENDPOINT, "/letters/review/<int:review_id>/write"),
                           (status.HISTORY_ENDPOINT, "/letters/review/<int:review_id>/history")):
        if endpoint not in app.view_functions:
            app.add_url_rule(rule, endpoint, lambda review_id: "")


def _due(held: date) -> date:
    return record_due_date(held, authority_settings().record_working_days)


def test_due_due_soon_late_and_issued(app, frozen, in_request):
    iro = f.staff("iro")
    due_child, due_review = _child_held(iro, date(2026, 12, 7), "Dee")
    soon_child, soon_review = _child_held(iro, date(2026, 11, 16), "Sue")
    late_child, late_review = _child_held(iro, date(2026, 11, 2), "Lee")
    done_child, done_review = _child_held(iro, date(2026, 11, 2), "Don")
    _issue(done_review, iro)
    planned_child = f.child(iro, preferred_name="Pat")
    f.review(planned_child)
    db.session.commit()
    found = status.letter_statuses([due_child.id, soon_child.id, late_child.id, done_child.id, planned_child.id])
    rows = {child_id: html.split("<br>")[0] for child_id, html in found.items()}
    assert set(rows) == {due_child.id, soon_child.id, late_child.id}
    assert _due(date(2026, 12, 7)) > date(2026, 12, 17)
    day = f"{_due(date(2026, 12, 7)).day} {_due(date(2026, 12, 7)):%B}"
    assert rows[due_child.id] == f"Due {day}"
    soon = _due(date(2026, 11, 16))
    assert TODAY <= soon
    assert rows[soon_child.id] == f'<strong class="govuk-tag govuk-tag--yellow">Due soon: {soon.day} {soon:%B}</strong>'
    late = _due(date(2026, 11, 2))
    assert late < TODAY
    assert rows[late_child.id] == f'<strong class="govuk-tag govuk-tag--red">Late: due {late.day} {late:%B}</strong>'


def test_only_the_most_recent_held_review_within_a_year_counts(app, frozen, in_request):
    iro = f.staff("iro")
    child, older = _child_held(iro, date(2026, 6, 1))
    newer = f.review(child, status="held", meeting_at=_at(date(2026, 11, 30)), held_at=_at(date(2026, 11, 30)))
    _issue(newer, iro)
    long_ago_child, _long_ago = _child_held(iro, date(2025, 11, 1), "Old")
    db.session.commit()
    # The older review's letter was never issued, but the newest review's was: nothing to say.
    assert status.letter_statuses([child.id, long_ago_child.id]) == {}


def test_a_write_link_when_the_writing_page_exists(app, frozen):
    _with_letter_pages(app)
    iro = f.staff("iro")
    child, review = _child_held(iro, date(2026, 11, 2))
    db.session.commit()
    with app.test_request_context():
        html = status.letter_statuses([child.id])[child.id]
        url = app.url_for(status.WRITE_ENDPOINT, review_id=review.id)
    assert html.startswith('<strong class="govuk-tag govuk-tag--red">Late: due')
    assert html.endswith(f'<br><a class="govuk-link" href="{url}">Write the letter</a>')


def test_statuses_are_escaped(app, frozen, in_request, monkeypatch):
    monkeypatch.setattr(status, "gettext", lambda text, **values: "<i>" + text % values)
    iro = f.staff("iro")
    child, _review = _child_held(iro, date(2026, 12, 7))
    db.session.commit()
    assert status.letter_statuses([child.id])[child.id].startswith("&lt;i&gt;Due ")


def test_two_queries_for_any_number_of_children(app, frozen, in_request):
    iro = f.staff("iro")
    children = []
    for number in range(6):
        child, review = _child_held(iro, date(2026, 11, 2 + number), f"Child {number}")
        f.review(child, status="held", meeting_at=_at(date(2026, 5, 2)), held_at=_at(date(2026, 5, 2)))
        if number % 2:
            _issue(review, iro)
        children.append(child)
    db.session.commit()
    authority_settings()
    ids = [child.id for child in children]
    with statements() as one:
        status.letter_statuses(ids[:1])
    with statements() as six:
        rows = status.letter_statuses(ids)
    assert len(one) <= 2 and len(six) == len(one)
    assert len(rows) == 3


def test_the_letter_row_reaches_the_childrens_cards(client, frozen):
    iro = f.staff("iro")
    child, _review = _child_held(iro, date(2026, 11, 2))
    db.session.commit()
    assert "letter" in hooks._child_statuses
    with client.application.test_request_context():
        rows = hooks.child_statuses([child.id])
    assert [str(label) for label, _html in rows[child.id]] == ["Letter"]
    f.sign_in(client, iro)
    page = client.get("/children").get_data(as_text=True)
    assert "Late: due" in page


def test_the_held_review_link(app):
    _with_letter_pages(app)
    iro = f.staff("iro")
    _child, review = _child_held(iro, date(2026, 11, 2))
    db.session.commit()
    with app.test_request_context():
        label, url = status.held_review_link(review)
        due = _due(date(2026, 11, 2))
        assert label == f"Write the letter to the child (due {due.day} {due:%B})"
        assert url == app.url_for(status.WRITE_ENDPOINT, review_id=review.id)
        _issue(review, iro, on=_at(date(2026, 11, 20)))
        first = db.session.scalar(db.select(LetterVersion).filter_by(number=1))
        correction = services.draft(review, iro)
        services.issue(correction, iro, "A date was wrong")
        db.session.execute(db.update(LetterVersion).where(LetterVersion.id == correction.id)
                           .values(issued_at=_at(date(2026, 12, 3))))
        db.session.commit()
        assert first.number == 1
        label, url = status.held_review_link(review)
        assert label == "The letter to the child (issued 3 December, version 2)"
        assert url == app.url_for(status.HISTORY_ENDPOINT, review_id=review.id)
        # A correction being written: the link leads to the writing page.
        services.draft(review, iro)
        db.session.commit()
        assert status.held_review_link(review)[1] == app.url_for(status.WRITE_ENDPOINT, review_id=review.id)
        planned = f.review(review.child)
        assert status.held_review_link(planned) is None


def test_letter_counts(app):
    iro = f.staff("iro")
    on = date(2026, 12, 10)
    _c1, on_time = _child_held(iro, date(2026, 11, 2), "A")
    _issue(on_time, iro, on=_at(date(2026, 11, 20)))
    _c2, issued_late = _child_held(iro, date(2026, 10, 1), "B")
    _issue(issued_late, iro, on=_at(date(2026, 12, 1)))
    # A correction later does not change whether it was on time.
    _c3, corrected = _child_held(iro, date(2026, 11, 2), "C")
    _issue(corrected, iro, on=_at(date(2026, 11, 5)))
    _issue(corrected, iro, on=_at(date(2026, 12, 9)), reason="A date was wrong")
    _c4, late = _child_held(iro, date(2026, 11, 2), "D")
    _c5, soon = _child_held(iro, date(2026, 11, 16), "E")
    _c6, not_yet = _child_held(iro, date(2026, 12, 7), "F")
    planned = f.review(_c6)
    db.session.commit()
    ids = [r.id for r in (on_time, issued_late, corrected, late, soon, not_yet, planned)]
    authority_settings()
    with statements() as seen:
        counts = status.letter_counts(ids, on=on)
    assert counts == {"issued_on_time": 2, "issued_late": 1, "late": 1, "due_soon": 1}
    assert len(seen) <= 3
    assert status.letter_counts([]) == {"issued_on_time": 0, "issued_late": 0, "late": 0, "due_soon": 0}
    # Agrees with services.lateness review by review.
    for review, expected in ((on_time, "issued on time"), (issued_late, "issued late"), (late, "late"),
                             (soon, "due soon"), (not_yet, None)):
        assert services.lateness(review, on) == expected


def test_the_childs_page_shows_the_link_under_the_held_review(client):
    _with_letter_pages(client.application)
    iro = f.staff("iro")
    child, review = _child_held(iro, date(2026, 11, 2))
    db.session.commit()
    f.sign_in(client, iro)
    page = client.get(f"/children/{child.id}").get_data(as_text=True)
    due = _due(date(2026, 11, 2))
    assert f"Write the letter to the child (due {due.day} {due:%B})" in page
