"""The collated views' periods: reporting years, their quarters, dates chosen."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from portal.insights.filters import period, quarter_days
from portal.reviews.dates import reporting_year

Y2025 = reporting_year(date(2025, 4, 1))


@pytest.mark.parametrize(("quarter", "first", "last"), [
    (1, date(2025, 4, 1), date(2025, 6, 30)),
    (2, date(2025, 7, 1), date(2025, 9, 30)),
    (3, date(2025, 10, 1), date(2025, 12, 31)),
    (4, date(2026, 1, 1), date(2026, 3, 31)),
])
def test_the_quarters_of_a_reporting_year(quarter, first, last):
    assert quarter_days(Y2025, quarter) == (first, last)


def test_a_year_a_quarter_or_dates_from_the_address(app):
    with app.test_request_context():
        assert period(MultiDict({"year": "2025"})) == (date(2025, 4, 1), date(2026, 3, 31), Y2025, None, False)
        assert period(MultiDict({"year": "2025", "quarter": "4"}))[:2] == (date(2026, 1, 1), date(2026, 3, 31))
        # Dates chosen win, either way round; their reporting year is the one the period ends in.
        chosen = period(MultiDict({"from": "2026-02-10", "to": "2025-12-01"}))
        assert chosen == (date(2025, 12, 1), date(2026, 2, 10), Y2025, None, True)
        # Nonsense falls back to this reporting year, never an error page.
        first, last, year, quarter, custom = period(MultiDict({"year": "x", "quarter": "9", "from": "2025-13-01"}))
        assert (quarter, custom) == (None, False) and first == year.first_day
        assert period(MultiDict({"year": "1850"}))[2] == period(MultiDict({}))[2]
