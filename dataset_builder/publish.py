"""Write published records as Parquet, into a staging folder swapped in when complete.

Rows are appended in batches (memory stays bounded by the batch size), converted to the
Arrow schema derived from `schema/`, and written with fixed settings so the same records
always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dataset_builder.config import CONFIGS, SPLITS
from dataset_builder.contract import arrow_schema, hf_features_dict
from dataset_builder.manifest import MANIFEST

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
    """

    def __init__(self, root: Path, target_shard_bytes: int = TARGET_SHARD_BYTES) -> None:
        self.root = root
        self.target_shard_bytes = target_shard_bytes
        self._writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self._shards: dict[tuple[str, str], list[Path]] = {}
        self._buffers: dict[tuple[str, str], list[pa.Table]] = {}
        self.rows: dict[tuple[str, str], int] = {(c, s): 0 for c in CONFIGS for s in SPLITS}

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
        for start in range(0, full, ROW_GROUP_SIZE):
            writer = self._writers.get(key) or self._open(key)
            # One contiguous chunk per row group: the bytes written then depend only on
            # the rows, not on how batches and chunks happened to split them.
            rows = table.slice(start, min(ROW_GROUP_SIZE, full - start)).combine_chunks()
            writer.write_table(rows)
            if self._shards[key][-1].stat().st_size >= self.target_shard_bytes:
                writer.close()
                del self._writers[key]
        if full < table.num_rows:
            self._buffers[key] = [table.slice(full)]

    def close(self) -> dict[str, dict[str, list[str]]]:
        """Finish every shard and name it `<split>-NNNNN-of-NNNNN.parquet`.

        A split with no rows gets no file: `datasets` cannot load an empty Parquet
        split, and a missing split is how a Hub dataset says it has none.
        """
        for key in list(self._buffers):
            self._flush(key, final=True)
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


class UnsafeOutput(Exception):
    """The output folder is not one the builder may replace; the message says why."""


def lock_file(output: Path) -> Path:
    """The lock of a release folder: beside it, so it exists before the release does."""
    resolved = output.resolve()
    return resolved.parent / f".{resolved.name}.lock"


def check_output(output: Path, apart: Mapping[str, Path], outside: Mapping[str, Path]) -> None:
    """Refuse an output folder that a build must not replace.

    A build replaces its output folder whole, so the folder must be a release of this
    builder (recognised by its manifest) or empty or new; none of the folders in `apart`
    (named by their role) may contain it or lie inside it, and none in `outside` may lie
    inside it. Raises UnsafeOutput before anything is written.
    """
    if output.is_symlink():
        raise UnsafeOutput(f"--output {output} is a symbolic link; give the folder itself")
    if output.exists() and not output.is_dir():
        raise UnsafeOutput(f"--output {output} is a file, not a release folder")
    resolved = output.resolve()
    for role, folder in {**apart, **outside}.items():
        other = folder.resolve()
        if other == resolved or other.is_relative_to(resolved):
            raise UnsafeOutput(
                f"--output {output} holds the {role} {folder}: publishing replaces the whole "
                "output folder, which would delete it; choose another --output"
            )
        if role in apart and resolved.is_relative_to(other):
            raise UnsafeOutput(
                f"--output {output} is inside the {role} {folder}; choose a folder outside it"
            )
    if output.is_dir():
        foreign = foreign_files(output)
        if foreign:
            shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise UnsafeOutput(
                f"--output {output} is not a release written by dataset-builder (it holds "
                f"{shown}); the builder replaces only its own releases: choose another "
                "--output, or move those files away"
            )
        unwritable = [
            folder for folder, _, _ in os.walk(output) if not os.access(folder, os.W_OK | os.X_OK)
        ]
        if unwritable:
            raise UnsafeOutput(
                f"{unwritable[0]} is read-only, so the previous release in --output {output} "
                f"could not be replaced; make it writable (chmod -R u+w {output})"
            )


def foreign_files(folder: Path) -> list[str]:
    """Files in `folder` that its manifest does not list (all of them if it has none)."""
    listed: set[str] = {MANIFEST}
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed.update(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no readable manifest: nothing in the folder is known to be the builder's
    return sorted(
        name
        for name in (
            (Path(base) / entry).relative_to(folder).as_posix()
            for base, _, entries in os.walk(folder)
            for entry in entries
        )
        if name not in listed
    )


def staging_folder(output: Path) -> Path:
    """A fresh folder beside `output`, on the same file system so the swap is a rename.

    Readable as any folder the user makes (mkdtemp makes it private to its owner).
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{output.name}-staging-"
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=output.parent))
    umask = os.umask(0o022)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    return staging


def _retired(output: Path) -> list[Path]:
    """Previous releases set aside by swaps, newest first."""
    found = output.parent.glob(f".{output.name}-retired*")
    return sorted(found, key=lambda path: path.stat().st_mtime, reverse=True)


def swap_into_place(staging: Path, output: Path) -> list[str]:
    """Replace `output` by `staging`; the old folder is removed only after the swap.

    Two renames on one file system: if the process dies between them, `output` is
    missing and `.<output>-retired-*` holds the previous release, which
    `recover_interrupted_swap` puts back before the next build. Returns warnings about
    what could not be tidied once the new release is in place.
    """
    retired = None
    if output.exists():
        retired = output.with_name(f".{output.name}-retired-{secrets.token_hex(4)}")
        output.rename(retired)
    try:
        staging.rename(output)
    except OSError:
        if retired is not None:
            retired.rename(output)
        raise
    if retired is None:
        return []
    try:
        shutil.rmtree(retired)
    except OSError as error:
        return [
            f"the previous release could not be removed ({error.strerror}: {error.filename}); "
            f"it is kept in {retired}: remove it by hand"
        ]
    return []


def recover_interrupted_swap(output: Path) -> list[str]:
    """Restore the previous release if a swap was cut short; drop leftover staging folders.

    Call only while holding the output's lock: then no other build is writing beside
    `output`, and every staging folder there is debris.
    """
    warnings = []
    retired = _retired(output)
    if retired and not output.exists():
        retired.pop(0).rename(output)
    for leftover in [*retired, *output.parent.glob(f".{output.name}-staging-*")]:
        try:
            shutil.rmtree(leftover)
        except OSError as error:
            warnings.append(
                f"{leftover}: a leftover of an earlier build could not be removed ({error.strerror})"
            )
    return warnings
