"""The collated views' page and its CSV: who sees what, the figures as shown, the audit."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from portal.audit.models import AuditEvent
from portal.extensions import db
from tests import factories as f


def _world():
    north, south = f.team("North"), f.team("South")
    anna, ben = f.staff("iro", team=north, name="Anna <b>Jones</b>"), f.staff("iro", team=south)
    manager = f.staff("manager")
    a1, b1 = f.child(anna, age=12), f.child(ben, age=14)
    for child, code, month in ((a1, "PN1", 5), (a1, "PN6", 11), (b1, "PN7", 7)):
        when = datetime(2024, month, 3, 10, tzinfo=UTC)
        f.review(child, status="held", meeting_at=when, held_at=when, participation_code=code)
    db.session.commit()
    return {"anna": anna, "ben": ben, "manager": manager, "north": north}


def _row(text: str, label: str) -> str:
    start = text.index(f'<th scope="row" class="govuk-table__header">{label}</th>')
    return text[start:text.index("</tr>", start)]


def test_a_manager_sees_the_service_and_narrows_to_a_team(app, client):
    world = _world()
    f.sign_in(client, world["manager"])
    page = client.get("/insights?year=2024")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    row = _row(text, "2024-25")
    # PN1, PN6, PN7: 2 of 3 took part.
    assert "67%" in row and "2 of 3" in row
    assert "<svg" in text and "chart-took-part-title" in text
    assert "Anna &lt;b&gt;Jones&lt;/b&gt;" in text and "<b>Jones</b>" not in text
    north = client.get(f"/insights?year=2024&team={world['north'].id}").get_data(as_text=True)
    assert "100%" in _row(north, "2024-25") and "2 of 2" in _row(north, "2024-25")
    assert client.get("/insights?team=999999").status_code == 404
    assert client.get(f"/insights?iro={world['manager'].id}").status_code == 404
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="insights_viewed")).all()
    assert len(events) == 2 and events[1].detail == f"2024-04-01..2025-03-31 team={world['north'].id} iro=None"


def test_an_iro_sees_only_their_own_reviews_whatever_the_address_says(app, client):
    world = _world()
    f.sign_in(client, world["ben"])
    text = client.get(f"/insights?year=2024&iro={world['anna'].id}").get_data(as_text=True)
    row = _row(text, "2024-25")
    assert "0 of 1" in row and "0%" in row
    assert 'name="team"' not in text


def test_the_participation_csv_is_the_table(app, client):
    world = _world()
    f.sign_in(client, world["manager"])
    response = client.get("/insights/participation/by_year.csv?year=2024")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Reporting year", "PN0", "PN1"]
    assert len(rows) == 8
    assert rows[-1][:10] == ["2024-25", "0", "1", "0", "0", "0", "0", "1", "1", "3"]
    assert rows[-1][12] == "66.7"
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="insights_exported")) is not None


def test_an_administrator_does_not_see_childrens_figures(app, client):
    admin = f.staff("admin")
    db.session.commit()
    f.sign_in(client, admin)
    assert client.get("/insights").status_code == 403
    assert client.get("/insights/participation/by_year.csv").status_code == 403
