"""The built-in word lists shipped with the code (`lists/<language>.toml`), and loading them.

Migrations call `sync_builtin` so a fresh install screens from the first day; it adds entries that
are not yet in the table and never re-enables one an administrator disabled.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

LISTS = Path(__file__).with_name("lists")


def builtin_entries() -> list[tuple[str, str, str]]:
    """(language, category, phrase) for every built-in entry, in file order."""
    entries = []
    for path in sorted(LISTS.glob("*.toml")):
        language = path.stem
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        for category, table in data.items():
            for phrase in table.get("entries", []):
                phrase = " ".join(str(phrase).split()).lower()
                if phrase:
                    entries.append((language, category, phrase))
    return entries


def sync_builtin(connection) -> int:
    """Insert the built-in entries the table lacks; return how many were added."""
    table = sa.table("screening_entry", sa.column("id", sa.Integer), sa.column("phrase", sa.String),
                     sa.column("language", sa.String), sa.column("category", sa.String),
                     sa.column("builtin", sa.Boolean), sa.column("active", sa.Boolean),
                     sa.column("created_at", sa.DateTime(timezone=True)),
                     sa.column("changed_at", sa.DateTime(timezone=True)))
    present = {(row.language, row.phrase) for row in connection.execute(sa.select(table.c.language, table.c.phrase))}
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as UTCDateTime stores it
    rows, seen = [], set(present)
    for language, category, phrase in builtin_entries():
        if (language, phrase) in seen:
            continue
        seen.add((language, phrase))
        rows.append({"phrase": phrase, "language": language, "category": category, "builtin": True,
                     "active": True, "created_at": now, "changed_at": now})
    if rows:
        connection.execute(table.insert(), rows)
    return len(rows)
