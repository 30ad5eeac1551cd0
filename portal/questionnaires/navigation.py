"""Finding one's way through a question set: how far each section is, and where to go next.

`answers` maps a question's key to its stored row (anything with a `state`); a question without
a row is not answered.
"""

from __future__ import annotations

from collections.abc import Mapping

from portal.questionnaires.schema import QuestionSet, Section

NOT_STARTED, STARTED, DONE, SKIPPED = "not_started", "started", "done", "skipped"
FINISHED = frozenset({DONE, SKIPPED})


def section_status(section: Section, answers: Mapping) -> str:
    """'not_started', 'started', 'done' or 'skipped' from the rows of the section's questions."""
    rows = [answers[q.key] for q in section.questions if q.key in answers]
    if not rows:
        return NOT_STARTED
    if len(rows) < len(section.questions):
        return STARTED
    if all(row.state == "skipped" for row in rows):
        return SKIPPED
    return DONE


def first_unfinished(qs: QuestionSet, answers: Mapping) -> Section | None:
    return next((s for s in qs.sections if section_status(s, answers) not in FINISHED), None)


def next_section(qs: QuestionSet, key: str) -> Section | None:
    """The section after this one; None after the last. A ValueError means no such section."""
    keys = [s.key for s in qs.sections]
    index = keys.index(key)
    return qs.sections[index + 1] if index + 1 < len(keys) else None


def position(qs: QuestionSet, key: str) -> tuple[int, int]:
    """(this section's number counting from 1, how many sections): 'Part 2 of 7'."""
    keys = [s.key for s in qs.sections]
    return keys.index(key) + 1, len(keys)


def progress(qs: QuestionSet, answers: Mapping) -> tuple[int, int]:
    """(sections finished, answered or skipped, out of how many sections)."""
    finished = sum(section_status(s, answers) in FINISHED for s in qs.sections)
    return finished, len(qs.sections)
