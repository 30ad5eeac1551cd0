"""How children took part, year by year: fixed data whose figures were worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.extensions import db
from portal.insights import dfe903
from portal.insights.sections import participation
from portal.reviews.dates import reporting_year
from tests import factories as f

Y2023, Y2024, Y2025 = (reporting_year(date(year, 4, 1)) for year in (2023, 2024, 2025))


def _held(child, when: datetime, code: str | None, chairing: str | None = None):
    return f.review(child, status="held", meeting_at=when, held_at=when, participation_code=code, chairing=chairing)


@pytest.fixture
def service(app):
    """Two IROs in two teams. 2024-25 (by hand): PN1 ×2 (one chaired), PN0, PN6 (co-chaired), PN7, and one
    held with no code; so 5 coded, 4 aged 4 or more, 3 took part: 75%. One more PN1 at 00:30 on 1 April 2025
    (BST) belongs to 2025-26. 2023-24 comes from an imported DfE file: PN1, PN7, PN0: 1 of 2 took part."""
    north, south = f.team("North"), f.team("South")
    anna, ben = f.staff("iro", team=north), f.staff("iro", team=south)
    a1, a2, b1 = f.child(anna, age=12), f.child(anna, age=3), f.child(ben, age=15)
    _held(a1, datetime(2024, 5, 1, 9, tzinfo=UTC), "PN1", "chaired")
    _held(a2, datetime(2024, 6, 1, 9, tzinfo=UTC), "PN0")
    _held(a1, datetime(2024, 11, 1, 9, tzinfo=UTC), "PN6", "co-chaired")
    _held(b1, datetime(2024, 7, 1, 9, tzinfo=UTC), "PN1")
    _held(b1, datetime(2024, 12, 1, 9, tzinfo=UTC), "PN7", "none")
    # 23:30 on 31 March 2025 in England (BST): the last day of 2024-25 ...
    _held(b1, datetime(2025, 3, 31, 22, 30, tzinfo=UTC), None)
    # ... and 00:30 on 1 April 2025: the first of 2025-26.
    _held(b1, datetime(2025, 3, 31, 23, 30, tzinfo=UTC), "PN1")
    # Planned and cancelled reviews are not counted.
    f.review(a1, status="cancelled", meeting_at=datetime(2024, 9, 1, 9, tzinfo=UTC))
    result = dfe903.import_file(b"CHILD,DOB,REVIEW,REVIEW_CODE\nX1,01/01/2010,05/05/2023,PN1\n"
                                b"X2,01/01/2010,31/03/2024,PN7\nX3,01/01/2022,01/04/2023,PN0\n", on=date(2026, 11, 30))
    assert result.ok
    db.session.commit()
    return {"north": north, "south": south, "anna": anna, "ben": ben}


def test_every_figure_of_the_year_by_year_table(service):
    y2023, y2024, y2025 = participation.by_year([Y2025, Y2023, Y2024])
    assert (y2023.year, y2024.year, y2025.year) == (Y2023, Y2024, Y2025)
    assert y2024.codes == {"PN0": 1, "PN1": 2, "PN2": 0, "PN3": 0, "PN4": 0, "PN5": 0, "PN6": 1, "PN7": 1}
    assert (y2024.total, y2024.aged_4_or_more, y2024.took_part, y2024.no_code) == (5, 4, 3, 1)
    assert y2024.took_part_share == 0.75 and y2024.share("PN1") == 0.4
    assert (y2024.chaired, y2024.co_chaired, y2024.imported) == (1, 1, 0)
    assert y2025.codes["PN1"] == 1 and y2025.total == 1 and y2025.took_part_share == 1
    assert y2023.codes == {"PN0": 1, "PN1": 1, "PN2": 0, "PN3": 0, "PN4": 0, "PN5": 0, "PN6": 0, "PN7": 1}
    assert (y2023.imported, y2023.took_part_share) == (3, 0.5)


def test_narrowed_to_a_team_or_an_iro_leaves_out_the_imported_history(service):
    north = participation.by_year([Y2023, Y2024], team_id=service["north"].id)
    assert north[0].total == 0
    assert north[1].codes["PN1"] == 1 and north[1].codes["PN0"] == 1 and north[1].codes["PN6"] == 1
    assert north[1].total == 3 and north[1].took_part_share == 1.0
    ben = participation.by_year([Y2024], iro_id=service["ben"].id)[0]
    assert (ben.codes["PN1"], ben.codes["PN7"], ben.no_code, ben.total) == (1, 1, 1, 2)
    assert ben.took_part_share == 0.5


def test_a_year_with_no_reviews_has_no_percentages(app):
    (empty,) = participation.by_year([Y2024])
    assert empty.total == 0 and empty.took_part_share is None and empty.share("PN1") is None
    assert participation.by_year([]) == []


def test_the_table_is_two_queries_whatever_the_years(service, app):
    from sqlalchemy import event

    statements = []
    engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        participation.by_year([reporting_year(date(year, 4, 1)) for year in range(2018, 2026)])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
