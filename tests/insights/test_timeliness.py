"""On time: reg 33 intervals, invitations and letters, on fixed data whose figures were worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from portal.booklet.models import Booklet
from portal.extensions import db
from portal.insights.filters import Filters, narrow
from portal.insights.sections import timeliness
from portal.letters.models import Letter, LetterVersion
from portal.letters.status import letter_counts
from portal.reviews.dates import reporting_year
from portal.reviews.models import Review
from tests import factories as f

Y2024 = reporting_year(date(2024, 4, 1))
ON = date(2026, 11, 30)


def _at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _held(child, when: datetime, *, invited: datetime | None = None, issued: datetime | None = None):
    review = f.review(child, status="held", meeting_at=when, held_at=when)
    if invited:
        db.session.add(Booklet(review_id=review.id, version="4-11", question_set="4-11/1", invited_at=invited))
    if issued:
        letter = Letter(review_id=review.id)
        db.session.add(letter)
        db.session.flush()
        db.session.add(LetterVersion(letter_id=letter.id, number=1, status="issued", author_id=child.iro_id,
                                     issued_by_id=child.iro_id, issued_at=issued))
    db.session.flush()
    return review


@pytest.fixture
def service(app):
    """Period 2024-25; notice 10 working days, letters 20 (the defaults). Anna (North) has Ava; Ben (South) has
    Bea (aged 2) and Cal.

    Ava (C-1), in care from Tue 2 April 2024, aged 10:
      RA1 held Tue 30 April: first review, due 20 working days after 2 April = 30 April: on time (the due day).
          Invited Tue 16 April = 10 working days before: on time. Letter due 30 May (6 and 27 May are bank
          holidays), issued 28 May: on time.
      RA2 held Wed 31 July: second, due 3 months after 30 April = Tue 30 July: late by 1 day. Invited Thu 18 July,
          after 17 July: late. No letter (due 29 August): late.
    Bea, in care from 6 January 2020, aged 2 (no booklet):
      RB1 held 23:30 on 31 March 2024 (BST): 2023-24, outside, but the review before RB2.
      RB2 held 00:30 on 1 October 2024 in England (23:30 UTC on 30 Sept): second, due 3 months after 31 March =
          Sunday 30 June, so Friday 28 June: late by 95 days. Invitation not counted (under 4). Letter due
          29 October, issued 30 October: issued late.
    Cal (C-3), in care from 9 January 2023, aged 14:
      RC1 held 30 January 2023 and RC2 held 10 October 2023: outside the period.
      RC3 held 00:30 on 1 April 2024 (BST; 23:30 UTC on 31 March): subsequent, due 10 April 2024: on time.
          Invited 10 March, by 15 March: on time. Letter due 29 April, issued 10 April: on time.
      RC4 held 23:30 on 31 March 2025 (BST): the period's last day; subsequent, due 1 October 2024: late by 181
          days. No invitation: late (never sent). No letter (due 30 April 2025): late.
      RC5 held 00:30 on 1 April 2025 (BST): 2025-26, outside. A planned and a cancelled review: not counted.

    Reviews: 5 counted, 2 on time, 3 late: 40%. Invitations: 4 counted (Bea's not), 2 on time, 2 late (1 never
    sent): 50%. Letters: 5 counted, 2 on time, 3 late (2 not issued): 40%. Late list: RA2, RB2, RC4.
    Anna only: reviews 2/1/1, invitations 2/1/1 (0 never sent), letters 2/1/1 (1 not issued); late list RA2.
    South: reviews 3/1/2, invitations 2/1/1 (1 never sent, 1 not counted), letters 3/1/2 (1 not issued).
    """
    north, south = f.team("North"), f.team("South")
    anna, ben = f.staff("iro", team=north), f.staff("iro", team=south)
    manager = f.staff("manager")
    ava = f.child(anna, preferred_name="Ava", case_reference="C-1", date_of_birth=date(2014, 1, 1),
                  came_into_care=date(2024, 4, 2))
    bea = f.child(ben, preferred_name="Bea <i>", date_of_birth=date(2022, 6, 1), came_into_care=date(2020, 1, 6))
    cal = f.child(ben, preferred_name="Cal", case_reference="C-3", date_of_birth=date(2010, 5, 5),
                  came_into_care=date(2023, 1, 9))
    _held(ava, _at(2024, 4, 30, 9), invited=_at(2024, 4, 16, 9), issued=_at(2024, 5, 28, 9))
    _held(ava, _at(2024, 7, 31, 9), invited=_at(2024, 7, 18, 9))
    _held(bea, _at(2024, 3, 31, 22, 30))
    _held(bea, _at(2024, 9, 30, 23, 30), issued=_at(2024, 10, 30, 9))
    _held(cal, _at(2023, 1, 30, 10))
    _held(cal, _at(2023, 10, 10, 9))
    _held(cal, _at(2024, 3, 31, 23, 30), invited=_at(2024, 3, 10, 10), issued=_at(2024, 4, 10, 9))
    _held(cal, _at(2025, 3, 31, 22, 30))
    _held(cal, _at(2025, 3, 31, 23, 30))
    f.review(cal, status="planned", meeting_at=_at(2024, 12, 1, 10))
    f.review(ava, status="cancelled", meeting_at=_at(2024, 12, 2, 10))
    db.session.commit()
    return {"anna": anna, "ben": ben, "north": north, "south": south, "manager": manager, "ava": ava, "cal": cal}


def _year(**narrowing) -> Filters:
    return Filters(Y2024.first_day, Y2024.last_day, Y2024, **narrowing)


def _measure(m):
    return m.counted, m.on_time, m.late, m.missing, m.not_counted, m.share


def test_every_figure_for_the_service(service):
    found = timeliness.figures(_year(), on=ON)
    assert _measure(found.reviews) == (5, 2, 3, 0, 0, 0.4)
    assert _measure(found.invitations) == (4, 2, 2, 1, 1, 0.5)
    assert _measure(found.letters) == (5, 2, 3, 2, 0, 0.4)
    assert [(item.name, item.case_reference, item.day) for item in found.late] == [
        ("Ava", "C-1", date(2024, 7, 31)), ("Bea <i>", None, date(2024, 10, 1)), ("Cal", "C-3", date(2025, 3, 31))]
    ava, bea, cal = found.late
    assert ava.reasons == ["Held 1 day after its reg 33 due date (30 July 2024)",
                           "Invited on 18 July 2024, after 17 July 2024 (10 working days before the meeting)",
                           "Letter not issued yet: it was due on 29 August 2024"]
    assert bea.reasons == ["Held 95 days after its reg 33 due date (28 June 2024)",
                           "Letter issued on 30 October 2024, after 29 October 2024"]
    assert cal.reasons == ["Held 181 days after its reg 33 due date (1 October 2024)",
                           "No invitation to the booklet was recorded",
                           "Letter not issued yet: it was due on 30 April 2025"]


@pytest.mark.parametrize("narrowing", ["service", "anna", "south"])
def test_the_letters_agree_with_letter_counts(service, narrowing):
    chosen = {"service": {}, "anna": {"iro_id": service["anna"].id}, "south": {"team_id": service["south"].id}}
    filters = _year(**chosen[narrowing])
    held = db.func.coalesce(Review.held_at, Review.meeting_at)
    ids = db.session.scalars(narrow(db.select(Review.id).where(Review.status == "held", held >= filters.starts_at,
                                                                 held < filters.ends_at), filters, Review.iro_id)).all()
    counts = letter_counts(ids, on=ON)
    letters = timeliness.figures(filters, on=ON).letters
    assert letters.on_time == counts["issued_on_time"]
    assert letters.late == counts["issued_late"] + counts["late"] and letters.missing == counts["late"]


def test_narrowed_to_an_iro_and_to_a_team(service):
    anna = timeliness.figures(_year(iro_id=service["anna"].id), on=ON)
    assert _measure(anna.reviews) == (2, 1, 1, 0, 0, 0.5)
    assert _measure(anna.invitations) == (2, 1, 1, 0, 0, 0.5)
    assert _measure(anna.letters) == (2, 1, 1, 1, 0, 0.5)
    assert [item.name for item in anna.late] == ["Ava"]
    south = timeliness.figures(_year(team_id=service["south"].id), on=ON)
    assert _measure(south.reviews) == (3, 1, 2, 0, 0, 1 / 3)
    assert _measure(south.invitations) == (2, 1, 1, 1, 1, 0.5)
    assert _measure(south.letters) == (3, 1, 2, 1, 0, 1 / 3)
    assert [item.name for item in south.late] == ["Bea <i>", "Cal"]


def test_the_table_holds_counts_only(service):
    table = timeliness.compute(_year()).tables["on_time"]
    assert table.rows == [
        ("Reviews held within the reg 33 intervals", 5, 2, 3, 0, 40.0, 0),
        ("Invitations at least 10 working days before the meeting", 4, 2, 2, 1, 50.0, 1),
        ("Letters issued within 20 working days of the review", 5, 2, 3, 2, 40.0, 0),
    ]


def test_a_manager_sees_the_late_list_and_the_csv_has_no_names(service, client):
    f.sign_in(client, service["manager"])
    text = client.get("/insights?year=2024").get_data(as_text=True)
    assert "3 reviews with something late" in text
    assert f'href="/children/{service["ava"].id}">Ava</a>' in text and "C-3" in text
    assert "Bea &lt;i&gt;" in text and "Bea <i>" not in text
    assert "40%" in text and "2 of 5" in text
    response = client.get("/insights/timeliness/on_time.csv?year=2024")
    body = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[1] == ["Reviews held within the reg 33 intervals", "5", "2", "3", "0", "40.0", "0"]
    assert len(rows) == 4
    assert "Ava" not in body and "Cal" not in body and "C-1" not in body


def test_an_iro_sees_their_own_late_list(service, client):
    f.sign_in(client, service["anna"])
    text = client.get("/insights?year=2024").get_data(as_text=True)
    assert "1 review with something late" in text and "Ava" in text
    assert "Cal" not in text and "Bea" not in text


def test_a_fixed_number_of_queries(service):
    timeliness.figures(_year(), on=ON)  # the settings are read once per process
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        timeliness.figures(_year(), on=ON)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    # the held reviews, and the first issued letters
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


def test_a_long_list_is_cut_on_the_page(service, client, monkeypatch):
    monkeypatch.setattr(timeliness, "LIST_LIMIT", 2)
    f.sign_in(client, service["manager"])
    text = client.get("/insights?year=2024").get_data(as_text=True)
    assert "3 reviews with something late" in text and "The first 2 are listed." in text
    assert ">Ava</a>" in text and "Bea &lt;i&gt;</a>" in text and ">Cal</a>" not in text
