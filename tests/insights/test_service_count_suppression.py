"""The administrator may hide small numbers in the service's own counts too (off by default, as the DfE
publishes councils' counts as they are): the page, the CSV and the pack then show those sections' tables with
"fewer than 10" and "not shown", never the number, and no chart."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from portal.extensions import db
from portal.insights.sections.base import Table
from portal.insights.suppression import suppress_table
from portal.settings import authority_settings
from tests import factories as f

FEW, NOT = "fewer than 10", "not shown"


def test_a_row_whose_parts_add_up_hides_what_would_give_a_small_part_away(app):
    # PN0-PN7 = 0, 12, 3, 0, 0, 0, 15, 0 (30 with a code); 30 aged 4+, 30 took part, 100%: the 3 is small, and
    # alone it would be 30 less the shown parts, so the smallest shown part (12) goes too; the total stays
    # (the hidden 15 are not one alone and not fewer than 10); the worked-out columns go.
    table = Table("t", ("Year", *(f"PN{n}" for n in range(8)), "Total", "4+", "Took part", "%"),
                  [("2024-25", 0, 12, 3, 0, 0, 0, 15, 0, 30, 30, 30, 100.0)],
                  partitions=((tuple(range(1, 9)), 9),), derived=(10, 11, 12))
    assert suppress_table(table, 10).rows == [("2024-25", 0, NOT, FEW, 0, 0, 0, 15, 0, 30, NOT, NOT, NOT)]


def test_the_total_row_does_not_give_a_hidden_band_away(app):
    # Returned by band: 3, 12, 15 (total 30): the 3 is hidden, and the total less the shown bands would give
    # it, so the total's cell is not shown; the rates of the rows with a hidden cell go.
    table = Table("t", ("Age", "Reviews", "Returned", "Rate"),
                  [("4 to 7", 20, 3, 15.0), ("8 to 11", 20, 12, 60.0), ("12 to 17", 20, 15, 75.0),
                   ("Total", 60, 30, 50.0)], derived=(3,), total_row=True)
    assert suppress_table(table, 10).rows == [("4 to 7", 20, FEW, NOT), ("8 to 11", 20, 12, 60.0),
                                              ("12 to 17", 20, 15, 75.0), ("Total", 60, NOT, NOT)]


def test_two_small_parts_that_together_reach_the_threshold_keep_their_total(app):
    # Raised 12 = acknowledged 9 + open 3: both small, together 12: the total stays; the times go.
    table = Table("t", ("Raised", "Acknowledged", "Open", "Median"), [(12, 9, 3, 45)], partitions=(((1, 2), 0),),
                  derived=(3,))
    assert suppress_table(table, 10).rows == [(12, FEW, FEW, NOT)]
    # Nothing small: nothing hidden, the times shown.
    table = Table("t", ("Raised", "Acknowledged", "Open", "Median"), [(30, 20, 10, 45)], partitions=(((1, 2), 0),),
                  derived=(3,))
    assert suppress_table(table, 10).rows == [(30, 20, 10, 45)]


def _reviews():
    iro = f.staff("iro")
    manager = f.staff("manager")
    for number in range(14):
        child = f.child(iro, age=12)
        when = datetime(2024, 5, 1 + number, 10, tzinfo=UTC)
        f.review(child, status="held", meeting_at=when, held_at=when,
                 participation_code="PN7" if number < 3 else "PN1")
    db.session.commit()
    return manager


def test_the_administrators_choice_hides_them_on_the_page_and_in_the_csv(app, client):
    manager = _reviews()
    f.sign_in(client, manager)
    shown = client.get("/insights?year=2024").get_data(as_text=True)
    assert "svg" in shown and FEW not in shown.split('id="section-participation"')[1].split("</section>")[0]
    rows = list(csv.reader(io.StringIO(client.get("/insights/participation/by_year.csv?year=2024")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[-1][:10] == ["2024-25", "0", "11", "0", "0", "0", "0", "0", "3", "14"]

    authority = authority_settings()
    authority.suppress_service_counts = True
    db.session.commit()
    page = client.get("/insights?year=2024").get_data(as_text=True)
    part = page.split('id="section-participation"')[1].split("</section>")[0]
    assert FEW in part and NOT in part and "<svg" not in part and "as the administrator chose" in part
    rows = list(csv.reader(io.StringIO(client.get("/insights/participation/by_year.csv?year=2024")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    # PN7's 3 is small; alone it would be 14 less PN1's 11, so PN1 goes too; 14 stays (3 + 11 is not small).
    assert rows[-1][:10] == ["2024-25", "0", NOT, "0", "0", "0", "0", "0", FEW, "14"]
    pack = client.get("/insights/report?year=2024").get_data(as_text=True)
    assert FEW in pack and ">11<" not in pack.split('id="section-participation"')[1].split("</section>")[0]


def test_the_administrator_turns_it_on_in_the_settings(app, client):
    admin = f.staff("admin")
    db.session.commit()
    f.sign_in(client, admin)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "own counts too" in page and 'name="suppress_service_counts"' in page
    data = {"csrf_token": f.csrf_token(client, "/admin/settings"), "name": "Example Council",
            "invitation_working_days": 10, "record_working_days": 20, "suppression_threshold": 10,
            "suppress_service_counts": "y", "staff_idle_minutes": 30, "booklet_idle_minutes": 10,
            "urgent_escalation_working_hours": 4, "set_password_link_hours": 24, "feedback_reminder_working_days": 5,
            "handover_minutes": 15}
    assert client.post("/admin/settings", data=data).status_code == 303
    db.session.expire_all()
    assert authority_settings().suppress_service_counts is True
    data.pop("suppress_service_counts")
    assert client.post("/admin/settings", data=data).status_code == 303
    db.session.expire_all()
    assert authority_settings().suppress_service_counts is False
