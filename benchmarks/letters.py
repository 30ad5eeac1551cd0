"""The letter to the child: seconds per PDF and the reading page's weight: `python -m benchmarks.letters`
(run by `make bench`).

Builds the portal on a throwaway SQLite database with the demo data, then
- makes a two-page letter (every part written out, eight actions) and times WeasyPrint making its PDF, as the
  child's "Download as PDF" does: one warm-up (fonts load once per process), then the median and the slowest
  of ten. Goal: at most 0.5 s for a two-page letter;
- opens the demo child's letter link as a child would (pressing Start) and weighs the reading page and
  everything a first visit downloads, compressed, against the booklet's goals (HTML ≤ 14 KB, first visit
  ≤ 60 KB).
Writes the "letters" section of bench/results.json. Always exits 0: it is a report.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.page_weight import _build_app, _demo_links, _fetch, _first_visit, _press_start
from benchmarks.results import report_step

HERE = Path(__file__).resolve().parent
PDF_GOAL_SECONDS = 0.5
RUNS = 10

PARAGRAPH = ("You told us that you like living with Sam and Jo, and that you want to see your brother more. "
             "You said school is going well and that art is your favourite lesson.\n\n"
             "Your carers said you have settled in well. They are proud of how you help at home.\n\n")


def _two_page_letter(app):
    """A held review with a long issued letter; returns (version id, review id)."""
    from portal.extensions import db
    from portal.letters import services
    from portal.reviews.models import Review
    from portal.staff.models import StaffUser
    from portal.timeutil import utcnow

    with app.app_context():
        review = db.session.scalar(db.select(Review).where(Review.status == "planned").limit(1))
        iro = db.session.get(StaffUser, review.iro_id)
        review.status, review.held_at = "held", utcnow() - timedelta(days=2)
        review.meeting_at = review.held_at
        review.participation_code, review.chairing = "PN1", "attended"
        db.session.flush()
        version = services.draft(review, iro)
        saved = services.save_draft(version, version.version_counter,
                                    who_came="You\nYour carers, Sam and Jo\nYour social worker, Amir\nYour teacher",
                                    what_you_told_us=PARAGRAPH * 2, going_well=PARAGRAPH * 2, worries=PARAGRAPH)
        services.set_actions(saved.version, [(f"Action number {n}: something that will happen for you",
                                              "Your social worker", None) for n in range(1, 9)])
        services.issue(saved.version, iro)
        db.session.commit()
        return saved.version.id, review.id


def _page_count(data: bytes) -> int | None:
    """Pages in a PDF, by poppler's pdfinfo (WeasyPrint compresses the page objects, so they cannot be counted
    in the bytes); None where poppler-utils is missing."""
    import re
    import shutil
    import subprocess

    if not shutil.which("pdfinfo"):
        return None
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=False).stdout.decode()
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(match.group(1)) if match else None


def _time_pdf(app, version_id: int, review_id: int) -> dict:
    from portal.extensions import db
    from portal.letters.models import LetterVersion
    from portal.letters.pdf import letter_pdf
    from portal.reviews.models import Review

    timings, pages, size = [], None, None
    with app.test_request_context("/letter.pdf"):
        version, review = db.session.get(LetterVersion, version_id), db.session.get(Review, review_id)
        first_start = time.perf_counter()
        data = letter_pdf(version, review)
        first = time.perf_counter() - first_start
        for _ in range(RUNS):
            start = time.perf_counter()
            data = letter_pdf(version, review)
            timings.append(time.perf_counter() - start)
        pages = _page_count(data)
        size = len(data)
    median = statistics.median(timings)
    return {"first_seconds": round(first, 3), "median_seconds": round(median, 3),
            "slowest_seconds": round(max(timings), 3), "runs": RUNS, "pages": pages, "bytes": size,
            "goal_seconds": PDF_GOAL_SECONDS, "pass": median <= PDF_GOAL_SECONDS}


def _reading_page(app, links: list[dict]) -> dict:
    link = next((item for item in links if item["kind"] == "letter"), None)
    if link is None:
        return {"error": "flask demo lists no letter link"}
    client = app.test_client()
    landed = _press_start(client, link)
    page, html = _fetch(client, landed, "html")
    if page.status != 200:
        return {"error": f"{landed} answered {page.status}"}
    visit = _first_visit(client, page, html)
    return {"page": urlsplit(landed).path, "html_served_bytes": page.served_bytes,
            "first_visit_served_bytes": visit["first_visit_served_bytes"], "goals": visit["goals"]}


def measure() -> dict:
    with tempfile.TemporaryDirectory(prefix="letters-bench-") as tmp:
        app = _build_app(Path(tmp))
        links = _demo_links(app)
        reading = _reading_page(app, links)
        version_id, review_id = _two_page_letter(app)
        return {"pdf": _time_pdf(app, version_id, review_id), "reading_page": reading}


def report(result: dict) -> str:
    pdf, reading = result["pdf"], result["reading_page"]
    lines = [f"Letter PDF ({pdf['pages']} pages, {pdf['bytes'] / 1024:.0f} KB): median {pdf['median_seconds']} s, "
             f"slowest {pdf['slowest_seconds']} s of {pdf['runs']} (first in the process {pdf['first_seconds']} s); "
             f"goal ≤ {pdf['goal_seconds']} s  {'PASS' if pdf['pass'] else 'OVER'}"]
    if reading.get("error"):
        lines.append(f"Reading page: not measured ({reading['error']})")
    else:
        goals = reading["goals"]
        lines.append(f"Reading page {reading['page']}: HTML {reading['html_served_bytes'] / 1024:.1f} KB "
                     f"({'PASS' if goals['html_pass'] else 'OVER'}), first visit "
                     f"{reading['first_visit_served_bytes'] / 1024:.1f} KB "
                     f"({'PASS' if goals['first_visit_pass'] else 'OVER'}), compressed")
    return "\n".join(lines)


def main() -> int:
    return report_step("letters", "Letters", measure, report)


if __name__ == "__main__":
    sys.exit(main())
