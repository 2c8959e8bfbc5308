"""Lists a build keeps on disk rather than in memory.

A build of an archive records something for each of hundreds of thousands of articles
(new split assignments, duplicates); held in Python lists and dicts, they made the
builder's memory grow with the archive.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import IO, Any


def temporary_database(cache_kib: int) -> sqlite3.Connection:
    """A private SQLite database in a temporary file, deleted when closed."""
    db = sqlite3.connect("")  # "": a temporary database in a file
    db.executescript(
        f"""
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        PRAGMA cache_size = -{cache_kib};
        """
    )
    return db


class SortedLog:
    """Entries added in any order, read back in the order of their keys (then arrival)."""

    def __init__(self) -> None:
        self._db = temporary_database(cache_kib=1024)
        self._db.execute(
            "CREATE TABLE entries (n INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)"
        )
        self._count = 0

    def add(self, key: str, value: Any) -> None:
        self._db.execute(
            "INSERT INTO entries VALUES (?, ?, ?)",
            (self._count, key, json.dumps(value, ensure_ascii=False)),
        )
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        # SQLite sorts in bounded memory, spilling to temporary files.
        for (value,) in self._db.execute("SELECT value FROM entries ORDER BY key, n"):
            yield json.loads(value)


def write_json_entries(
    handle: IO[str], key: str, entries: Iterable[str], brackets: str = "[]"
) -> None:
    """`, "key": [...]` with one (already encoded) entry per line, streamed to `handle`.

    The layout `json.dumps(..., indent=2)` gives a member of a top-level object, an
    empty list or object included, without holding the entries in memory.
    """
    handle.write(f",\n  {json.dumps(key)}: {brackets[0]}")
    count = 0
    for count, entry in enumerate(entries, start=1):
        handle.write(("," if count > 1 else "") + "\n    " + entry)
    handle.write(("\n  " if count else "") + brackets[1])
