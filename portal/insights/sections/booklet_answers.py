"""What children said in their booklets: for the booklets returned for reviews meeting in the period, each
choice question's answers (faces and options) as counts and percentages, suppressed as opinion figures.

One GROUP BY over the booklet answer table (question key, option chosen) with the filters in the query; and,
for a narrowed view (a team, an IRO, part of a year), one more over the service's reporting year, so that the
whole less the narrowed figure cannot show a few children's answers.

A question asked in more than one booklet (the same key) is added up over them, with the wording and option
labels of the older children's booklet; the booklets that ask it are named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from portal.booklet.houses import THREE_HOUSES_PICTURES
from portal.booklet.models import Booklet, BookletAnswer
from portal.booklet.questions import MIDDLE, TEENS, THREE_HOUSES, VERSION_NAMES
from portal.extensions import db
from portal.insights import suppression
from portal.insights.filters import Filters, narrow
from portal.insights.sections.base import Result, Section, Table
from portal.reviews.dates import reporting_year
from portal.reviews.models import Review
from portal.timeutil import LONDON

# The older children's wording first: a question asked in several booklets takes the first set's words.
SETS = (TEENS, MIDDLE, THREE_HOUSES, THREE_HOUSES_PICTURES)
CHOICE_KINDS = frozenset({"choice", "faces", "rating", "yes_no_not_sure", "picture_choice"})


@dataclass
class Choice:
    key: str
    label: str
    count: int | str  # a number, or "fewer than N"
    percent: int | str  # a whole number, or "" when hidden


@dataclass
class QuestionAnswers:
    key: str
    prompt: str
    asked_in: str
    answered: int | str  # the children who answered it, or "fewer than N"
    hidden: bool  # the whole question (too few answers)
    choices: list[Choice]


def catalogue() -> list[tuple[str, str, list[tuple[str, str]], list[str]]]:
    """(key, prompt, [(option key, label)], [booklet versions asking it]) for every choice question."""
    found: dict[str, tuple[str, list[tuple[str, str]], list[str]]] = {}
    for question_set in SETS:
        for question in question_set.questions:
            if question.kind not in CHOICE_KINDS:
                continue
            if question.key not in found:
                found[question.key] = (str(question.prompt), [], [])
            _prompt, options, versions = found[question.key]
            known = {key for key, _label in options}
            options.extend((option.key, str(option.label)) for option in question.options if option.key not in known)
            if question_set.version not in versions:
                versions.append(question_set.version)
    return [(key, prompt, options, versions) for key, (prompt, options, versions) in found.items()]


def _bounds(first_day, last_day) -> tuple[datetime, datetime]:
    return (datetime.combine(first_day, time(0), tzinfo=LONDON).astimezone(UTC),
            datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC))


def counts(starts_at: datetime, ends_at: datetime, filters: Filters | None, keys: list[str]) -> dict:
    """{(question key, option key): answers} in one GROUP BY, for returned booklets of reviews meeting in the
    period (not cancelled), narrowed to the filters' team or IRO (None: the whole service)."""
    meeting = func.coalesce(Review.held_at, Review.meeting_at)
    query = (db.select(BookletAnswer.question_key, BookletAnswer.value_choice, func.count(BookletAnswer.id))
             .join(Booklet, Booklet.id == BookletAnswer.booklet_id).join(Review, Review.id == Booklet.review_id)
             .where(Booklet.returned_at.is_not(None), Booklet.withdrawn_at.is_(None), Review.status != "cancelled",
                    meeting >= starts_at, meeting < ends_at, BookletAnswer.state == "answered",
                    BookletAnswer.value_choice.is_not(None), BookletAnswer.question_key.in_(keys))
             .group_by(BookletAnswer.question_key, BookletAnswer.value_choice))
    if filters is not None:
        query = narrow(query, filters, Review.iro_id)
    return {(key, choice): count for key, choice, count in db.session.execute(query)}


def whole_of(filters: Filters) -> tuple | None:
    """The period a narrowed view is part of (the service's reporting years around it), or None when the
    view is that whole already."""
    first, last = reporting_year(filters.first_day).first_day, reporting_year(filters.last_day).last_day
    if not filters.narrowed and (first, last) == (filters.first_day, filters.last_day):
        return None
    return _bounds(first, last)


def answers(filters: Filters) -> list[QuestionAnswers]:
    limit = suppression.threshold()
    questions = catalogue()
    keys = [key for key, *_rest in questions]
    found = counts(filters.starts_at, filters.ends_at, filters, keys)
    whole = whole_of(filters)
    base = counts(*whole, None, keys) if whole else None
    result = []
    for key, prompt, options, versions in questions:
        cells = {option: found.get((key, option), 0) for option, _label in options}
        total = sum(cells.values())
        wholes = {option: base.get((key, option), 0) for option, _label in options} if base is not None else None
        row_hidden = suppression.row_total_hidden(total, limit) or (
            wholes is not None and suppression.difference_hidden(sum(wholes.values()), total, limit))
        hidden = set(cells) if row_hidden else suppression.hidden_with_differences(cells, wholes, limit)
        if hidden and suppression.total_revealing(cells, hidden, limit):
            row_hidden, hidden = True, set(cells)
        choices = [Choice(option, label, suppression.not_shown() if row_hidden else
                          suppression.shown_count(cells[option], option in hidden, limit),
                          suppression.shown_percent(cells[option], total, option in hidden))
                   for option, label in options]
        asked_in = ", ".join(str(VERSION_NAMES[version]) for version in versions)
        result.append(QuestionAnswers(key, prompt, asked_in, suppression.shown_count(total, row_hidden, limit),
                                      row_hidden, choices))
    return result


HEADER = (_l("Question"), _l("Answer"), _l("Children"), _l("Share (%)"), _l("Children who answered"),
          _l("Asked in"))


def compute(filters: Filters) -> Result:
    found = answers(filters)
    rows = [(item.prompt, choice.label, choice.count, choice.percent, item.answered, item.asked_in)
            for item in found for choice in item.choices]
    table = Table(_l("Children's answers in their booklets"), tuple(str(cell) for cell in HEADER), rows)
    return Result({"questions": found, "threshold": suppression.threshold(),
                   "any_answers": any(item.answered != 0 for item in found),
                   "note": _("Counted over the booklets children sent to their IRO for reviews meeting in the period.")},
                  {"answers": table})


SECTION = Section("booklet_answers", _l("What children said in their booklets"), "insights/_booklet_answers.html",
                  compute)
