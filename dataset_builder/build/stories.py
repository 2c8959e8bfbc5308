"""Copies of one story: published apart, linked, and kept in one split.

The same text published by two outlets (a wire story, say, under two headlines) is two
records of one story (`dedup.same_outlet` tells such copies from duplicates). Each record
carries the story's id and the ids of its other copies (`story_id`, `story_copies`), and
all copies are in the story's split (`splits.SplitAssigner.place_story` says which id
and which split).

Which articles are copies of one story is known only once every article has been seen: a
later input may be a copy of the first. So the published rows are held, in publication
order, in temporary Arrow IPC files, and written to the sink at the end with their story
and split (`HeldRows.release`). An article in no other's story keeps what the worker gave
it: its own id as story id, no copies, and the split it was given before annotating.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc

from dataset_builder.build.dedup import Source, source
from dataset_builder.build.spool import temporary_database
from dataset_builder.config import CONFIGS, SPLITS
from dataset_builder.publish.sinks import Sink
from dataset_builder.validate.contract import arrow_schema

# Ids looked up in one query: below SQLite's smallest limit on parameters.
LOOKUP_IDS = 500


def row_source(table: pa.Table, index: int) -> Source:
    """Who published the article in row `index` of a table of `default` rows."""
    return source(table.column("outlet")[index].as_py(), table.column("url")[index].as_py())


class StoryLinks:
    """The story, copies and split of each article in a story of more than one, on disk."""

    def __init__(self) -> None:
        self._db = temporary_database(cache_kib=1024)
        self._db.execute(
            "CREATE TABLE linked (id TEXT PRIMARY KEY, story_id TEXT NOT NULL, "
            "copies TEXT NOT NULL, split TEXT NOT NULL) WITHOUT ROWID"
        )

    def close(self) -> None:
        self._db.close()

    def add(self, story_id: str, splits: dict[str, str]) -> None:
        """Link the members of one story (id -> split)."""
        ids = sorted(splits)
        self._db.executemany(
            "INSERT INTO linked VALUES (?, ?, ?, ?)",
            [
                (
                    record_id,
                    story_id,
                    json.dumps([other for other in ids if other != record_id]),
                    splits[record_id],
                )
                for record_id in ids
            ],
        )

    def lookup(self, ids: list[str]) -> dict[str, tuple[str, list[str], str]]:
        """id -> (story id, other copies, split) of those of `ids` that are linked."""
        found: dict[str, tuple[str, list[str], str]] = {}
        for start in range(0, len(ids), LOOKUP_IDS):
            part = ids[start : start + LOOKUP_IDS]
            rows = self._db.execute(
                "SELECT id, story_id, copies, split FROM linked "
                f"WHERE id IN ({','.join('?' * len(part))})",
                part,
            )
            for record_id, story_id, copies, split in rows:
                found[str(record_id)] = (str(story_id), json.loads(copies), str(split))
        return found


class HeldRows:
    """Published rows of each configuration, in publication order, until the stories
    are known.

    Arrow IPC streams in anonymous temporary files (LZ4-compressed): memory holds one
    batch at a time, and the files disappear when closed, whatever ends the build.
    """

    def __init__(self) -> None:
        self._files: dict[str, IO[bytes]] = {}
        self._writers: dict[str, pa.ipc.RecordBatchStreamWriter] = {}

    def write(self, config: str, rows: pa.Table) -> None:
        if not rows.num_rows:
            return
        writer = self._writers.get(config)
        if writer is None:
            handle = self._files[config] = tempfile.TemporaryFile()  # noqa: SIM115
            options = pa.ipc.IpcWriteOptions(compression="lz4")
            writer = self._writers[config] = pa.ipc.new_stream(
                handle, arrow_schema(config), options=options
            )
        writer.write_table(rows)

    def _batches(self, config: str) -> Iterator[pa.RecordBatch]:
        writer = self._writers.pop(config, None)
        if writer is None:
            return
        writer.close()
        handle = self._files[config]
        handle.seek(0)
        yield from pa.ipc.open_stream(handle)

    def release(self, sink: Sink, links: StoryLinks) -> None:
        """Write every held row to `sink`, with its story and in its story's split."""
        for config in CONFIGS:
            key = "id" if config == "default" else "parent_id"
            for batch in self._batches(config):
                table = pa.Table.from_batches([batch])
                found = links.lookup(table.column(key).to_pylist())
                if found:
                    table = _with_stories(table, key, found, story=config == "default")
                for split in SPLITS:
                    rows = table.filter(pc.equal(table.column("split"), split))
                    if rows.num_rows:
                        sink.write(config, split, rows)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        for handle in self._files.values():
            handle.close()
        self._writers.clear()
        self._files.clear()


def _with_stories(
    table: pa.Table, key: str, found: dict[str, tuple[str, list[str], str]], story: bool
) -> pa.Table:
    """`table` with the story id, copies (articles only) and split of its linked rows."""
    ids = table.column(key).to_pylist()
    columns = ["split", *(["story_id", "story_copies"] if story else [])]
    position = {"story_id": 0, "story_copies": 1, "split": 2}
    for name in columns:
        values = table.column(name).to_pylist()
        for row, record_id in enumerate(ids):
            if record_id in found:
                values[row] = found[record_id][position[name]]
        index = table.schema.get_field_index(name)
        field = table.schema.field(index)
        table = table.set_column(index, field, pa.array(values, type=field.type))
    return table
