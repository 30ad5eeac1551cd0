"""The dashboard's sections, in the order the page shows them.

A section adds up one kind of figure for the filters (`compute(filters) -> Result`), shows it with its own
template partial (given `section`, `result` and `filters`), and offers each of its tables as a CSV file at
/insights/<section>/<table>.csv. Every figure is added up in SQL (GROUP BY with the filters in the query).
"""

from __future__ import annotations

from portal.insights.sections import booklet_answers, booklets, feedback, participation, safeguarding, timeliness
from portal.insights.sections.base import Result, Section, Table

__all__ = ["Result", "Section", "Table", "section", "sections"]


def sections() -> list[Section]:
    """Every section, in page order."""
    return [booklets.SECTION, booklet_answers.SECTION, feedback.SECTION, participation.SECTION, timeliness.SECTION,
            safeguarding.SECTION]


def section(key: str) -> Section | None:
    return next((item for item in sections() if item.key == key), None)
