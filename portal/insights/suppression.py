"""Small numbers: the rules every opinion figure on the dashboard and in its CSV files follows.

Lifted from portal.feedback.figures (`hidden_cells` and its complementary suppression of differences) into
plain functions over numbers, so that booklet answers, feedback answers and comments are hidden alike:

- **Primary**: a cell from 1 to threshold-1 shows as "fewer than N" (none at all gives nothing away).
- **Secondary, within a row** (`hidden_in_row`): a row whose total is shown must not let the total less the
  shown cells give a hidden cell away. So while exactly one cell is hidden, or the hidden cells together come
  to fewer than the threshold, the smallest shown cell above nought is hidden too. A row whose total is itself
  under the threshold is hidden whole (`row_total_hidden`).
- **Secondary, across groups** (`total_hidden`): a total over groups is hidden when exactly one group is
  hidden, or the hidden groups together come to fewer than the threshold.
- **The row's total** (`total_revealing`): when the hidden cells above nought are one alone, or come to fewer
  than the threshold, with no shown cell left to hide with them, the row is hidden whole.
- **Totals over groups, cell by cell** (`totals_hidden`): a cell of an all-groups row is hidden when the
  groups' cells hidden under it are one alone above nought, or come to fewer than the threshold.
- **Differences** (`difference_hidden`): a narrowed figure (a team, an IRO, part of a year) is hidden when its
  whole (the service's reporting year) less it comes to 1 to threshold-1, since the whole less the narrowed
  figure would show those few.

What a person reads, and what a CSV cell carries, for a hidden figure is "fewer than N" (`fewer_than`) for a
small one, and "not shown" (`not_shown`) for one hidden for another's sake, and for every cell of a row hidden
whole: never the number hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from flask_babel import gettext as _

from portal.settings import authority_settings

DEFAULT_THRESHOLD = 10


def threshold() -> int:
    """The authority's threshold (its setting, 10 unless the administrator changed it)."""
    value = authority_settings().suppression_threshold
    return value if value and value > 0 else DEFAULT_THRESHOLD


def small(count: int, limit: int) -> bool:
    """A count that would be hidden by itself: 1 to limit-1."""
    return 0 < count < limit


def fewer_than(limit: int) -> str:
    """What a hidden figure shows, on the page and in a CSV file."""
    return _("fewer than %(threshold)d", threshold=limit)


def row_total_hidden(total: int, limit: int) -> bool:
    """A row (a question's answers) made from fewer responses than the threshold is hidden whole."""
    return small(total, limit)


def hidden_in_row(counts: Mapping[str, int], limit: int) -> set[str]:
    """The cells of a row to hide when the row's total is shown: the small ones, then (secondary) the
    smallest shown cells above nought until the hidden ones are not one alone and come to at least the
    threshold. A row whose total is under the threshold is hidden whole."""
    total = sum(counts.values())
    if row_total_hidden(total, limit):
        return {name for name, count in counts.items() if count > 0}
    return extended(counts, {name for name, count in counts.items() if small(count, limit)}, limit)


def total_hidden(counts: Mapping[str, int], limit: int) -> tuple[set[str], bool]:
    """(the groups hidden, whether their total is hidden): feedback's `hidden_cells`. A group from 1 to
    threshold-1 is hidden; the total is hidden when it is itself small, when exactly one group is hidden, or
    when the hidden groups together come to fewer than the threshold."""
    hidden = {name for name, count in counts.items() if small(count, limit)}
    whole = sum(counts.values())
    hidden_sum = sum(counts[name] for name in hidden)
    return hidden, small(whole, limit) or len(hidden) == 1 or (len(hidden) > 1 and hidden_sum < limit)


def difference_hidden(whole: int, part: int, limit: int) -> bool:
    """Whether a narrowed figure must be hidden because its whole less it is 1 to threshold-1."""
    return small(whole - part, limit)


def extended(counts: Mapping[str, int], hidden: set[str], limit: int) -> set[str]:
    """The row's secondary suppression: while one cell alone is hidden, or the hidden ones come to fewer than
    the threshold, hide the smallest shown cell above nought too (none left: see `total_revealing`)."""
    hidden = set(hidden)
    while len(hidden) == 1 or (hidden and sum(counts[name] for name in hidden) < limit):
        shown = sorted((count, str(name), name) for name, count in counts.items() if count > 0 and name not in hidden)
        if not shown:
            break
        hidden.add(shown[0][2])
    return hidden


def hidden_with_differences(counts: Mapping[str, int], wholes: Mapping[str, int] | None, limit: int) -> set[str]:
    """A narrowed row's hidden cells: the row rules, plus each cell whose whole less it is small (then the
    row rules again, so that a cell hidden for its difference is not one alone)."""
    hidden = hidden_in_row(counts, limit)
    if wholes is None:
        return hidden
    extra = {name for name, count in counts.items() if difference_hidden(wholes.get(name, 0), count, limit)}
    if not extra - hidden:
        return hidden
    return extended(counts, hidden | extra, limit)


def totals_hidden(by_group: Mapping[str, Mapping[str, int]], hidden_by_group: Mapping[str, set[str]],
                  limit: int) -> set[str]:
    """The cells of a total over groups (the same keys in every group) to hide: those where the groups'
    hidden cells would be given away by the total less the shown ones (one alone above nought, or together
    fewer than the threshold), whichever rule hid them in their group."""
    keys = {key for counts in by_group.values() for key in counts}
    found = set()
    for key in keys:
        column = {group: counts.get(key, 0) for group, counts in by_group.items()}
        hidden = {group for group in by_group if key in hidden_by_group.get(group, set())}
        if hidden and total_revealing(column, hidden, limit):
            found.add(key)
    return found


def total_revealing(counts: Mapping[str, int], hidden: set[str], limit: int) -> bool:
    """Whether a row's total would give its hidden cells away when shown: when only one cell above nought is
    hidden, or the hidden ones come to fewer than the threshold (it happens when a cell hidden for its
    difference has no shown cell above nought to hide with it). Then the row is hidden whole."""
    values = [counts[name] for name in hidden if counts[name] > 0]
    return len(values) == 1 or small(sum(values), limit)


def not_shown() -> str:
    """What a figure hidden only so that it cannot give another away shows (it may be 0, or the threshold or
    more: saying "fewer than N" would be untrue)."""
    return _("not shown")


def shown_count(count: int, hidden: bool, limit: int) -> int | str:
    """A count as a table cell: the number; "fewer than N" when it is hidden and from 1 to N-1; "not shown"
    when it is hidden for another's sake."""
    if not hidden:
        return count
    return fewer_than(limit) if small(count, limit) else not_shown()


def shown_percent(count: int, total: int, hidden: bool) -> int | str:
    """A whole-number percentage as a table cell: blank when hidden or when there is no total."""
    if hidden or not total:
        return ""
    return round(100 * count / total)


# --- The service's own counts, when the administrator hides their small numbers too ---------------

def service_counts_suppressed() -> bool:
    """The administrator's choice (off by default: the DfE publishes councils' counts as they are)."""
    return bool(authority_settings().suppress_service_counts)


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _hide_parts(row: list, hidden: dict[int, str], parts: tuple[int, ...], total: int, limit: int) -> None:
    """Within a row, parts that add up to a total: the total less the shown parts must not give a hidden part
    away (the smallest shown parts are hidden too; with none left, the total)."""
    counts = {column: row[column] for column in parts if _count(row[column])}
    if total in hidden:
        hidden.update({column: "not" for column, count in counts.items() if count > 0 and column not in hidden})
        return
    mine = {column for column in counts if column in hidden}
    if not mine:
        return
    wider = extended(counts, mine, limit)
    hidden.update({column: "not" for column in wider - mine})
    if total_revealing(counts, wider, limit):
        hidden[total] = "not"


def suppress_table(table, limit: int):
    """A section's `Table` with its small counts shown as "fewer than N", and what would give them away (a row's total
    less its shown parts, the total row less the rows shown, a share or median worked out from them) as "not
    shown". Never the number hidden."""
    rows = [list(row) for row in table.rows]
    hidden: list[dict[int, str]] = [
        {column: "small" for column, value in enumerate(row) if column not in table.derived and _count(value)
         and small(value, limit)} for row in rows]
    for row, row_hidden in zip(rows, hidden, strict=True):
        for parts, total in table.partitions:
            _hide_parts(row, row_hidden, parts, total, limit)
    if table.total_row and len(rows) > 1:
        body, total_hidden_cells = rows[:-1], hidden[-1]
        for column, value in enumerate(rows[-1]):
            if column in table.derived or not _count(value) or column in total_hidden_cells:
                continue
            below = [row[column] for row, row_hidden in zip(body, hidden, strict=False)
                     if column in row_hidden and _count(row[column]) and row[column] > 0]
            if below and (len(below) == 1 or small(sum(below), limit)):
                total_hidden_cells[column] = "not"
    for row, row_hidden in zip(rows, hidden, strict=True):
        if row_hidden:
            row_hidden.update({column: "not" for column in table.derived if column < len(row) and row[column] != ""})
        for column, why in row_hidden.items():
            row[column] = fewer_than(limit) if why == "small" and small(row[column], limit) else not_shown()
    return replace(table, rows=[tuple(row) for row in rows])
