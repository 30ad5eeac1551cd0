"""The dashboard's sections, in the order the page shows them.

A section adds up one kind of figure for the filters (`compute(filters) -> Result`), shows it with its own
template partial (given `section`, `result` and `filters`), and offers each of its tables as a CSV file at
/insights/<section>/<table>.csv. Every figure is added up in SQL (GROUP BY with the filters in the query).
"""

from __future__ import annotations

from portal.insights import suppression
from portal.insights.sections import booklet_answers, booklets, feedback, participation, safeguarding, timeliness
from portal.insights.sections.base import Result, Section, Table

__all__ = ["Result", "Section", "Table", "presented", "section", "sections"]

# The service's own counts: shown as they are unless the administrator hides their small numbers too.
SERVICE_COUNTS = frozenset({"booklets", "participation", "timeliness", "safeguarding"})
TABLES_TEMPLATE = "insights/_tables.html"


def sections() -> list[Section]:
    """Every section, in page order."""
    return [booklets.SECTION, booklet_answers.SECTION, feedback.SECTION, participation.SECTION, timeliness.SECTION,
            safeguarding.SECTION]


def section(key: str) -> Section | None:
    return next((item for item in sections() if item.key == key), None)


def presented(item: Section, result: Result) -> tuple[str, Result]:
    """(template, result) as a page, the pack or a CSV file shows a section: a section of the service's own
    counts, when their small numbers are hidden, becomes its tables with those numbers hidden (no chart:
    a chart would draw the exact shares)."""
    if item.key not in SERVICE_COUNTS or not suppression.service_counts_suppressed():
        return item.template, result
    limit = suppression.threshold()
    return TABLES_TEMPLATE, Result({"suppressed": True},
                                   {key: suppression.suppress_table(table, limit) for key, table in result.tables.items()})
