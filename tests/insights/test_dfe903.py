"""The DfE SSDA903 reviews file: past years imported whole or not at all, a year exported as the DfE reads it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.insights import dfe903
from portal.insights.models import Import903, ImportedReview
from portal.reviews.dates import reporting_year
from tests import factories as f

ON = date(2026, 11, 30)
GOOD = """CHILD,DOB,REVIEW,REVIEW_CODE
C1001,14/02/2012,03/05/2023,PN1
C1002,01/09/2020,12/06/2023,PN0
C1003,29/02/2016,01/03/2024,PN6
C1001,14/02/2012,31/03/2024,PN7
"""


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_a_good_file_is_imported_whole(app):
    result = dfe903.import_file(GOOD.encode(), filename="reviews-2023-24.csv", on=ON)
    db.session.commit()
    assert result.ok and result.errors == ()
    assert result.imported.rows == 4
    assert (result.imported.first_review, result.imported.last_review) == (date(2023, 5, 3), date(2024, 3, 31))
    leap = db.session.scalar(db.select(ImportedReview).filter_by(child_ref="C1003"))
    assert (leap.date_of_birth, leap.review_date, leap.review_code) == (date(2016, 2, 29), date(2024, 3, 1), "PN6")
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="dfe903_imported")) is not None


def test_imported_then_exported_gives_the_same_rows(app):
    dfe903.import_file(GOOD.encode(), on=ON)
    db.session.commit()
    header, rows = dfe903.file_cells(dfe903.year_rows(reporting_year(date(2023, 4, 1))))
    assert header == ("CHILD", "DOB", "REVIEW", "REVIEW_CODE")
    assert sorted(rows) == sorted(tuple(row) for row in _rows(GOOD)[1:])


def test_a_bad_file_changes_nothing_and_lists_every_problem_by_line(app):
    bad = """CHILD,DOB,REVIEW,REVIEW_CODE
C1,14/02/2012,03/05/2023,PN1
C2,14/02/2012,31/02/2024,PN1
C3,01/01/2015,10/10/2023,PN9
C4,01/01/2018,10/10/2023,PN0
C5,01/01/2022,10/10/2023,PN2
C6,01/01/2015,01/01/2027,PN1
C7,01/01/2015,1/1/14,PN1
C1,14/02/2012,03/05/2023,PN1
,01/01/2015,10/10/2023,PN1
C8,01/01/2015,10/10/2013,PN1
"""
    result = dfe903.import_file(bad.encode(), on=ON)
    db.session.commit()
    assert not result.ok and result.imported is None
    by_line = {error.line: error.message for error in result.errors}
    assert set(by_line) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert "31/02/2024" in by_line[3]
    assert "PN9" in by_line[4]
    assert "PN0" in by_line[5] and "5" in by_line[5]
    assert "under 4" in by_line[6]
    assert "future" in by_line[7]
    assert "line 2" in by_line[9]
    assert "CHILD" in by_line[10]
    assert "before DOB" in by_line[11]
    assert _count(ImportedReview) == 0 and _count(Import903) == 0


def test_a_file_without_the_columns_is_refused_at_line_1(app):
    result = dfe903.import_file(b"ID,BIRTH,DATE\n1,2,3\n", on=ON)
    assert [error.line for error in result.errors] == [1]
    assert "REVIEW_CODE" in result.errors[0].message
    assert dfe903.import_file(b"", on=ON).errors[0].line == 1
    assert "no reviews" in dfe903.import_file(b"CHILD,DOB,REVIEW,REVIEW_CODE\n", on=ON).errors[0].message


def test_excel_files_are_read_with_or_without_a_byte_order_mark_and_in_windows_1252(app):
    assert dfe903.import_file(("\ufeff" + GOOD).encode("utf-8"), on=ON).ok
    windows = GOOD.replace("C100", "CÉ200").encode("cp1252")
    assert dfe903.import_file(windows, on=ON).ok
    db.session.commit()
    assert db.session.scalar(db.select(ImportedReview).filter_by(child_ref="CÉ2003")) is not None


def test_the_same_file_twice_imports_nothing_the_second_time(app):
    assert dfe903.import_file(GOOD.encode(), on=ON).ok
    db.session.commit()
    again = dfe903.import_file(GOOD.encode(), on=ON)
    assert not again.ok and len(again.errors) == 4
    assert all("imported before" in error.message for error in again.errors)
    assert _count(ImportedReview) == 4


def test_a_review_the_portal_holds_is_not_imported_again(app):
    iro = f.staff("iro")
    child = f.child(iro, case_reference="C77", date_of_birth=date(2012, 1, 1))
    held = datetime(2023, 7, 3, 9, tzinfo=UTC)
    f.review(child, status="held", meeting_at=held, held_at=held, participation_code="PN1")
    db.session.commit()
    result = dfe903.import_file(b"CHILD,DOB,REVIEW,REVIEW_CODE\nC77,01/01/2012,03/07/2023,PN1\n", on=ON)
    assert not result.ok and "already recorded" in result.errors[0].message


@pytest.mark.parametrize(("held_utc", "year"), [
    # 31 March 2026 is in British Summer Time: 22:30 UTC is 23:30 on 31 March, the last day of 2025-26 ...
    (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), 2025),
    # ... and 23:30 UTC is 00:30 on 1 April, the first day of 2026-27.
    (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), 2026),
])
def test_a_held_review_goes_in_the_year_of_its_day_in_england(app, held_utc, year):
    iro = f.staff("iro")
    child = f.child(iro, case_reference="  ", date_of_birth=date(2011, 5, 5))
    f.review(child, status="held", meeting_at=held_utc, held_at=held_utc, participation_code="PN6")
    f.review(child, status="held", meeting_at=held_utc.replace(month=2, day=2), held_at=held_utc.replace(month=2, day=2))
    db.session.commit()
    rows = dfe903.year_rows(reporting_year(date(year, 4, 1)))
    other = dfe903.year_rows(reporting_year(date(2025 if year == 2026 else 2026, 4, 1)))
    assert [row.as_cells() for row in rows] == [
        (f"MR{child.id}", "05/05/2011", "31/03/2026" if year == 2025 else "01/04/2026", "PN6")]
    assert other == []
    # The held review with no code recorded cannot go in the file, and the command says so.
    assert dfe903.held_without_code(reporting_year(date(2025, 4, 1))) == 1


def test_the_administrator_imports_a_file_on_the_upload_page(app, client):
    admin = f.staff("admin")
    db.session.commit()
    f.sign_in(client, admin)
    page = client.get("/insights/dfe903")
    assert page.status_code == 200 and "Files imported" in page.get_data(as_text=True)
    response = client.post("/insights/dfe903", data={
        "csrf_token": f.csrf_token(client, "/insights/dfe903"),
        "file": (io.BytesIO(GOOD.encode()), "reviews-2023-24.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303
    shown = client.get("/insights/dfe903").get_data(as_text=True)
    assert "Imported 4 reviews." in shown and "reviews-2023-24.csv" in shown
    assert _count(ImportedReview) == 4


def test_the_upload_page_lists_a_bad_files_problems_and_imports_nothing(app, client):
    admin = f.staff("admin")
    db.session.commit()
    f.sign_in(client, admin)
    response = client.post("/insights/dfe903", data={
        "csrf_token": f.csrf_token(client, "/insights/dfe903"),
        "file": (io.BytesIO(b"CHILD,DOB,REVIEW,REVIEW_CODE\nC1,01/01/2015,10/10/2023,PN8\n<b>x</b>,01/01/2015,"
                            b"30/02/2023,PN1\n"), "bad.csv")}, content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in text and "Line 2:" in text and "Line 3:" in text and "PN8" in text
    assert "<b>x</b>" not in text
    assert _count(ImportedReview) == 0
    empty = client.post("/insights/dfe903", data={"csrf_token": f.csrf_token(client, "/insights/dfe903")},
                        content_type="multipart/form-data")
    assert empty.status_code == 422 and "Choose a reviews file" in empty.get_data(as_text=True)


def test_a_manager_downloads_a_years_file_with_no_live_formula(app, client):
    dfe903.import_file(GOOD.replace("C1001", "=HYPERLINK(1)").encode(), on=ON)
    manager = f.staff("manager")
    db.session.commit()
    f.sign_in(client, manager)
    response = client.get("/insights/dfe903.csv?year=2023")
    assert response.status_code == 200
    assert "ssda903-reviews-2023-24.csv" in response.headers["Content-Disposition"]
    rows = _rows(response.get_data(as_text=True))
    assert rows[0] == ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]
    assert ["'=HYPERLINK(1)", "14/02/2012", "03/05/2023", "PN1"] in rows
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="dfe903_exported")) is not None


def test_the_commands_import_and_export(app, runner, tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text(GOOD, encoding="utf-8")
    imported = runner.invoke(args=["insights", "import-903", str(path)])
    assert imported.exit_code == 0, imported.output
    assert "Imported 4 reviews" in imported.output
    exported = runner.invoke(args=["insights", "export-903", "--year", "2023"])
    assert exported.exit_code == 0
    assert sorted(_rows(exported.output)[1:]) == sorted(_rows(GOOD)[1:])
    bad = tmp_path / "bad.csv"
    bad.write_text("CHILD,DOB,REVIEW,REVIEW_CODE\nC9,01/01/2015,10/10/2023,PN0\n", encoding="utf-8")
    refused = runner.invoke(args=["insights", "import-903", str(bad)])
    assert refused.exit_code == 1 and "line 2" in refused.output and "Nothing imported" in refused.output
