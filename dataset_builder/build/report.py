"""The build report: every input with its outcomes, rejects, duplicates and counts."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataset_builder.annotators.annotate import (
    annotator_versions,
)
from dataset_builder.build.spool import SortedLog, write_json_entries
from dataset_builder.identity import Identity
from dataset_builder.ingest.discover import Skipped
from dataset_builder.ingest.records import InputFile, Reject


class BuildError(Exception):
    """A build that must not publish; the message says why, the report what was seen."""

    def __init__(self, message: str, report: BuildReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class InputLog:
    """Every input with its outcomes, spooled to disk once complete.

    A build of a large archive sees hundreds of thousands of inputs; keeping only the
    ones still in flight in memory keeps the builder's memory flat.
    """

    def __init__(self) -> None:
        # Lives as long as the report; the file disappears when the report does.
        self._spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._open: list[InputFile] = []

    def add(self, info: InputFile) -> None:
        self._open.append(info)

    def flush_before(self, info: InputFile) -> None:
        """Write out the inputs read before `info`: their outcomes are all known."""
        position = next(i for i, item in enumerate(self._open) if item is info)
        self._write(self._open[:position])
        del self._open[:position]

    def _write(self, items: list[InputFile]) -> None:
        for item in items:
            entry = {
                "file": item.name,
                "sha256": item.sha256,
                "bytes": item.size,
                "kind": item.kind,
                "encoding": item.encoding,
                "outcomes": dict(sorted(Counter(item.outcomes).items())),
            }
            self._spool.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self._write(self._open)
        self._open.clear()
        self._spool.seek(0)
        for line in self._spool:
            yield json.loads(line)
        self._spool.seek(0, 2)


@dataclass
class BuildReport:
    inputs: InputLog = field(default_factory=InputLog)
    rejects: list[Reject] = field(default_factory=list)
    # Sorted by file and id: one entry per duplicate article, kept on disk.
    duplicates: SortedLog = field(default_factory=SortedLog)
    published: dict[str, Counter[str]] = field(
        default_factory=lambda: {"default": Counter(), "related": Counter()}
    )
    languages: Counter[str] = field(default_factory=Counter)
    # Published articles that are further copies of a story (build/stories.py).
    story_copies: int = 0
    units: int = 0  # articles offered: one per article file, one per JSON Lines line
    files: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # [id, split] of each id this build placed in a split, in id order, kept on disk.
    new_assignments: SortedLog = field(default_factory=SortedLog)
    warnings: list[str] = field(default_factory=list)
    # About this machine, not the data (the cache, leftovers, the card copy): shown to the
    # user, never published, so a release does not depend on them.
    notices: list[str] = field(default_factory=list)
    # Entries of the input folder that are not inputs (hidden files, releases), and why.
    skipped: list[Skipped] = field(default_factory=list)
    # The dataset the build publishes (its dataset.toml); set when the build starts.
    identity: Identity | None = None

    def summary(self) -> dict[str, Any]:
        """Versions and counts: the report without its lists of inputs and articles."""
        return {
            "dataset": self.identity.name if self.identity else None,
            "version": self.identity.version if self.identity else None,
            "annotators": annotator_versions(),
            "totals": self.totals(),
            "published": {c: dict(sorted(n.items())) for c, n in self.published.items()},
            "stories": self.stories(),
            "languages": dict(sorted(self.languages.items())),
            "files": self.files,
        }

    def sorted_rejects(self) -> list[dict[str, Any]]:
        # Sorted: rejects found while reading and after annotating arrive in an order
        # that depends on the batch size.
        return sorted(
            (r.to_json() for r in self.rejects),
            key=lambda r: (r["file"], r["line"] or 0, r["field"], r["rule"], r["message"]),
        )

    def write_json(self, path: Path) -> None:
        """The whole report, streamed to `path`: the summary, and every input, reject,
        duplicate, warning and new split assignment."""
        head = self.summary()
        files = head.pop("files")

        with path.open("w", encoding="utf-8") as handle:
            for n, key in enumerate(("dataset", "version", "annotators")):
                handle.write(
                    ("," if n else "{")
                    + f"\n  {json.dumps(key)}: {json.dumps(head.pop(key), ensure_ascii=False)}"
                )
            write_json_entries(
                handle, "inputs", (json.dumps(entry, ensure_ascii=False) for entry in self.inputs)
            )
            for key, value in head.items():  # totals, published, languages
                handle.write(f",\n  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
            handle.write(f',\n  "rejects": {json.dumps(self.sorted_rejects(), ensure_ascii=False)}')
            write_json_entries(
                handle,
                "duplicates",
                (json.dumps(entry, ensure_ascii=False) for entry in self.duplicates),
            )
            handle.write(
                f',\n  "warnings": {json.dumps(sorted(self.warnings), ensure_ascii=False)}'
            )
            skipped = [entry.to_json() for entry in self.skipped]
            handle.write(f',\n  "skipped": {json.dumps(skipped, ensure_ascii=False)}')
            write_json_entries(
                handle,
                "new_split_assignments",
                (
                    f"{json.dumps(record_id, ensure_ascii=False)}: {json.dumps(split)}"
                    for record_id, split in self.new_assignments
                ),
                brackets="{}",
            )
            handle.write(f',\n  "files": {json.dumps(files, ensure_ascii=False)}')
            handle.write("\n}\n")

    def totals(self) -> dict[str, int]:
        return {
            "articles_offered": self.units,
            "published": sum(self.published["default"].values()),
            "rejected": sum(1 for r in self.rejects if r.counts),
            "duplicates": len(self.duplicates),
            "related_published": sum(self.published["related"].values()),
            "skipped": len(self.skipped),
        }

    def stories(self) -> int:
        """Stories among the published articles: a story's copies count once."""
        return sum(self.published["default"].values()) - self.story_copies

    def check_accounting(self) -> None:
        """Every article offered is published, rejected or a duplicate; anything else is a bug."""
        totals = self.totals()
        accounted = totals["published"] + totals["rejected"] + totals["duplicates"]
        if accounted != totals["articles_offered"]:
            raise BuildError(
                f"build report does not add up: {totals['articles_offered']} articles offered, "
                f"{accounted} accounted for ({totals})"
            )
