"""The clock crossing the BST changes and midnight on 31 March: days are London's, instants are UTC, and
nothing a child saved is lost or counted in the wrong year."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.reviews.dates import record_due_date, reporting_year
from portal.timeutil import london_date
from tests.test_booklet_child import _answers, _child, _load, _start

# 2026: BST begins 01:00 UTC on Sunday 29 March and ends 01:00 UTC on Sunday 25 October.


@pytest.mark.parametrize("instant, day", [
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), date(2026, 3, 29)),    # 00:59 GMT
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), date(2026, 3, 29)),     # 02:00 BST: the hour that never was
    (datetime(2026, 6, 26, 23, 30, tzinfo=UTC), date(2026, 6, 27)),   # Friday 23:30 UTC is Saturday in London
    (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), date(2026, 10, 25)),  # 01:30 BST, the first time
    (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), date(2026, 10, 25)),  # 01:30 GMT, the second time
    (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), date(2026, 12, 31)),
])
def test_an_instant_belongs_to_the_day_it_is_in_london(instant, day):
    assert london_date(instant) == day


@pytest.mark.parametrize("instant, label", [
    (datetime(2026, 3, 31, 22, 59, 59, tzinfo=UTC), "2025-26"),  # 23:59:59 BST on 31 March
    (datetime(2026, 3, 31, 23, 0, 0, tzinfo=UTC), "2026-27"),    # midnight BST: 1 April
    (date(2026, 3, 31), "2025-26"),
    (date(2026, 4, 1), "2026-27"),
    (date(2027, 3, 31), "2026-27"),
])
def test_midnight_on_31_march_starts_the_new_reporting_year_by_london_time(instant, label):
    assert reporting_year(instant).label == label


def test_a_reporting_year_runs_from_london_midnight_to_london_midnight():
    year = reporting_year(date(2026, 7, 1))
    assert (year.first_day, year.last_day) == (date(2026, 4, 1), date(2027, 3, 31))
    assert year.starts_at() == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    assert year.ends_at() == datetime(2027, 3, 31, 23, 0, tzinfo=UTC)
    assert year.holds(datetime(2027, 3, 31, 22, 59, tzinfo=UTC))
    assert not year.holds(datetime(2027, 3, 31, 23, 0, tzinfo=UTC))


def test_a_review_held_late_on_a_summer_night_counts_its_record_from_the_london_day():
    thursday_night = datetime(2026, 6, 25, 23, 30, tzinfo=UTC)  # Friday 00:30 in London
    assert record_due_date(thursday_night, 20) == record_due_date(date(2026, 6, 26), 20) == date(2026, 7, 24)
    assert record_due_date(date(2026, 6, 25), 20) == date(2026, 7, 23)


def test_a_child_saving_across_the_autumn_clock_change_loses_nothing(client, monkeypatch):
    """01:55 BST, then 01:02 GMT seven minutes later (the wall clock went back): the session is live, both
    saves land once, in order."""
    review, path = _child(age=13)
    first = datetime(2026, 10, 25, 0, 55, tzinfo=UTC)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: first)
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    headers = {"X-CSRFToken": hidden["csrf_token"]}
    saved = client.post("/booklet/answer", json={"question_key": "good_news", "value": "Before", "version": 0},
                        headers=headers)
    assert saved.get_json()["status"] == "saved"
    after = datetime(2026, 10, 25, 1, 2, tzinfo=UTC)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: after)
    again = client.post("/booklet/answer", json={"question_key": "good_news", "value": "After", "version": 1},
                        headers=headers)
    assert again.get_json()["status"] == "saved" and again.get_json()["version"] == 2
    assert _answers(review)["good_news"].value_text == "After"


def test_the_idle_lock_counts_real_minutes_when_the_clock_goes_back(client, monkeypatch):
    """01:30 BST, then 01:20 GMT: the wall clock reads earlier, but 50 minutes passed and the page locks."""
    review, path = _child(age=13)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: first)
    _start(client, path)
    _, hidden = _load(client, "/booklet/good_news")
    later = datetime(2026, 10, 25, 1, 20, tzinfo=UTC)
    monkeypatch.setattr("portal.links.session.utcnow", lambda: later)
    locked = client.post("/booklet/answer", json={"question_key": "good_news", "value": "x", "version": 0},
                         headers={"X-CSRFToken": hidden["csrf_token"]})
    assert locked.status_code == 401 and locked.get_json()["status"] == "locked"
    assert "good_news" not in _answers(review)
