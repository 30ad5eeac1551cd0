"""The letter out to the case record: JSON and CSV per review, and the issued letter as PDF, for the child's IRO
and managers only."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.letters import records, services
from portal.timeutil import LONDON
from tests import factories as f
from tests.letters.test_reading import held_review, issue_letter


def _review_with_letter(**fields):
    review, iro = held_review(case_reference="MOS-0042")
    version = services.draft(review, iro)
    services.save_draft(version, version.version_counter, going_well="Doing well.")
    services.set_actions(version, [("Visit Nana", "Your social worker", date(2026, 12, 20)),
                                   ('=HYPERLINK("http://evil.example","x")', "@Mum", None)])
    services.issue(version, iro)
    db.session.commit()
    return review, iro


def _base(review_id: int) -> str:
    return f"/reviews/{review_id}/letter"


def test_the_json_record(client):
    review, iro = _review_with_letter()
    f.sign_in(client, iro)
    response = client.get(f"{_base(review.id)}/record.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    body = json.loads(response.data)
    held = review.held_at.astimezone(LONDON).date().isoformat()
    assert body["case_reference"] == "MOS-0042"
    assert body["review_date"] == held and body["review_number"] == "subsequent"
    assert body["participation_code"] == "PN1" and body["chairing"] == "chaired"
    assert body["letter_version"] == 1 and body["letter_issued"] is not None
    assert body["actions"] == [
        {"what": "Visit Nana", "who": "Your social worker", "by_when": "2026-12-20"},
        {"what": '=HYPERLINK("http://evil.example","x")', "who": "@Mum", "by_when": None}]
    # The next review: nothing planned, so the latest day the rules allow (reg 33), as a date.
    assert body["next_review_kind"] == "due"
    assert date.fromisoformat(body["next_review_date"]) > date.fromisoformat(held)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="letter_record_exported"))
    assert event.detail.startswith("json") and event.staff_user_id == iro.id


def test_a_planned_next_review_gives_its_date(client):
    review, iro = _review_with_letter()
    f.review(review.child, meeting_at=datetime(2027, 3, 4, 10, tzinfo=LONDON))
    db.session.commit()
    f.sign_in(client, iro)
    body = json.loads(client.get(f"{_base(review.id)}/record.json").data)
    assert body["next_review_date"] == "2027-03-04" and body["next_review_kind"] == "planned"


def test_the_csv_record_guards_formulas_and_gives_uk_dates(client):
    review, _iro = _review_with_letter()
    manager = f.staff("manager")
    db.session.commit()
    f.sign_in(client, manager)
    response = client.get(f"{_base(review.id)}/record.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert tuple(rows[0]) == records.CSV_HEADER
    first, second = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert first["case_reference"] == "MOS-0042" and first["action_what"] == "Visit Nana"
    assert first["action_by_when"] == "20/12/2026"
    assert first["review_date"] == review.held_at.astimezone(LONDON).strftime("%d/%m/%Y")
    assert second["action_what"] == '\'=HYPERLINK("http://evil.example","x")'
    assert second["action_who"] == "'@Mum" and second["action_by_when"] == ""
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="letter_record_exported"))
    assert event.detail.startswith("csv") and event.staff_user_id == manager.id


def test_the_letter_pdf_for_the_record(client):
    review, iro = _review_with_letter()
    f.sign_in(client, iro)
    response = client.get(f"{_base(review.id)}/letter.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]


def test_no_issued_letter_no_record(client):
    review, iro = held_review()
    services.draft(review, iro)
    db.session.commit()
    f.sign_in(client, iro)
    for suffix in ("record.json", "record.csv", "letter.pdf"):
        assert client.get(f"{_base(review.id)}/{suffix}").status_code == 404
    assert client.get(f"{_base(999999)}/record.json").status_code == 404


def test_another_iro_and_an_administrator_cannot_export(client):
    review, _iro = _review_with_letter()
    other = f.staff("iro")
    db.session.commit()
    f.sign_in(client, other)
    for suffix in ("record.json", "record.csv", "letter.pdf"):
        assert client.get(f"{_base(review.id)}/{suffix}").status_code == 404
    assert not db.session.scalars(db.select(AuditEvent).filter_by(action="letter_record_exported")).all()


def test_an_administrator_is_refused_and_a_stranger_signs_in(client):
    review, _iro = _review_with_letter()
    assert client.get(f"{_base(review.id)}/record.json").status_code in (302, 401)
    admin = f.staff("admin")
    db.session.commit()
    f.sign_in(client, admin)
    assert client.get(f"{_base(review.id)}/record.json").status_code == 403


def test_the_record_of_a_correction_is_the_latest_version(app):
    review, iro = held_review()
    issue_letter(review, iro, versions=2)
    record = records.letter_record(review)
    assert record.version.number == 2
    assert records.as_json(record)["letter_version"] == 2
    held = datetime.combine(review.held_at.astimezone(LONDON).date(), time(0))
    assert records.csv_rows(record)[0][1] == held.strftime("%d/%m/%Y")
