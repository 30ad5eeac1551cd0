"""The caseload's filter form, sent with GET so a filtered view can be bookmarked. Plain parsing: a value
that is not one of the choices falls back to the default (never an error page)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from portal.caseload.services import AGE_BANDS, DIRECTIONS, SHOW_CHOICES, SORT_KEYS

SEARCH_LENGTH = 80


def _choice(value: str | None, choices, default: str) -> str:
    return value if value in choices else default


def _positive(value: str | None) -> int | None:
    """A whole number of at least 1, or None for anything else (blank, words, zero, huge)."""
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 9:
        return None
    number = int(text)
    return number if number >= 1 else None


@dataclass(frozen=True)
class CaseloadQuery:
    """What the person asked to see: the filter, age band, search words, sort column and direction, page,
    and (on the manager's view) the team and the IRO."""

    show: str = "all"
    age: str = "all"
    q: str = ""
    sort: str = "next_review"
    dir: str = "asc"
    page: int = 1
    team: int | None = None
    iro: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> CaseloadQuery:
        return cls(show=_choice(args.get("show"), SHOW_CHOICES, "all"),
                   age=_choice(args.get("age"), AGE_BANDS, "all"),
                   q=" ".join((args.get("q") or "").split())[:SEARCH_LENGTH],
                   sort=_choice(args.get("sort"), SORT_KEYS, "next_review"),
                   dir=_choice(args.get("dir"), DIRECTIONS, "asc"),
                   page=_positive(args.get("page")) or 1,
                   team=_positive(args.get("team")), iro=_positive(args.get("iro")))

    def args(self, **changes) -> dict:
        """The query string's values with these changed, leaving out the defaults (short, bookmarkable URLs)."""
        values = replace(self, **changes) if changes else self
        return {name: value for name in _FIELDS
                if (value := getattr(values, name)) != getattr(_DEFAULTS, name) and value not in (None, "")}

    def sort_args(self, column: str) -> dict:
        """The link in a column's heading: sort on it ascending, or flip the direction if it is the sorted one."""
        direction = "desc" if self.sort == column and self.dir == "asc" else "asc"
        return self.args(sort=column, dir=direction, page=1)

    def aria_sort(self, column: str) -> str | None:
        if self.sort != column:
            return None
        return "ascending" if self.dir == "asc" else "descending"

    @property
    def filtered(self) -> bool:
        return self.show != "all" or self.age != "all" or bool(self.q)


_DEFAULTS = CaseloadQuery()
_FIELDS = tuple(field.name for field in fields(CaseloadQuery))
