"""The letter out to the case record: the IRO of the child, or a manager, downloads per review the small
record (JSON or CSV) and the issued letter as PDF. 404 when no letter has been issued (or the review is
not theirs to see)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify

from portal.audit import record_event
from portal.exports import csv_download
from portal.extensions import db
from portal.letters import records
from portal.letters.pdf import letter_pdf as make_pdf
from portal.letters.reading import pdf_response
from portal.reviews.models import Review
from portal.security import IRO, MANAGER, load_or_404, role_required

bp = Blueprint("letter_records", __name__)


def _record(review_id: int) -> records.LetterRecord:
    record = records.letter_record(load_or_404(Review, review_id))
    if record is None:
        abort(404)
    return record


def _exported(record: records.LetterRecord, kind: str) -> None:
    record_event("letter_record_exported", "review", record.review.id, detail=f"{kind} v{record.version.number}")
    db.session.commit()


@bp.get("/reviews/<int:review_id>/letter/record.json")
@role_required(IRO, MANAGER)
def record_json(review_id: int):
    record = _record(review_id)
    body = records.as_json(record)
    _exported(record, "json")
    response = jsonify(body)
    response.headers["Content-Disposition"] = f'attachment; filename="letter-record-review-{review_id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/reviews/<int:review_id>/letter/record.csv")
@role_required(IRO, MANAGER)
def record_csv(review_id: int):
    record = _record(review_id)
    rows = records.csv_rows(record)
    _exported(record, "csv")
    return csv_download(f"letter-record-review-{review_id}.csv", records.CSV_HEADER, rows)


@bp.get("/reviews/<int:review_id>/letter/letter.pdf")
@role_required(IRO, MANAGER)
def letter_pdf(review_id: int):
    record = _record(review_id)
    body = make_pdf(record.version, record.review)
    _exported(record, "pdf")
    response = pdf_response(body)
    response.headers["Content-Disposition"] = f'attachment; filename="letter-review-{review_id}.pdf"'
    return response
