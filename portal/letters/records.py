"""The letter out to the case record (Mosaic, Liquidlogic, Eclipse): a small record per review, as JSON or CSV,
beside the issued letter as PDF.

The record holds the review (its date, number, participation code and chairing), the letter's issued
version, the actions (what, who, by when) and the next review's date: the planned one, else the latest
day the statutory rules allow (as `services.next_review_text` finds it, but as a date). JSON gives ISO
dates; CSV gives dd/mm/yyyy, one row per action, every cell made inert for spreadsheets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.letters.models import LetterVersion
from portal.letters.services import latest_issued
from portal.reviews.dates import BankHolidayDataExhausted, review_due_date
from portal.reviews.models import Review
from portal.reviews.workspace import held_date, held_reviews, planned_reviews
from portal.timeutil import london_date

CSV_HEADER = ("case_reference", "review_date", "review_number", "participation_code", "chairing",
              "letter_version", "letter_issued", "next_review_date", "next_review_kind",
              "action_number", "action_what", "action_who", "action_by_when")
UK_DATE = "%d/%m/%Y"


@dataclass(frozen=True)
class NextReview:
    day: date
    kind: str  # "planned" (a meeting is booked) or "due" (the latest day the rules allow)


def next_review(review: Review) -> NextReview | None:
    """The child's next review after this one: the planned meeting's day, else the statutory due date."""
    child = review.child
    day = held_date(review)
    later = [r for r in planned_reviews(child) if r.id != review.id and london_date(r.meeting_at) > day]
    if later:
        return NextReview(london_date(later[0].meeting_at), "planned")
    held_so_far = [r for r in held_reviews(child) if held_date(r) <= day]
    try:
        due = review_due_date(came_into_care=child.came_into_care, previous_review_held=day,
                              reviews_held=max(len(held_so_far), 1))
    except BankHolidayDataExhausted:
        return None
    return NextReview(due, "due")


@dataclass(frozen=True)
class LetterRecord:
    review: Review
    version: LetterVersion
    next_review: NextReview | None

    @property
    def issued_on(self) -> date:
        return london_date(self.version.issued_at)


def letter_record(review: Review) -> LetterRecord | None:
    """The record of a held review's latest issued letter, or None when no letter has been issued."""
    if review.status != "held":
        return None
    version = latest_issued(review)
    if version is None:
        return None
    return LetterRecord(review=review, version=version, next_review=next_review(review))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _uk(day: date | None) -> str:
    return day.strftime(UK_DATE) if day else ""


def as_json(record: LetterRecord) -> dict:
    review, version = record.review, record.version
    return {
        "case_reference": review.child.case_reference or None,
        "review_id": review.id,
        "review_date": _iso(held_date(review)),
        "review_number": review.number,
        "participation_code": review.participation_code,
        "chairing": review.chairing,
        "letter_version": version.number,
        "letter_issued": _iso(record.issued_on),
        "actions": [{"what": action.what, "who": action.who, "by_when": _iso(action.by_when)}
                    for action in version.actions],
        "next_review_date": _iso(record.next_review.day) if record.next_review else None,
        "next_review_kind": record.next_review.kind if record.next_review else None,
    }


def csv_rows(record: LetterRecord) -> list[list]:
    """One row per action (the review's columns repeated); one row with empty action columns when there are none."""
    review, version = record.review, record.version
    common = [review.child.case_reference or "", _uk(held_date(review)), review.number,
              review.participation_code or "", review.chairing or "", version.number, _uk(record.issued_on),
              _uk(record.next_review.day) if record.next_review else "",
              record.next_review.kind if record.next_review else ""]
    if not version.actions:
        return [[*common, "", "", "", ""]]
    return [[*common, number, action.what, action.who, _uk(action.by_when)]
            for number, action in enumerate(version.actions, start=1)]
