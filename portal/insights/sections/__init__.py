"""The dashboard's sections, in the order the page shows them.

A section adds up one kind of figure for the filters (`compute(filters) -> Result`), shows it with its own
template partial (given `section`, `result` and `filters`), and offers each of its tables as a CSV file at
/insights/<section>/<table>.csv. Every figure is added up in SQL (GROUP BY with the filters in the query).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from portal.insights.filters import Filters


@dataclass(frozen=True)
class Table:
    """One table as a spreadsheet: its header and rows of plain values (portal.exports makes each cell safe)."""

    caption: object
    header: tuple
    rows: list[tuple]


@dataclass
class Result:
    """What a section found: what its template shows, and its tables for CSV."""

    context: dict = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    key: str
    title: object
    template: str
    compute: Callable[[Filters], Result]


# Page order. (While the sections are being written side by side, a module not there yet is left out.)
ORDER = ("booklets", "booklet_answers", "feedback", "participation", "timeliness", "safeguarding")


def sections() -> list[Section]:
    """Every section, in page order."""
    found = []
    for name in ORDER:
        try:
            module = import_module(f"portal.insights.sections.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"portal.insights.sections.{name}":
                raise
            continue
        found.append(module.SECTION)
    return found


def section(key: str) -> Section | None:
    return next((item for item in sections() if item.key == key), None)
