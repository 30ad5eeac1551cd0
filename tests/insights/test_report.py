"""The annual-report pack (HTML and PDF): every section, a chart, the chosen quotes, no names, the audit.

Fixed data, 2024-25 (figures worked out by hand, threshold 10, notice 10 working days, letters 20):
- Anna (IRO, North) has Zed Latename, aged 12, in care from Tuesday 2 April 2024. One review, held Wednesday
  31 July 2024 at 10:00 UTC, code PN1. It is the first review, due 20 working days after 2 April = 30 April:
  late by 92 days. No booklet invitation: late ("never sent"). No letter (due 29 August 2024, long past): late.
  So the dashboard's late list names Zed Latename; the pack must not.
- Participation 2024-25: 1 review, PN1 1 (100%), took part 1 of 1 (100%).
- On time (the timeliness table, as the pack prints it): reg 33 counted 1, on time 0, late 1, 0 missing,
  0.0%, 0 not counted; invitations 1, 0, 1, 1 never sent, 0.0%, 0; letters 1, 0, 1, 1 not issued, 0.0%, 0.
- Feedback: ten young people's forms for the review, each with a comment (positive); the first chosen to quote
  as "<b>My IRO</b> listened & cared". Ten comments reach the threshold, so the group is shown with its quote,
  printed as text (the markup escaped), once, in "In their own words".
"""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import UTC, date, datetime

import pytest
from markupsafe import escape

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.feedback import questions as forms
from portal.feedback.models import FeedbackAnswer, FeedbackResponse
from portal.insights.sections import sections
from tests import factories as f

QUOTE = "<b>My IRO</b> listened & cared"
NAME = "Zed Latename"


@pytest.fixture
def world(app):
    north = f.team("North")
    anna, manager = f.staff("iro", team=north, name="Anna Jones"), f.staff("manager")
    zed = f.child(anna, age=12, preferred_name=NAME, case_reference="ZL-9", came_into_care=date(2024, 4, 2))
    held = datetime(2024, 7, 31, 10, tzinfo=UTC)
    review = f.review(zed, status="held", meeting_at=held, held_at=held, participation_code="PN1")
    version = forms.current_version("young_person")
    for number in range(10):
        response = FeedbackResponse(review_id=review.id, group="young_person", meeting_kind="subsequent",
                                    form_version_id=version.id, week_starting=date(2024, 8, 5))
        response.answers.append(FeedbackAnswer(
            question_key="anything_else", state="answered", value_text="It was good.", sentiment=0.5,
            fit_to_quote=number == 0, quote=QUOTE if number == 0 else None))
        db.session.add(response)
    db.session.commit()
    return {"anna": anna, "manager": manager, "north": north}


def _titles() -> list[str]:
    return [str(item.title) for item in sections()]


def test_the_html_pack_has_every_section_a_chart_and_the_quote_but_no_names(world, client):
    f.sign_in(client, world["manager"])
    dashboard = client.get("/insights?year=2024").get_data(as_text=True)
    assert NAME in dashboard  # the dashboard lists the late review by name (so the next check means something)
    assert "/insights/report?year=2024" in dashboard and "/insights/report.pdf?year=2024" in dashboard
    response = client.get("/insights/report?year=2024")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "<h1 class=\"report-title\">IRO service annual report: figures for 2024-25</h1>" in text
    assert "1 April 2024 to 31 March 2025" in text
    assert 'href="/insights?year=2024"' in text and 'href="/insights/report.pdf?year=2024"' in text
    for title in [*_titles(), "In their own words: comments chosen to quote", "About these figures"]:
        # In the contents and as the heading (a translated title is printed as it is, our own words).
        assert text.count(title) + text.count(str(escape(title))) >= 2, title
    assert '<svg class="portal-chart" id="chart-took-part"' in text and 'fill="#1d70b8"' in text
    # Participation: PN1 1 of 1.
    assert "1 of 1" in text
    # Timeliness printed from its table: counts only.
    assert ("<th scope=\"row\" class=\"govuk-table__header\">Reviews held within the reg 33 intervals</th>"
            in text)
    row = text[text.index("Reviews held within the reg 33 intervals</th>"):]
    row = row[:row.index("</tr>")]
    assert [cell.split(">")[1] for cell in row.split("<td")[1:]] == ["1</td", "0</td", "1</td", "0</td", "0.0</td",
                                                                      "0</td"]
    # The quote, escaped, once (the feedback section's own copy is left out of the pack).
    assert text.count("&lt;b&gt;My IRO&lt;/b&gt; listened &amp; cared") == 1 and "<b>My IRO</b>" not in text
    assert NAME not in text and "ZL-9" not in text and "Anna Jones" not in text
    assert "fewer than 10" in text and "PN0: " in text
    css = client.get("/insights/report.css")
    assert css.status_code == 200 and css.mimetype == "text/css" and b"@page" in css.data


def test_the_html_pack_for_a_team_names_it(world, client):
    f.sign_in(client, world["manager"])
    text = client.get(f"/insights/report?year=2024&team={world['north'].id}").get_data(as_text=True)
    assert "<dt>Team</dt><dd>North</dd>" in text and NAME not in text
    assert client.get("/insights/report?team=999999").status_code == 404


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_pdf_pack(world, client, tmp_path):
    f.sign_in(client, world["manager"])
    started = time.perf_counter()
    response = client.get("/insights/report.pdf?year=2024")
    seconds = time.perf_counter() - started
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="iro-annual-report-2024-25.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "IRO service annual report: figures for 2024-25" in text
    for title in _titles():
        assert title in text, title
    assert "1 of 1" in text and "100%" in text
    assert QUOTE in text  # the markup is text
    assert NAME not in text and "ZL-9" not in text
    assert seconds < 20


def test_the_audit_records_each_pack(world, client):
    f.sign_in(client, world["manager"])
    client.get("/insights/report?year=2024")
    client.get("/insights/report.pdf?year=2024&quarter=2")
    details = [event.detail for event in db.session.scalars(
        db.select(AuditEvent).filter_by(action="insights_report").order_by(AuditEvent.id))]
    assert details == ["html 2024-04-01..2025-03-31 team=None iro=None", "pdf 2024-07-01..2024-09-30 team=None iro=None"]


def test_an_iro_and_an_administrator_get_no_pack(world, client):
    f.sign_in(client, world["anna"])
    for url in ("/insights/report", "/insights/report.pdf", "/insights/report.css"):
        assert client.get(url).status_code == 403, url
    assert "/insights/report" not in client.get("/insights?year=2024").get_data(as_text=True)
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="insights_report")) is None
