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
    # For hiding small numbers in the service's own counts (portal.insights.suppression.suppress_table):
    # columns that add up to another in each row ((parts...), total), columns worked out from the others
    # (shares, medians), and whether the last row is the total of the rows above it.
    partitions: tuple[tuple[tuple[int, ...], int], ...] = ()
    derived: tuple[int, ...] = ()
    total_row: bool = False


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
