"""Percentiles over counted values: the sections fetch (value, how many) pairs with GROUP BY, never the rows."""

from __future__ import annotations

import math


def percentile(pairs: list[tuple[float, int]], share: float) -> float | None:
    """A percentile of values given as (value, how many times), interpolated as PostgreSQL's percentile_cont
    does; None when there are none."""
    total = sum(count for _value, count in pairs)
    if not total:
        return None
    ordered = sorted(pairs)
    position = share * (total - 1)
    low_index, high_index = math.floor(position), math.ceil(position)

    def nth(index: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    low, high = nth(low_index), nth(high_index)
    return low + (high - low) * (position - low_index)


def median(pairs: list[tuple[float, int]]) -> float | None:
    """The median (the 50th percentile: the middle value, or the mean of the two middle ones)."""
    return percentile(pairs, 0.5)
