"""Stable train/validation/test assignment.

The committed assignment in `splits/assignments.tsv` is the authority: an id listed there
never moves. An id not yet listed is placed by `split_for`: the first 8 hex digits of
SHA-256("vietnam-japan-news:" + id), read as a fraction of 2**32, fall into
[0, 0.8) train, [0.8, 0.9) validation, [0.9, 1) test. The rule depends on nothing but
the id, so adding articles never changes where the existing ones are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from dataset_builder.config import DATASET_NAME, SPLITS
from dataset_builder.spool import temporary_database

ASSIGNMENT_FILE = "assignments.tsv"
SPLIT_BOUNDS = (("train", 0.8), ("validation", 0.9), ("test", 1.0))


class SplitError(Exception):
    pass


def split_for(record_id: str) -> str:
    digest = hashlib.sha256(f"{DATASET_NAME}:{record_id}".encode()).hexdigest()
    fraction = int(digest[:8], 16) / 2**32
    return next(split for split, bound in SPLIT_BOUNDS if fraction < bound)


def read_assignments(splits_dir: Path) -> Iterator[tuple[str, str]]:
    """(id, split) pairs of the committed assignment, in file order; none if there is none."""
    path = splits_dir / ASSIGNMENT_FILE
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        next(handle, None)  # the header
        for number, line in enumerate(handle, start=2):
            if not line.strip():
                continue
            record_id, _, split = line.rstrip("\r\n").partition("\t")
            if split not in SPLITS:
                raise SplitError(f"{path}:{number}: unknown split {split!r} for id {record_id!r}")
            yield record_id, split


def load_assignments(splits_dir: Path) -> dict[str, str]:
    """The committed assignment as a dict (id -> split)."""
    return dict(read_assignments(splits_dir))


def save_assignments(splits_dir: Path, assignments: Iterable[tuple[str, str]]) -> None:
    """Write (id, split) pairs, which must come in id order, replacing the file at once."""
    splits_dir.mkdir(parents=True, exist_ok=True)
    path = splits_dir / ASSIGNMENT_FILE
    temporary = path.with_suffix(".tsv.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write("id\tsplit\n")
        for record_id, split in assignments:
            handle.write(f"{record_id}\t{split}\n")
    temporary.replace(path)


class SplitAssigner:
    """Looks ids up in the committed assignment and places new ids by rule.

    The assignment is kept in a temporary SQLite database: an archive's lists hundreds
    of thousands of ids, which a dict would hold in memory.
    """

    def __init__(self, committed: Iterable[tuple[str, str]] = ()) -> None:
        self._db = temporary_database(cache_kib=2 * 1024)
        # seen: an input provides the id (committed ids only: they are what `missing`
        # reports; a new id is seen by definition).
        self._db.execute(
            "CREATE TABLE assignment (id TEXT PRIMARY KEY, split TEXT NOT NULL, "
            "committed INTEGER NOT NULL, seen INTEGER NOT NULL) WITHOUT ROWID"
        )
        self._db.executemany("INSERT OR REPLACE INTO assignment VALUES (?, ?, 1, 0)", committed)
        self._any_committed = (
            self._db.execute("SELECT 1 FROM assignment LIMIT 1").fetchone() is not None
        )

    def close(self) -> None:
        self._db.close()

    def split_of(self, record_id: str) -> str:
        row = self._db.execute("SELECT split FROM assignment WHERE id = ?", (record_id,)).fetchone()
        return str(row[0]) if row is not None else split_for(record_id)

    def mark_seen(self, record_id: str) -> None:
        """An input provides this id, whether or not it is published this time."""
        if not self._any_committed:  # a first build: nothing to mark
            return
        self._db.execute(
            "UPDATE assignment SET seen = 1 WHERE id = ? AND committed = 1", (record_id,)
        )

    def assign(self, record_id: str) -> tuple[str, bool]:
        """The id's split, and whether this call placed it (a new id)."""
        split = split_for(record_id)
        placed = self._db.execute(
            "INSERT OR IGNORE INTO assignment VALUES (?, ?, 0, 1)", (record_id, split)
        ).rowcount
        if placed:
            return split, True
        self.mark_seen(record_id)
        return self.split_of(record_id), False

    def missing(self) -> list[str]:
        """Ids the committed assignment lists that this build did not see."""
        rows = self._db.execute(
            "SELECT id FROM assignment WHERE committed = 1 AND seen = 0 ORDER BY id"
        )
        return [str(record_id) for (record_id,) in rows]

    def assignments(self, prune: bool) -> Iterator[tuple[str, str]]:
        """The assignment to save, in id order: committed plus new, without missing ids
        when pruning."""
        condition = "WHERE committed = 0 OR seen = 1" if prune else ""
        yield from self._db.execute(f"SELECT id, split FROM assignment {condition} ORDER BY id")
