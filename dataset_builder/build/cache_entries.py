"""One entry of the annotation cache: a processed article as JSON and Arrow IPC.

The cache is data, never code: an entry is JSON (ids, split, problems, warnings,
hashes) and Arrow IPC record batches (the article's published rows), and every value
read back is checked before it is used. An entry that fails a check raises
`CacheEntryError` and is a miss, so a cache file someone else can write may at worst
cost a rebuild of that article; it can never run code in the builder (pickle, the
format this replaces, could).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from dataset_builder.build.dedup import NUM_PERM, Fingerprint, band_keys
from dataset_builder.build.worker import ProcessedArticle, Rows
from dataset_builder.config import SPLITS
from dataset_builder.ingest.records import Reject
from dataset_builder.validate.contract import arrow_schema

# Version of the entry format; part of the cache's generation, so a change of format
# empties the cache instead of failing every read.
ENTRY_FORMAT = 1

_META_KEYS = {
    "format",
    "record_id",
    "content_digest",
    "split",
    "language",
    "problems",
    "warnings",
    "signature",
    "related_count",
}
# Written out rather than read from Reject: a field added there must be added to the
# decoder too (a test compares the two).
_REJECT_KEYS = {"file", "rule", "message", "field", "line", "id", "counts"}


class CacheEntryError(ValueError):
    """A cache entry that cannot be used; the message says why. It counts as a miss."""


@dataclass(frozen=True)
class EncodedArticle:
    """A `ProcessedArticle` as stored: one row of the cache's table."""

    meta: str  # JSON: everything but the published rows
    articles: bytes | None  # Arrow IPC record batch: its row of `default`, if published
    teasers: bytes | None  # Arrow IPC record batch: its rows of `related`, if published


# -- encoding ---------------------------------------------------------------------------


def _message(table: pa.Table) -> bytes:
    """The rows of `table` as one Arrow IPC record batch message, without the schema.

    The schema is the configuration's, known to the reader: leaving it out keeps
    entries small, and the reader cannot be handed a type (an extension type, say) it
    did not ask for.
    """
    batches = table.combine_chunks().to_batches()
    batch = batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)
    data: bytes = batch.serialize().to_pybytes()
    return data


def encode_article(item: ProcessedArticle) -> EncodedArticle:
    """`item` as JSON and Arrow IPC; only its own rows of the chunk's tables are kept.

    Raises ValueError for an item the format cannot hold: rows not yet converted to
    Arrow (`row`, `teasers`), which `process_chunk` always converts.
    """
    if item.row is not None or item.teasers:
        raise ValueError("rows not converted to Arrow tables (see process_chunk)")
    rows = item.rows
    meta = json.dumps(
        {
            "format": ENTRY_FORMAT,
            "record_id": item.record_id,
            "content_digest": item.content_digest.hex(),
            "split": item.split,
            "language": item.language,
            "problems": [dataclasses.asdict(problem) for problem in item.problems],
            "warnings": list(item.warnings),
            # The band keys are not stored: they are derived from the signature on
            # reading, so the two cannot disagree.
            "signature": np.asarray(item.fingerprint.signature, dtype="<u4").tobytes().hex(),
            "related_count": None if rows is None else rows.related_count,
        },
        ensure_ascii=False,
    )
    if rows is None:
        return EncodedArticle(meta, None, None)
    # Slices: only the sliced rows are written, not the whole chunk's tables.
    return EncodedArticle(
        meta,
        _message(rows.default.slice(rows.index, 1)),
        _message(rows.related.slice(rows.related_start, rows.related_count)),
    )


# -- decoding: every value checked --------------------------------------------------------


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise CacheEntryError(f"{what} is not a string")
    try:
        # JSON can spell a lone surrogate ("\ud800"), which no UTF-8 file can hold:
        # it would stop the build when the report is written.
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CacheEntryError(f"{what} is not valid Unicode") from None
    return value


def _hex(value: object, what: str, sizes: tuple[int, ...]) -> bytes:
    try:
        data = bytes.fromhex(_text(value, what))
    except ValueError:
        raise CacheEntryError(f"{what} is not hexadecimal") from None
    if len(data) not in sizes:
        raise CacheEntryError(f"{what} has {len(data)} bytes")
    return data


def _count(value: object, what: str) -> int:
    # bool is an int in Python; a count that is true or false is a forgery.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise CacheEntryError(f"{what} is not a count")


def _reject(value: object) -> Reject:
    if not isinstance(value, dict) or set(value) != _REJECT_KEYS:
        raise CacheEntryError("a problem is not an object with the fields of a reject")
    if not isinstance(value["counts"], bool):
        raise CacheEntryError("problem counts is not a boolean")
    return Reject(
        file=_text(value["file"], "problem file"),
        rule=_text(value["rule"], "problem rule"),
        message=_text(value["message"], "problem message"),
        field=_text(value["field"], "problem field"),
        line=None if value["line"] is None else _count(value["line"], "problem line"),
        id=None if value["id"] is None else _text(value["id"], "problem id"),
        counts=value["counts"],
    )


def _table(data: object, config: str, rows: int) -> pa.Table:
    """The `rows` rows of `config` in an IPC record batch message, read as that schema."""
    if not isinstance(data, bytes):
        raise CacheEntryError(f"{config} rows are not bytes")
    schema = arrow_schema(config)
    try:
        batch = pa.ipc.read_record_batch(pa.py_buffer(data), schema)
        # Full validation: offsets, lengths and UTF-8 checked, so no later code reads
        # past a buffer or meets invalid text.
        batch.validate(full=True)
    except (pa.ArrowException, ValueError, EOFError, OSError) as error:
        raise CacheEntryError(f"{config} rows unreadable ({error})") from None
    if batch.num_rows != rows:
        raise CacheEntryError(f"{config} rows: {batch.num_rows}, expected {rows}")
    return pa.Table.from_batches([batch], schema=schema)


def decode_article(encoded: EncodedArticle) -> ProcessedArticle:
    """The `ProcessedArticle` stored as `encoded`.

    Raises CacheEntryError (a ValueError) for anything but an entry `encode_article`
    could have written: wrong JSON, a missing or extra field, a wrong type, a table of
    another schema or size.
    """
    if not isinstance(encoded.meta, str):
        raise CacheEntryError("metadata is not text")
    try:
        meta: Any = json.loads(encoded.meta)
    except (ValueError, RecursionError) as error:
        raise CacheEntryError(f"metadata is not JSON ({error})") from None
    if not isinstance(meta, dict) or set(meta) != _META_KEYS:
        raise CacheEntryError("metadata does not have the fields of an entry")
    if type(meta["format"]) is not int or meta["format"] != ENTRY_FORMAT:
        raise CacheEntryError(f"entry format {meta['format']!r}, expected {ENTRY_FORMAT}")
    split = _text(meta["split"], "split")
    if split not in SPLITS:
        raise CacheEntryError(f"split {split!r} is not one of {', '.join(SPLITS)}")
    problems, warnings = meta["problems"], meta["warnings"]
    if not isinstance(problems, list) or not isinstance(warnings, list):
        raise CacheEntryError("problems or warnings is not a list")
    signature = np.frombuffer(
        _hex(meta["signature"], "signature", (NUM_PERM * 4,)), dtype="<u4"
    ).astype(np.uint32)  # native order, and a writable copy
    item = ProcessedArticle(
        record_id=_text(meta["record_id"], "record_id"),
        # Empty for a reject that never got as far as hashing its content.
        content_digest=_hex(meta["content_digest"], "content_digest", (0, 32)),
        split=split,
        language=_text(meta["language"], "language"),
        row=None,
        teasers=[],
        problems=[_reject(problem) for problem in problems],
        warnings=[_text(warning, "warning") for warning in warnings],
        fingerprint=Fingerprint(signature, band_keys(signature)),
    )
    count = meta["related_count"]
    # The build publishes an article exactly when it has no problems, and then needs
    # its rows: an entry that says otherwise would stop the build.
    if item.problems:
        if count is not None or encoded.articles is not None or encoded.teasers is not None:
            raise CacheEntryError("a rejected article has rows")
        return item
    related_count = _count(count, "related_count")
    item.rows = Rows(
        default=_table(encoded.articles, "default", 1),
        index=0,
        related=_table(encoded.teasers, "related", related_count),
        related_start=0,
        related_count=related_count,
    )
    return item
