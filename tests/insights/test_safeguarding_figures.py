"""Urgent concerns on the dashboard: fixed data whose figures were worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.insights.filters import Filters
from portal.insights.sections import safeguarding
from portal.reviews.dates import reporting_year
from portal.safeguarding.models import UrgentConcern
from tests import factories as f

Y2024 = reporting_year(date(2024, 4, 1))


def _at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _concern(review, created: datetime, acknowledged: datetime | None = None, escalated: datetime | None = None):
    db.session.add(UrgentConcern(review_id=review.id, source_kind="child_message", reason="word_list",
                                 created_at=created, escalate_after=created + timedelta(hours=1),
                                 acknowledged_at=acknowledged, escalated_at=escalated))


@pytest.fixture
def service(app):
    """Period 2024-25. Anna (North) has review RA, Ben (South) review RB.

    C1 RA 1 May 2024 10:00, acknowledged 10:30: 1,800 s.
    C2 RA 1 June 09:00, escalated 10:00, acknowledged 11:16: 8,160 s.
    C3 RB 00:30 on 1 April 2024 in England (23:30 UTC on 31 March): the first day; acknowledged an hour later:
       3,600 s.
    C4 RB 23:30 on 31 March 2025 (BST): the last day; escalated, never acknowledged: open.
    C7 RB 1 August 12:00, acknowledged the next day 12:00: 86,400 s.
    C5 RB 23:30 on 31 March 2024 (BST) and C6 RB 00:30 on 1 April 2025: outside the period.

    Service: 5 raised, 4 acknowledged, 2 escalated (40%), 1 open. Times 1,800, 3,600, 8,160, 86,400 s.
    Median (position 0.5 × 3 = 1.5): 3,600 + 0.5 × 4,560 = 5,880 s = 98 min = 1 h 38 min.
    90th percentile (position 2.7): 8,160 + 0.7 × 78,240 = 62,928 s = 1,048.8 min, so 1,049 = 17 h 29 min.
    Anna: 2 raised, 2 acknowledged, 1 escalated, 0 open; median (1,800 + 8,160) / 2 = 4,980 s = 83 min =
    1 h 23 min; 90th 1,800 + 0.9 × 6,360 = 7,524 s = 125.4 min, so 2 h 05 min.
    South: 3 raised, 2 acknowledged, 1 escalated, 1 open; median (3,600 + 86,400) / 2 = 45,000 s = 12 h 30 min;
    90th 3,600 + 0.9 × 82,800 = 78,120 s = 1,302 min = 21 h 42 min.
    """
    north, south = f.team("North"), f.team("South")
    anna, ben = f.staff("iro", team=north), f.staff("iro", team=south)
    manager = f.staff("manager")
    ra = f.review(f.child(anna), status="held", meeting_at=_at(2024, 6, 1, 9), held_at=_at(2024, 6, 1, 9))
    rb = f.review(f.child(ben), status="held", meeting_at=_at(2024, 6, 2, 9), held_at=_at(2024, 6, 2, 9))
    _concern(ra, _at(2024, 5, 1, 10), _at(2024, 5, 1, 10, 30))
    _concern(ra, _at(2024, 6, 1, 9), _at(2024, 6, 1, 11, 16), escalated=_at(2024, 6, 1, 10))
    _concern(rb, _at(2024, 3, 31, 23, 30), _at(2024, 4, 1, 0, 30))
    _concern(rb, _at(2025, 3, 31, 22, 30), escalated=_at(2025, 3, 31, 23, 30))
    _concern(rb, _at(2024, 8, 1, 12), _at(2024, 8, 2, 12))
    _concern(rb, _at(2024, 3, 31, 22, 30), _at(2024, 3, 31, 22, 31))
    _concern(rb, _at(2025, 3, 31, 23, 30))
    db.session.commit()
    return {"anna": anna, "ben": ben, "north": north, "south": south, "manager": manager}


def _year(**narrowing) -> Filters:
    return Filters(Y2024.first_day, Y2024.last_day, Y2024, **narrowing)


def _cells(found):
    return (found.raised, found.acknowledged, found.escalated, found.open, found.median_seconds,
            pytest.approx(found.p90_seconds) if found.p90_seconds is not None else None)


def test_every_figure_for_the_service_an_iro_and_a_team(service):
    assert _cells(safeguarding.figures(_year())) == (5, 4, 2, 1, 5880, 62928)
    assert _cells(safeguarding.figures(_year(iro_id=service["anna"].id))) == (2, 2, 1, 0, 4980, 7524)
    assert _cells(safeguarding.figures(_year(team_id=service["south"].id))) == (3, 2, 1, 1, 45000, 78120)


def test_the_table_and_the_words(service):
    result = safeguarding.compute(_year())
    assert result.tables["concerns"].rows == [(5, 4, 1, 2, 98, 1049)]
    duration = result.context["duration"]
    assert duration(5880) == "1 h 38 min" and duration(62928) == "17 h 29 min" and duration(1800) == "30 min"
    assert duration(None) == "–" and result.context["escalated_share"] == "40%"
    anna = safeguarding.compute(_year(iro_id=service["anna"].id)).context
    assert anna["duration"](anna["found"].p90_seconds) == "2 h 05 min"


def test_no_concerns_no_times(app):
    found = safeguarding.figures(_year())
    assert (found.raised, found.acknowledged, found.open, found.median_seconds, found.p90_seconds) == (
        0, 0, 0, None, None)
    assert safeguarding.compute(_year()).tables["concerns"].rows == [(0, 0, 0, 0, "", "")]


def test_percentiles_as_percentile_cont():
    assert safeguarding.percentile([], 0.5) is None
    assert safeguarding.percentile([(7, 1)], 0.9) == 7
    assert safeguarding.percentile([(10, 2), (20, 1)], 0.5) == 10
    assert safeguarding.percentile([(0, 1), (100, 1)], 0.9) == pytest.approx(90)


def test_on_the_page_and_in_the_csv(service, client):
    f.sign_in(client, service["manager"])
    text = client.get("/insights?year=2024").get_data(as_text=True)
    assert "1 h 38 min" in text and "17 h 29 min" in text
    rows = list(csv.reader(io.StringIO(client.get("/insights/safeguarding/concerns.csv?year=2024")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["Concerns raised", "Acknowledged", "Still open", "Escalated",
                     "Median time to acknowledge (minutes)", "90th percentile time to acknowledge (minutes)"],
                    ["5", "4", "1", "2", "98", "1049"]]


def test_two_queries_whatever_the_data(service):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        safeguarding.figures(_year())
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
