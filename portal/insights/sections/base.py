"""What a dashboard section is: the classes every section module uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
