"""The DfE's SSDA903 reviews file: export a year's held reviews, import past years' files as history.

A council sends the DfE one row per review: `CHILD` (the council's id for the child), `DOB`, `REVIEW` (the
review's date) and `REVIEW_CODE` (PN0-PN7), dates written dd/mm/yyyy. Exporting a year writes the portal's
held reviews in that year (1 April to 31 March, by the day in England) and any imported ones, oldest first.

Importing reads the whole file first and stores nothing unless every row is good: a bad row (an unknown code,
an impossible date, a review before birth or in the future, PN0 for a child aged 4 or more on the review day,
another code for a child under 4, the same review twice, a review the portal already holds) is listed back
with its line number, and nothing is imported. The caller commits.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal.audit import record_event
from portal.extensions import db
from portal.insights.models import Import903, ImportedReview
from portal.reviews.dates import ReportingYear, age_on
from portal.reviews.models import PN_CODES, Child, Review
from portal.reviews.participation import PN0_UNDER_AGE
from portal.timeutil import LONDON, london_date, today

COLUMNS = ("CHILD", "DOB", "REVIEW", "REVIEW_CODE")
DATE_FORMAT = "%d/%m/%Y"
# A file bigger than this is not a reviews file (a large council has about 4,000 reviews a year).
MAX_BYTES = 5 * 1024 * 1024
MAX_CHILD_REF = 40
# The portal's id for a child with no case reference, in the CHILD column.
PORTAL_REF_PREFIX = "MR"


@dataclass(frozen=True)
class Row903:
    child: str
    dob: date
    review: date
    code: str

    def as_cells(self) -> tuple[str, str, str, str]:
        return self.child, self.dob.strftime(DATE_FORMAT), self.review.strftime(DATE_FORMAT), self.code


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class Parsed:
    rows: list[tuple[int, Row903]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the import (None when nothing was imported) and every error found."""

    imported: Import903 | None
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return self.imported is not None and not self.errors


# --- Reading a file ------------------------------------------------------------------------------

def decode(data: bytes) -> str:
    """A file as text: UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel saves CSV."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _date(text: str) -> date | None:
    text = text.strip()
    try:
        return datetime.strptime(text, DATE_FORMAT).date()
    except ValueError:
        return None


def _row(line: int, cells: dict[str, str], on: date) -> tuple[Row903 | None, list[RowError]]:
    errors = []
    child = (cells.get("CHILD") or "").strip()
    if not child:
        errors.append(RowError(line, _("CHILD is empty")))
    elif len(child) > MAX_CHILD_REF:
        errors.append(RowError(line, _("CHILD is longer than %(num)d characters", num=MAX_CHILD_REF)))
    dob, review = _date(cells.get("DOB") or ""), _date(cells.get("REVIEW") or "")
    if dob is None:
        errors.append(RowError(line, _("DOB '%(value)s' is not a real date written dd/mm/yyyy",
                                       value=(cells.get("DOB") or "").strip())))
    if review is None:
        errors.append(RowError(line, _("REVIEW '%(value)s' is not a real date written dd/mm/yyyy",
                                       value=(cells.get("REVIEW") or "").strip())))
    code = (cells.get("REVIEW_CODE") or "").strip().upper()
    if code not in PN_CODES:
        errors.append(RowError(line, _("REVIEW_CODE '%(value)s' is not one of PN0 to PN7",
                                       value=(cells.get("REVIEW_CODE") or "").strip())))
    if dob is not None and review is not None:
        if review < dob:
            errors.append(RowError(line, _("REVIEW is before DOB")))
        elif review > on:
            errors.append(RowError(line, _("REVIEW is in the future")))
        elif code in PN_CODES:
            age = age_on(dob, review)
            if code == "PN0" and age >= PN0_UNDER_AGE:
                errors.append(RowError(line, _("PN0 is for children under 4, and this child was %(age)d on the "
                                               "review date", age=age)))
            elif code != "PN0" and age < PN0_UNDER_AGE:
                errors.append(RowError(line, _("A child under 4 on the review date has the code PN0")))
    if errors:
        return None, errors
    return Row903(child, dob, review, code), []


def parse(text: str, on: date | None = None) -> Parsed:
    """Every row of a reviews file, or what is wrong with it, by line number (the header is line 1)."""
    on = on or today()
    parsed = Parsed()
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        parsed.errors.append(RowError(1, _("The file is empty")))
        return parsed
    names = [name.strip().upper() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        parsed.errors.append(RowError(1, _("The first line must name the columns %(columns)s; missing: %(missing)s",
                                           columns=", ".join(COLUMNS), missing=", ".join(missing))))
        return parsed
    seen: dict[tuple[str, date], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row, errors = _row(line, dict(zip(names, cells, strict=False)), on)
        parsed.errors.extend(errors)
        if row is None:
            continue
        key = (row.child.upper(), row.review)
        if key in seen:
            parsed.errors.append(RowError(line, _("The same review as line %(line)d", line=seen[key])))
            continue
        seen[key] = line
        parsed.rows.append((line, row))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(2, _("The file has no reviews")))
    return parsed


# --- Importing -----------------------------------------------------------------------------------

def child_ref(child: Child) -> str:
    """The child's id in the CHILD column: the council's case reference, else the portal's own id."""
    return (child.case_reference or "").strip() or f"{PORTAL_REF_PREFIX}{child.id}"


def _day_starts(day: date) -> datetime:
    """Midnight in England at the start of a day, as an instant."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def _already_held(rows: list[tuple[int, Row903]]) -> list[RowError]:
    """Rows naming a review the portal holds already (imported before, or held here)."""
    if not rows:
        return []
    refs = {row.child.upper() for _line, row in rows}
    dates = [row.review for _line, row in rows]
    known: set[tuple[str, date]] = set()
    for ref, day in db.session.execute(
            db.select(ImportedReview.child_ref, ImportedReview.review_date)
            .where(ImportedReview.review_date.between(min(dates), max(dates)))):
        known.add((ref.upper(), day))
    imported = {key for key in known if key[0] in refs}
    held_at = db.func.coalesce(Review.held_at, Review.meeting_at)
    window = db.select(Review).join(Child).where(
        Review.status == "held", held_at >= _day_starts(min(dates)),
        held_at < _day_starts(max(dates) + timedelta(days=1)))
    held = {(child_ref(review.child).upper(), london_date(review.held_at or review.meeting_at))
            for review in db.session.scalars(window) if child_ref(review.child).upper() in refs}
    errors = []
    for line, row in rows:
        key = (row.child.upper(), row.review)
        if key in imported:
            errors.append(RowError(line, _("This review was imported before")))
        elif key in held:
            errors.append(RowError(line, _("This review is already recorded in the portal")))
    return errors


def import_file(data: bytes, filename: str = "", imported_by_id: int | None = None,
                on: date | None = None) -> ImportResult:
    """Import a reviews file whole, or nothing: the result lists every bad row by its line."""
    if len(data) > MAX_BYTES:
        return ImportResult(None, (RowError(0, _("The file is larger than %(num)d MB", num=MAX_BYTES // 2 ** 20)),))
    parsed = parse(decode(data), on=on)
    errors = parsed.errors + _already_held(parsed.rows)
    if errors:
        return ImportResult(None, tuple(sorted(errors, key=lambda error: error.line)))
    days = [row.review for _line, row in parsed.rows]
    source = Import903(filename=(filename or "")[:200], imported_by_id=imported_by_id, rows=len(parsed.rows),
                       first_review=min(days), last_review=max(days))
    source.reviews = [ImportedReview(child_ref=row.child, date_of_birth=row.dob, review_date=row.review,
                                     review_code=row.code) for _line, row in parsed.rows]
    try:
        with db.session.begin_nested():
            db.session.add(source)
    except IntegrityError:
        # Imported by someone else at the same moment: nothing of this file is kept.
        return ImportResult(None, (RowError(0, _("These reviews were imported meanwhile by someone else")),))
    record_event("dfe903_imported", "import_903", source.id, detail=str(source.rows))
    return ImportResult(source, ())


# --- Exporting -----------------------------------------------------------------------------------

def year_rows(year: ReportingYear) -> list[Row903]:
    """The year's reviews as the DfE file lists them: held here, and imported; oldest first."""
    rows = []
    held = db.session.scalars(
        db.select(Review).join(Child)
        .where(Review.status == "held", Review.participation_code.is_not(None),
               db.func.coalesce(Review.held_at, Review.meeting_at) >= year.starts_at(),
               db.func.coalesce(Review.held_at, Review.meeting_at) < year.ends_at()))
    for review in held:
        rows.append(Row903(child_ref(review.child), review.child.date_of_birth,
                           london_date(review.held_at or review.meeting_at), review.participation_code))
    imported = db.session.scalars(db.select(ImportedReview).where(
        ImportedReview.review_date.between(year.first_day, year.last_day)))
    rows += [Row903(r.child_ref, r.date_of_birth, r.review_date, r.review_code) for r in imported]
    return sorted(rows, key=lambda row: (row.review, row.child))


def held_without_code(year: ReportingYear) -> int:
    """Held reviews in the year with no participation code recorded: they cannot go in the file."""
    return db.session.scalar(db.select(db.func.count(Review.id)).where(
        Review.status == "held", Review.participation_code.is_(None),
        db.func.coalesce(Review.held_at, Review.meeting_at) >= year.starts_at(),
        db.func.coalesce(Review.held_at, Review.meeting_at) < year.ends_at()))


def file_cells(rows: Iterable[Row903]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """(header, rows) for a CSV download (portal.exports guards each cell)."""
    return COLUMNS, [row.as_cells() for row in rows]
