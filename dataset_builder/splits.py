"""Stable train/validation/test assignment.

The committed assignment in `splits/assignments.tsv` is the authority: an id listed there
never moves. An id not yet listed is placed by `split_for`: the first 8 hex digits of
SHA-256("vietnam-japan-news:" + id), read as a fraction of 2**32, fall into
[0, 0.8) train, [0.8, 0.9) validation, [0.9, 1) test. The rule depends on nothing but
the id, so adding articles never changes where the existing ones are.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from dataset_builder.config import DATASET_NAME, SPLITS

ASSIGNMENT_FILE = "assignments.tsv"
SPLIT_BOUNDS = (("train", 0.8), ("validation", 0.9), ("test", 1.0))


class SplitError(Exception):
    pass


def split_for(record_id: str) -> str:
    digest = hashlib.sha256(f"{DATASET_NAME}:{record_id}".encode()).hexdigest()
    fraction = int(digest[:8], 16) / 2**32
    return next(split for split, bound in SPLIT_BOUNDS if fraction < bound)


def load_assignments(splits_dir: Path) -> dict[str, str]:
    path = splits_dir / ASSIGNMENT_FILE
    if not path.exists():
        return {}
    assignments: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        record_id, _, split = line.partition("\t")
        if split not in SPLITS:
            raise SplitError(f"{path}:{number}: unknown split {split!r} for id {record_id!r}")
        assignments[record_id] = split
    return assignments


def save_assignments(splits_dir: Path, assignments: dict[str, str]) -> None:
    splits_dir.mkdir(parents=True, exist_ok=True)
    lines = ["id\tsplit", *(f"{i}\t{assignments[i]}" for i in sorted(assignments))]
    path = splits_dir / ASSIGNMENT_FILE
    temporary = path.with_suffix(".tsv.tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)


class SplitAssigner:
    """Looks ids up in the committed assignment and places new ids by rule."""

    def __init__(self, assignments: dict[str, str]) -> None:
        self.committed = assignments
        self.new: dict[str, str] = {}
        # Only committed ids need remembering: they are what `missing` reports.
        self._seen_committed: set[str] = set()

    def split_of(self, record_id: str) -> str:
        return self.committed.get(record_id) or self.new.get(record_id) or split_for(record_id)

    def mark_seen(self, record_id: str) -> None:
        """An input provides this id, whether or not it is published this time."""
        if record_id in self.committed:
            self._seen_committed.add(record_id)

    def assign(self, record_id: str) -> str:
        self.mark_seen(record_id)
        if record_id not in self.committed and record_id not in self.new:
            self.new[record_id] = split_for(record_id)
        return self.split_of(record_id)

    def missing(self) -> list[str]:
        """Ids the committed assignment lists that this build did not see."""
        return sorted(set(self.committed) - self._seen_committed)

    def assignments(self, prune: bool) -> dict[str, str]:
        """The assignment to save: committed plus new, without missing ids when pruning."""
        kept = (
            {i: s for i, s in self.committed.items() if i in self._seen_committed}
            if prune
            else dict(self.committed)
        )
        return {**kept, **self.new}
