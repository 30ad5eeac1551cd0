"""What children said in their booklets: fixed data whose figures were worked out by hand (threshold 10).

2024-25, every booklet the 12-17 one, returned, for a held review:

- Anna (North), 24 booklets, numbered 0-23:
  iro_listens: 0-11 yes, 12-21 sometimes, 22-23 skipped (not counted) -> 12 / 10 / 0
  see_social_worker: 0-11 yes, 12-21 sometimes, 22-23 no -> 12 / 10 / 2
  feel_safe: 0-11 yes, 12-21 not_always -> 12 / 10 / 0
  advocate: 0-2 yes -> 3
- Ben (South), 12 booklets, numbered 0-11:
  iro_listens: 0-1 yes -> 2 / 0 / 0;  feel_safe: 0-9 yes, 10-11 not_always -> 10 / 2 / 0;  advocate: 0-1 yes -> 2
- Not counted: Anna's booklet not sent back, one withdrawn, one for a cancelled review (each iro_listens: no).
- Edges: Ben's review at 23:30 on 31 March 2025 (BST, 22:30 UTC) is in 2024-25 (helper: alone); his review at
  00:30 on 1 April 2025 (23:30 UTC on 31 March) is in 2025-26 (chair: chair).

The service, 2024-25:
- iro_listens 14 / 10 / 0 of 24: all shown, 58% / 42% / 0%.
- see_social_worker 12 / 10 / 2 of 24: "no" (2) is small; alone it would be 24 - 12 - 10, so the smallest
  shown cell above nought, "sometimes" (10), is hidden too: 12 (50%), not shown, fewer than 10.
- feel_safe 22 / 12 / 0 of 34: 65% / 35% / 0%.
- advocate 5 of 5 answered: under 10, hidden whole (every cell "not shown", the number who answered "fewer
  than 10").
- helper: 1 (the 31 March review): hidden whole.

North (Anna), 2024-25, against the service's year:
- iro_listens 12 / 10 / 0 = 22; the service's 24 less 22 is 2 (Ben's): the whole question is hidden (the 22
  answered too: "not shown").
- see_social_worker 12 / 10 / 2 = 24, the service's too (differences 0): as the service, 12 (50%) shown.
- feel_safe 12 / 10 / 0 = 22 (service 34: difference 12, shown); "not_always" 12 - 10 = 2 is small, so
  hidden; alone, so the smallest other above nought, "yes" (12), is hidden too, both "not shown" (neither is
  under 10); "no" shows 0 (0%).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.booklet.models import BookletAnswer
from portal.extensions import db
from portal.insights.filters import Filters
from portal.insights.sections import booklet_answers
from portal.reviews.dates import reporting_year
from portal.timeutil import utcnow
from tests import factories as f

Y2024, Y2025 = reporting_year(date(2024, 4, 1)), reporting_year(date(2025, 4, 1))
FEWER, NOT_SHOWN = "fewer than 10", "not shown"


def _booklet(child, when: datetime, answers: dict, *, returned=True, withdrawn=False, status="held"):
    review = f.review(child, status=status, meeting_at=when, held_at=when if status == "held" else None)
    booklet = f.booklet(review)
    booklet.returned_at = utcnow() if returned else None
    booklet.withdrawn_at = utcnow() if withdrawn else None
    for key, value in answers.items():
        state = "skipped" if value is None else "answered"
        db.session.add(BookletAnswer(booklet_id=booklet.id, question_key=key, state=state, value_choice=value,
                                     question_set=booklet.question_set, section="how_things_are"))
    db.session.flush()
    return booklet


def _pick(number: int, *cuts) -> str | None:
    """The value for booklet `number`: cuts are (up to, value) in order."""
    return next((value for upto, value in cuts if number < upto), None)


@pytest.fixture
def service(app):
    north, south = f.team("North"), f.team("South")
    anna, ben = f.staff("iro", team=north), f.staff("iro", team=south)
    a_child, b_child = f.child(anna, age=14), f.child(ben, age=14)
    start = datetime(2024, 5, 1, 9, tzinfo=UTC)
    for n in range(24):
        answers = {"iro_listens": _pick(n, (12, "yes"), (22, "sometimes")),
                   "see_social_worker": _pick(n, (12, "yes"), (22, "sometimes"), (24, "no")),
                   "feel_safe": _pick(n, (12, "yes"), (22, "not_always"), (24, None))}
        if n < 3:
            answers["advocate"] = "yes"
        answers = {key: value for key, value in answers.items() if value is not None or key == "iro_listens"}
        _booklet(a_child, start + timedelta(days=n), answers)
    for n in range(12):
        answers = {"feel_safe": "yes" if n < 10 else "not_always"}
        if n < 2:
            answers |= {"iro_listens": "yes", "advocate": "yes"}
        _booklet(b_child, start + timedelta(days=n, hours=3), answers)
    _booklet(a_child, start, {"iro_listens": "no"}, returned=False)
    _booklet(a_child, start, {"iro_listens": "no"}, withdrawn=True)
    _booklet(a_child, start, {"iro_listens": "no"}, status="cancelled")
    _booklet(b_child, datetime(2025, 3, 31, 22, 30, tzinfo=UTC), {"helper": "alone"})
    _booklet(b_child, datetime(2025, 3, 31, 23, 30, tzinfo=UTC), {"chair": "chair"})
    db.session.commit()
    return {"north": north, "anna": anna, "ben": ben}


def _year(year, **narrowing) -> Filters:
    return Filters(year.first_day, year.last_day, year, **narrowing)


def _by_key(found) -> dict:
    return {item.key: item for item in found}


def _cells(item) -> list[tuple]:
    return [(choice.key, choice.count, choice.percent) for choice in item.choices]


def test_the_raw_counts_and_the_period_edges(service):
    keys = [key for key, *_rest in booklet_answers.catalogue()]
    year = _year(Y2024)
    counts = booklet_answers.counts(year.starts_at, year.ends_at, year, keys)
    assert counts == {("iro_listens", "yes"): 14, ("iro_listens", "sometimes"): 10,
                      ("see_social_worker", "yes"): 12, ("see_social_worker", "sometimes"): 10,
                      ("see_social_worker", "no"): 2, ("feel_safe", "yes"): 22, ("feel_safe", "not_always"): 12,
                      ("advocate", "yes"): 5, ("helper", "alone"): 1}
    following = _year(Y2025)
    assert booklet_answers.counts(following.starts_at, following.ends_at, following, keys) == {("chair", "chair"): 1}


def test_every_figure_for_the_service(service):
    found = _by_key(booklet_answers.answers(_year(Y2024)))
    assert _cells(found["iro_listens"]) == [("yes", 14, 58), ("sometimes", 10, 42), ("no", 0, 0)]
    assert found["iro_listens"].answered == 24 and not found["iro_listens"].hidden
    assert _cells(found["see_social_worker"]) == [("yes", 12, 50), ("sometimes", NOT_SHOWN, ""), ("no", FEWER, "")]
    assert found["see_social_worker"].answered == 24
    assert _cells(found["feel_safe"]) == [("yes", 22, 65), ("not_always", 12, 35), ("no", 0, 0)]
    assert found["advocate"].hidden and found["advocate"].answered == FEWER
    assert all(count == NOT_SHOWN and percent == "" for _key, count, percent in _cells(found["advocate"]))
    assert found["helper"].hidden and found["helper"].answered == FEWER
    assert found["chair"].answered == 0 and not found["chair"].hidden
    assert found["feel_safe"].prompt == "Do you feel safe where you live?"
    assert found["feel_safe"].asked_in == "Ages 12 to 17, Ages 4 to 11, Three Houses (ages 4 to 7)"
    # The 4-7 booklet's own "feeling" question, and its three-option "attend", are there too.
    assert "feeling" in found and [c.key for c in found["attend"].choices][:3] == ["in_person", "online", "part"]


def test_a_team_is_suppressed_against_the_service(service):
    found = _by_key(booklet_answers.answers(_year(Y2024, team_id=service["north"].id)))
    assert found["iro_listens"].hidden and found["iro_listens"].answered == NOT_SHOWN
    assert {count for _key, count, _percent in _cells(found["iro_listens"])} == {NOT_SHOWN}
    assert _cells(found["see_social_worker"]) == [("yes", 12, 50), ("sometimes", NOT_SHOWN, ""), ("no", FEWER, "")]
    assert _cells(found["feel_safe"]) == [("yes", NOT_SHOWN, ""), ("not_always", NOT_SHOWN, ""), ("no", 0, 0)]
    assert found["feel_safe"].answered == 22
    assert found["advocate"].hidden
    # The same for Anna chosen as the IRO.
    same = _by_key(booklet_answers.answers(_year(Y2024, iro_id=service["anna"].id)))
    assert _cells(same["feel_safe"]) == _cells(found["feel_safe"])


def test_the_csv_carries_the_suppressed_text_never_the_number(service, client):
    manager = f.staff("manager")
    db.session.commit()
    f.sign_in(client, manager)
    response = client.get("/insights/booklet_answers/answers.csv?year=2024")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Question", "Answer", "Children", "Share (%)", "Children who answered", "Asked in"]
    social = [row for row in rows if row[0] == "Do you see your social worker enough?"]
    assert [row[1:5] for row in social] == [["Yes", "12", "50", "24"], ["Sometimes", NOT_SHOWN, "", "24"],
                                            ["No", FEWER, "", "24"]]
    advocate = [row for row in rows if row[0].startswith("Would you like someone to help you")]
    assert {row[2] for row in advocate} == {NOT_SHOWN} and {row[4] for row in advocate} == {FEWER}
    page = client.get("/insights?year=2024").get_data(as_text=True)
    assert 'id="booklet-answers-feel_safe"' in page and "65%" in page


def test_a_fixed_number_of_queries_whatever_the_data(service):
    from sqlalchemy import event

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        booklet_answers.compute(_year(Y2024, team_id=service["north"].id))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    grouped = [s for s in statements if "GROUP BY" in s.upper() and "booklet_answer" in s]
    assert len(grouped) == 2
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 4
