"""Write published records as Parquet shards with fixed settings."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dataset_builder.config import CONFIGS, SPLITS, usable_cores
from dataset_builder.validate.contract import arrow_schema, hf_features_dict

# Row groups of this many rows (a few MiB of text) keep Polars and datasets streaming
# reads cheap and memory bounded, with enough rows per group for good compression.
ROW_GROUP_SIZE = 1_000


# A new shard starts once a shard holds this many bytes of compressed data.
TARGET_SHARD_BYTES = 256 * 1024 * 1024


PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "store_schema": True,
}


Converter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _converter(kind: pa.DataType) -> Converter:
    """A function turning a JSON-style value (ISO dates, nested dicts) into one for `kind`.

    Built once per type: looking types up for every value costs more than converting.
    """
    if pa.types.is_date32(kind):
        return lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else v
    if pa.types.is_list(kind):
        item = _converter(kind.value_type)
        if item is _identity:
            return _identity
        return lambda v: None if v is None else [item(x) for x in v]
    if pa.types.is_struct(kind):
        fields = [(f.name, _converter(f.type)) for f in kind]
        if all(convert is _identity for _, convert in fields):
            return _identity  # Arrow reads the dict as it is (topics, evidence)
        return lambda v: None if v is None else {n: c(v.get(n)) for n, c in fields}
    return _identity


@cache
def _row_converters(config: str) -> list[tuple[str, Converter]]:
    return [(f.name, _converter(f.type)) for f in arrow_schema(config)]


@cache
def published_schema(config: str) -> pa.Schema:
    """Arrow schema plus the Hugging Face features, so `datasets` restores them exactly."""
    metadata = {"huggingface": json.dumps({"info": {"features": hf_features_dict(config)}})}
    return arrow_schema(config).with_metadata(metadata)


def arrow_row(record: Mapping[str, Any], config: str) -> dict[str, Any]:
    """A validated record in the column order and Python types of its Arrow schema."""
    return {name: convert(record.get(name)) for name, convert in _row_converters(config)}


def rows_to_table(rows: list[dict[str, Any]], config: str) -> pa.Table:
    """Rows made by `arrow_row` as a table of the configuration's Arrow schema."""
    return pa.Table.from_pylist(rows, schema=arrow_schema(config))


def shard_name(split: str, index: int, count: int) -> str:
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


class ParquetSink:
    """Appends records to per-configuration, per-split Parquet shards.

    Rows are buffered as Arrow tables and written in row groups of exactly
    ROW_GROUP_SIZE rows (the last one smaller), so the files do not depend on the batch
    size or the number of workers that produced them.

    Row groups are compressed in threads (Arrow does it without holding the interpreter),
    as many as there are cores, so files of different configurations and splits are
    compressed side by side; each file's row groups are written in order, and a file has
    at most one row group waiting, so memory stays bounded.
    """

    def __init__(self, root: Path, target_shard_bytes: int = TARGET_SHARD_BYTES) -> None:
        self.root = root
        self.target_shard_bytes = target_shard_bytes
        self._writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self._shards: dict[tuple[str, str], list[Path]] = {}
        self._buffers: dict[tuple[str, str], list[pa.Table]] = {}
        self.rows: dict[tuple[str, str], int] = {(c, s): 0 for c in CONFIGS for s in SPLITS}
        # As many threads as cores: each compression in flight holds its buffers.
        self._threads = ThreadPoolExecutor(max_workers=usable_cores())
        self._writing: dict[tuple[str, str], Future[None]] = {}

    def _open(self, key: tuple[str, str]) -> pq.ParquetWriter:
        config, split = key
        shards = self._shards.setdefault(key, [])
        path = self.root / "data" / config / f".{split}-{len(shards):05d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        shards.append(path)
        writer = pq.ParquetWriter(path, published_schema(config), **PARQUET_OPTIONS)
        self._writers[key] = writer
        return writer

    def write(self, config: str, split: str, rows: pa.Table) -> None:
        """Append rows (a table of the configuration's Arrow schema, see `rows_to_table`)."""
        if not rows.num_rows:
            return
        key = (config, split)
        buffer = self._buffers.setdefault(key, [])
        buffer.append(rows)
        self.rows[key] += rows.num_rows
        if sum(table.num_rows for table in buffer) >= ROW_GROUP_SIZE:
            self._flush(key, final=False)

    def _flush(self, key: tuple[str, str], final: bool) -> None:
        buffer = self._buffers.pop(key, [])
        if not buffer:
            return
        table = pa.concat_tables(buffer)
        full = table.num_rows if final else table.num_rows - table.num_rows % ROW_GROUP_SIZE
        if full < table.num_rows:
            self._buffers[key] = [table.slice(full)]
        if full:
            self._wait(key)  # the file's previous row groups first
            self._writing[key] = self._threads.submit(self._write_groups, key, table, full)

    def _wait(self, key: tuple[str, str]) -> None:
        writing = self._writing.pop(key, None)
        if writing is not None:
            writing.result()  # raises what the writing raised

    def _write_groups(self, key: tuple[str, str], table: pa.Table, full: int) -> None:
        for start in range(0, full, ROW_GROUP_SIZE):
            writer = self._writers.get(key) or self._open(key)
            # One contiguous chunk per row group: the bytes written then depend only on
            # the rows, not on how batches and chunks happened to split them.
            rows = table.slice(start, min(ROW_GROUP_SIZE, full - start)).combine_chunks()
            writer.write_table(rows)
            if self._shards[key][-1].stat().st_size >= self.target_shard_bytes:
                writer.close()
                del self._writers[key]

    def abort(self) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)
        self._writing.clear()
        for writer in self._writers.values():
            # The build is failing already: its own error is the one to report.
            with contextlib.suppress(Exception):
                writer.close()
        self._writers.clear()

    def close(self) -> dict[str, dict[str, list[str]]]:
        """Finish every shard and name it `<split>-NNNNN-of-NNNNN.parquet`.

        A split with no rows gets no file: `datasets` cannot load an empty Parquet
        split, and a missing split is how a Hub dataset says it has none.
        """
        try:
            for key in list(self._buffers):
                self._flush(key, final=True)
            for key in list(self._writing):
                self._wait(key)
        finally:
            self._threads.shutdown(wait=True, cancel_futures=True)
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        files: dict[str, dict[str, list[str]]] = {}
        for config in CONFIGS:
            for split in SPLITS:
                shards = self._shards.get((config, split), [])
                names = []
                for index, shard in enumerate(shards):
                    final = shard.with_name(shard_name(split, index, len(shards)))
                    shard.replace(final)
                    names.append(final.relative_to(self.root).as_posix())
                if names:
                    files.setdefault(config, {})[split] = names
        return files


def gather(pieces: list[tuple[pa.Table, int, int]]) -> pa.Table:
    """The rows (table, start, count) of `pieces`, in order, as one table.

    Consecutive ranges of one table become a single slice.
    """
    slices: list[pa.Table] = []
    table, start, count = pieces[0]
    for next_table, next_start, next_count in pieces[1:]:
        if next_table is table and next_start == start + count:
            count += next_count
            continue
        slices.append(table.slice(start, count))
        table, start, count = next_table, next_start, next_count
    slices.append(table.slice(start, count))
    # A copy: slices would keep every chunk's whole table alive while the sink buffers
    # them towards a full row group.
    return pa.concat_tables(slices).combine_chunks()
