"""The children's booklets section: fixed data whose figures were worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from portal.booklet.models import Booklet
from portal.extensions import db
from portal.insights.filters import Filters
from portal.insights.sections import booklets
from portal.reviews.dates import reporting_year
from tests import factories as f

Y2024 = reporting_year(date(2024, 4, 1))


def _at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _review(child, when: datetime, status: str = "held", **booklet_fields):
    review = f.review(child, status=status, meeting_at=when, held_at=when if status == "held" else None)
    if booklet_fields:
        db.session.add(Booklet(review_id=review.id, version="4-11", question_set="4-11/1", **booklet_fields))
        db.session.flush()
    return review


@pytest.fixture
def service(app):
    """Period 2024-25. Anna (North): Kit (born 1 June 2019, 4-7), Lee (born 1 January 2014, 8-11), Bo (born
    1 January 2022, under 4). Ben (South): Max (born 2 July 2012, turns 12 on 2 July 2024), Sky (born 1 January
    2009, 12-17).

    R1 Kit, held Wed 15 May 2024; invited Wed 24 April; opened, returned. Working days after 24 April up to
      15 May: 25, 26, 29, 30 April, 1-3 May, 7-10 May (6 May is a bank holiday), 13-15 May = 14.
    R9 Kit, held 10 Sept 2024; a booklet returned with no invitation recorded: a review, not invited, and its
      return is not counted.
    R2 Lee, planned 23:30 on 31 March 2025 (BST, 22:30 UTC): the period's last day; invited Mon 24 March;
      not opened. Working days 25-28 and 31 March = 5.
    R7 Lee, held 00:30 on 1 April 2024 (BST, 23:30 UTC on 31 March): the period's first day; no booklet.
    R8 Lee, held 23:30 on 31 March 2024 (BST): 2023-24, left out (its invited booklet too).
    R3 Max, held 00:30 on 2 July 2024 in England (23:30 UTC on 1 July): his 12th birthday, so 12-17; invited
      Mon 17 June; opened, not returned. Working days 18-21, 24-28 June, 1-2 July = 11.
    R4 Sky, held Thu 10 Oct 2024; invited 00:30 on Tue 1 October in England (23:30 UTC on 30 Sept); opened,
      returned. Working days 2-4 and 7-10 October = 7.
    R5 Sky, cancelled 1 Nov 2024 with an invited booklet: left out. R6 Bo, held 1 June 2024: under 4, left out.

    4-7: 2 reviews, 1 invited, 1 opened, 1 returned, 100%, median 14.
    8-11: 2 reviews, 1 invited, 0 opened, 0 returned, 0%, median 5.
    12-17: 2 reviews, 2 invited, 2 opened, 1 returned, 50%, median of 11 and 7 = 9.
    Total: 6 reviews, 4 invited, 3 opened, 2 returned, 50%, median of 5, 7, 11, 14 = 9.
    Anna only: 4-7 as above, 8-11 as above, 12-17 nothing; total 4, 2, 1, 1, 50%, median of 5 and 14 = 9.5.
    """
    north, south = f.team("North"), f.team("South")
    anna, ben = f.staff("iro", team=north), f.staff("iro", team=south)
    kit = f.child(anna, date_of_birth=date(2019, 6, 1))
    lee = f.child(anna, date_of_birth=date(2014, 1, 1))
    bo = f.child(anna, date_of_birth=date(2022, 1, 1))
    max_ = f.child(ben, date_of_birth=date(2012, 7, 2))
    sky = f.child(ben, date_of_birth=date(2009, 1, 1))
    _review(kit, _at(2024, 5, 15, 9), invited_at=_at(2024, 4, 24, 9), opened_at=_at(2024, 4, 25, 9),
            returned_at=_at(2024, 4, 26, 9))
    _review(kit, _at(2024, 9, 10, 9), returned_at=_at(2024, 9, 1, 9))
    _review(lee, _at(2025, 3, 31, 22, 30), status="planned", invited_at=_at(2025, 3, 24, 10))
    _review(lee, _at(2024, 3, 31, 23, 30))
    _review(lee, _at(2024, 3, 31, 22, 30), invited_at=_at(2024, 3, 1, 10), opened_at=_at(2024, 3, 2, 10),
            returned_at=_at(2024, 3, 3, 10))
    _review(max_, _at(2024, 7, 1, 23, 30), invited_at=_at(2024, 6, 17, 8), opened_at=_at(2024, 6, 18, 8))
    _review(sky, _at(2024, 10, 10, 9), invited_at=_at(2024, 9, 30, 23, 30), opened_at=_at(2024, 10, 2, 9),
            returned_at=_at(2024, 10, 3, 9))
    _review(sky, _at(2024, 11, 1, 10), status="cancelled", invited_at=_at(2024, 10, 1, 10),
            opened_at=_at(2024, 10, 2, 10), returned_at=_at(2024, 10, 3, 10))
    _review(bo, _at(2024, 6, 1, 9))
    db.session.commit()
    return {"anna": anna, "ben": ben, "north": north, "south": south}


def _year(**narrowing) -> Filters:
    return Filters(Y2024.first_day, Y2024.last_day, Y2024, **narrowing)


def _cells(rows):
    return [(row.key, row.reviews, row.invited, row.opened, row.returned, row.return_rate, row.median_days)
            for row in rows]


def test_every_figure_for_the_service(service):
    assert _cells(booklets.figures(_year())) == [
        ("4-7", 2, 1, 1, 1, 1.0, 14),
        ("8-11", 2, 1, 0, 0, 0.0, 5),
        ("12-17", 2, 2, 2, 1, 0.5, 9),
        ("total", 6, 4, 3, 2, 0.5, 9),
    ]


def test_narrowed_to_an_iro_and_to_a_team(service):
    assert _cells(booklets.figures(_year(iro_id=service["anna"].id))) == [
        ("4-7", 2, 1, 1, 1, 1.0, 14),
        ("8-11", 2, 1, 0, 0, 0.0, 5),
        ("12-17", 0, 0, 0, 0, None, None),
        ("total", 4, 2, 1, 1, 0.5, 9.5),
    ]
    assert _cells(booklets.figures(_year(team_id=service["south"].id))) == [
        ("4-7", 0, 0, 0, 0, None, None),
        ("8-11", 0, 0, 0, 0, None, None),
        ("12-17", 2, 2, 2, 1, 0.5, 9),
        ("total", 2, 2, 2, 1, 0.5, 9),
    ]


def test_the_table_and_the_chart(service):
    result = booklets.compute(_year())
    table = result.tables["by_age"]
    assert table.header[0] == "Age on the meeting day"
    assert table.rows == [("4 to 7", 2, 1, 1, 1, 100.0, 14), ("8 to 11", 2, 1, 0, 0, 0.0, 5),
                          ("12 to 17", 2, 2, 2, 1, 50.0, 9), ("Total", 6, 4, 3, 2, 50.0, 9)]
    chart = str(result.context["chart"])
    assert "chart-booklets-returned-title" in chart and "100%" in chart and "50%" in chart


def test_an_empty_period_has_no_rates(app):
    rows = booklets.figures(_year())
    assert _cells(rows)[-1] == ("total", 0, 0, 0, 0, None, None)


def test_the_median_of_counted_values():
    assert booklets.median([]) is None
    assert booklets.median([(3, 1)]) == 3
    assert booklets.median([(5, 2), (1, 1)]) == 5
    assert booklets.median([(1, 1), (2, 1), (10, 2)]) == 6


def test_two_queries_whatever_the_data(service):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        booklets.figures(_year())
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


def test_the_day_in_england_in_sql_around_the_clock_changes(app):
    """Against Python's time zone data: either side of 01:00 UTC on the last Sundays of March and October."""
    from portal.reviews.models import Review
    from portal.timeutil import london_date

    anna = f.staff("iro")
    child = f.child(anna, date_of_birth=date(2012, 1, 1))
    instants = [_at(2024, 3, 30, 23, 30), _at(2024, 3, 31, 0, 59), _at(2024, 3, 31, 1, 0), _at(2024, 3, 31, 23, 30),
                _at(2024, 10, 26, 23, 30), _at(2024, 10, 27, 0, 30), _at(2024, 10, 27, 23, 30),
                _at(2025, 3, 29, 23, 59), _at(2025, 3, 30, 23, 0), _at(2025, 10, 25, 23, 0), _at(2025, 10, 26, 23, 0)]
    for when in instants:
        f.review(child, meeting_at=when)
    db.session.commit()
    rows = db.session.execute(db.select(Review.meeting_at, booklets.london_day_number(Review.meeting_at))
                              .order_by(Review.meeting_at)).all()
    assert [booklets.as_date(number) for _when, number in rows] == [london_date(when) for when in instants]
    assert booklets.as_date(rows[3][1]) == date(2024, 4, 1) and booklets.as_date(rows[6][1]) == date(2024, 10, 27)
