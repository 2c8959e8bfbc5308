"""Annotation cache for incremental rebuilds.

An article whose parsed content, metadata, split and annotator versions are unchanged is
not annotated again: its processed result is stored in SQLite under a key made of all of
those, plus the schema files and the builder's version, so any change to them misses.

The cache is data, never code: a result is stored as JSON (ids, split, problems,
warnings, hashes) and Arrow IPC record batches (the article's published rows), and
every value read back is checked before it is used. An entry that fails a check is a
miss, so a cache file someone else can write may at worst cost a rebuild of that
article; it can never run code in the builder (pickle, the format this replaces, could).

The cache folder belongs to the builder, and the cache only ever saves time: nothing in
this module raises because of the state of the cache file. A damaged, truncated or
foreign file is moved aside (so its owner can still look at it) and replaced by an empty
cache; an unreadable or locked one is left alone and the build runs without it. Each of
these leaves a message in `AnnotationCache.warnings`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from dataset_builder.build.dedup import NUM_PERM, Fingerprint, band_keys
from dataset_builder.config import SCHEMA_DIR, SPLITS, VERSION
from dataset_builder.ingest.records import Reject
from dataset_builder.validate.contract import arrow_schema

if TYPE_CHECKING:  # pipeline imports this module: the classes are imported where used
    from dataset_builder.build.worker import ProcessedArticle

PACKAGE_DIR = Path(__file__).resolve().parent.parent
CACHE_FILE = "annotations.sqlite"
# Suffix of a damaged or foreign cache file moved aside; a later one replaces it, so a
# cache that keeps being damaged does not fill the disk.
SET_ASIDE_SUFFIX = ".damaged"
# Seconds to wait for another build that is writing to a shared cache. Past this the
# cache is given up for the rest of the build: waiting on every article would be worse.
LOCK_TIMEOUT_SECONDS = 5.0
# Version of the entry format; part of every key, so a change of format only misses.
ENTRY_FORMAT = 1

_TABLE_SQL = (
    "CREATE TABLE article (key TEXT PRIMARY KEY NOT NULL, meta TEXT NOT NULL, "
    "articles BLOB, teasers BLOB)"
)
# sqlite_master of a cache written by this module, and of the pickle cache it replaces.
_LAYOUT = {("table", "article", _TABLE_SQL), ("index", "sqlite_autoindex_article_1", None)}
_PICKLE_LAYOUT = {
    ("table", "item", "CREATE TABLE item (key TEXT PRIMARY KEY, value BLOB)"),
    ("index", "sqlite_autoindex_item_1", None),
}
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDE_FILES = ("-journal", "-wal", "-shm")  # SQLite's companions of a database file
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
_REJECT_KEYS = {"file", "rule", "message", "field", "line", "id", "counts"}


class CacheEntryError(ValueError):
    """A cache entry that cannot be used; the message says why. It counts as a miss."""


@dataclass(frozen=True)
class EncodedArticle:
    """A `ProcessedArticle` as stored: one row of the cache's table."""

    meta: str  # JSON: everything but the published rows
    articles: bytes | None  # Arrow IPC record batch: its row of `default`, if published
    teasers: bytes | None  # Arrow IPC record batch: its rows of `related`, if published


# -- encoding -------------------------------------------------------------------------


def _message(table: pa.Table) -> bytes:
    """The rows of `table` as one Arrow IPC record batch message, without the schema.

    The schema is the configuration's, known to the reader: leaving it out saves 7 KiB
    an entry, and the reader cannot be handed a type (an extension type, say) it did not
    ask for.
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
    meta: dict[str, Any] = {
        "format": ENTRY_FORMAT,
        "record_id": item.record_id,
        "content_digest": item.content_digest.hex(),
        "split": item.split,
        "language": item.language,
        # Field by field, as `_reject` reads them (a test compares with Reject's fields).
        "problems": [
            {
                "file": problem.file,
                "rule": problem.rule,
                "message": problem.message,
                "field": problem.field,
                "line": problem.line,
                "id": problem.id,
                "counts": problem.counts,
            }
            for problem in item.problems
        ],
        "warnings": list(item.warnings),
        # The band keys are not stored: they are derived from the signature on reading,
        # so the two cannot disagree.
        "signature": np.asarray(item.fingerprint.signature, dtype="<u4").tobytes().hex(),
        "related_count": None if rows is None else rows.related_count,
    }
    if rows is None:
        return EncodedArticle(json.dumps(meta, ensure_ascii=False), None, None)
    # Slices: only the sliced rows are written, not the whole chunk's tables.
    return EncodedArticle(
        json.dumps(meta, ensure_ascii=False),
        _message(rows.default.slice(rows.index, 1)),
        _message(rows.related.slice(rows.related_start, rows.related_count)),
    )


# -- decoding: every value checked ------------------------------------------------------


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
    line = value["line"]
    if line is not None:
        _count(line, "problem line")
    if not isinstance(value["counts"], bool):
        raise CacheEntryError("problem counts is not a boolean")
    return Reject(
        file=_text(value["file"], "problem file"),
        rule=_text(value["rule"], "problem rule"),
        message=_text(value["message"], "problem message"),
        field=_text(value["field"], "problem field"),
        line=line,
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
    from dataset_builder.build.worker import ProcessedArticle, Rows

    if not isinstance(encoded.meta, str):
        raise CacheEntryError("metadata is not text")
    try:
        meta = json.loads(encoded.meta)
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


# -- the cache file ----------------------------------------------------------------------


def _code_digest() -> str:
    """SHA-256 of the schemas and of the builder's code and resources.

    Any change to them -- an annotator rule, a duplicate-detection setting, the citation
    format -- invalidates every cached result.
    """
    digest = hashlib.sha256()
    files = [*SCHEMA_DIR.glob("*.json"), *PACKAGE_DIR.rglob("*.py"), *PACKAGE_DIR.rglob("*.json")]
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class _Unusable(Exception):
    """Why the cache file cannot be used: `kind` decides what is done about it.

    damaged, foreign: moved aside and replaced; pickle: deleted and replaced (the
    builder's own obsolete format); unreadable, locked, readonly: left alone.
    """

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_KINDS = {
    3: "unreadable",  # SQLITE_PERM
    5: "locked",  # SQLITE_BUSY
    6: "locked",  # SQLITE_LOCKED
    8: "readonly",  # SQLITE_READONLY
    10: "unreadable",  # SQLITE_IOERR
    11: "damaged",  # SQLITE_CORRUPT
    13: "full",  # SQLITE_FULL
    14: "unreadable",  # SQLITE_CANTOPEN
    23: "unreadable",  # SQLITE_AUTH
    26: "damaged",  # SQLITE_NOTADB
}
# Python before 3.11 gives only the message.
_SQLITE_MESSAGES = (
    ("not a database", "damaged"),
    ("malformed", "damaged"),
    ("locked", "locked"),
    ("readonly", "readonly"),
    ("read-only", "readonly"),
    ("disk is full", "full"),
    ("unable to open", "unreadable"),
    ("i/o error", "unreadable"),
)


def _kind(error: sqlite3.Error) -> str:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_KINDS:
        return _SQLITE_KINDS[code & 0xFF]
    message = str(error).lower()
    return next((kind for text, kind in _SQLITE_MESSAGES if text in message), "unusable")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _access_problem(path: Path) -> _Unusable | None:
    """Why the file cannot be read at all, if it cannot; checked before SQLite opens it.

    Anything but a regular file is refused (SQLite would block on a FIFO), and a file
    without read permission gets the system's reason rather than SQLite's "unable to
    open database file".
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return None  # a new cache
    except OSError as error:
        return _Unusable("unreadable", error.strerror or str(error))
    if not stat.S_ISREG(info.st_mode):
        return _Unusable("unreadable", "not a regular file")
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        return _Unusable("unreadable", error.strerror or str(error))
    return None


def _header_problem(path: Path) -> _Unusable | None:
    """What the first 100 bytes say is wrong with the file.

    Catches what SQLite would only notice at the first read of a missing page: a file
    cut short. Must run while SQLite holds a shared lock on the file: a build writing
    to a shared cache updates the header before it extends the file.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        return _Unusable("unreadable", error.strerror or str(error))
    if size == 0:
        return None  # SQLite's empty database
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return _Unusable("damaged", "file is not a database")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return _Unusable("damaged", f"page size {page_size} in the header")
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when the change counter and "version valid for"
    # agree, and means nothing in WAL mode (bytes 18-19 = 2), where pages may be in the log.
    valid = header[24:28] == header[92:96] and header[18] != 2 and header[19] != 2
    if valid and size < pages * page_size:
        return _Unusable("damaged", f"file is truncated: {size} of {pages * page_size} bytes")
    return None


class AnnotationCache:
    """Processed articles by key, in `folder/annotations.sqlite`.

    Never raises because of the cache file: whatever is wrong with it is a miss and a
    message in `warnings`, and the build goes on.
    """

    def __init__(
        self, folder: Path, annotators: Mapping[str, str], *, timeout: float | None = None
    ) -> None:
        self.path = folder / CACHE_FILE
        self.hits = 0
        self._timeout = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
        self._messages: list[str] = []
        self._bad_entries = 0
        self._first_bad = ""
        self._unstored = 0
        self._first_unstored = ""
        self._db: sqlite3.Connection | None = None
        self._writable = False
        self._opened: tuple[int, int] | None = None  # the file checked, for a safe move
        settings = {
            "builder": VERSION,
            "annotators": dict(annotators),
            "entry_format": ENTRY_FORMAT,
        }
        salt = json.dumps(settings, sort_keys=True)
        try:
            salt += _code_digest()
        except OSError as error:
            self._salt = salt.encode()
            self._warn(f"cannot be used (builder code unreadable: {error})")
            return
        self._salt = salt.encode()
        self._open()

    # -- messages ------------------------------------------------------------------------
    @property
    def warnings(self) -> list[str]:
        """What was wrong with the cache, one line each, naming the file; empty if nothing."""
        messages = list(self._messages)
        if self._bad_entries:
            n = self._bad_entries
            messages.append(
                f"cache {self.path}: {n} {'entry' if n == 1 else 'entries'} could not be read "
                f"({self._first_bad}); {'that article was' if n == 1 else 'those articles were'}"
                " annotated again"
            )
        if self._unstored:
            n = self._unstored
            messages.append(
                f"cache {self.path}: {n} {'result' if n == 1 else 'results'} could not be "
                f"stored ({self._first_unstored})"
            )
        return messages

    def _warn(self, text: str) -> None:
        self._messages.append(f"cache {self.path} {text}")

    # -- opening -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        """A connection to a cache file of this module's layout, created if new."""
        # Which file is examined: only that one may be moved aside if it is found wrong.
        self._opened = _identity(self.path)
        problem = _access_problem(self.path)
        if problem is not None:
            raise problem
        try:
            db = sqlite3.connect(self.path, timeout=self._timeout)
        except sqlite3.Error as error:
            raise _Unusable(_kind(error), str(error)) from None
        try:
            # SQLite's advice for files that others may have written: no functions run
            # from the schema, and cell sizes checked on every read.
            db.execute("PRAGMA trusted_schema = OFF")
            db.execute("PRAGMA cell_size_check = ON")
            # One transaction: its shared lock keeps other builds from writing while the
            # file is examined, and a new file gets its table atomically.
            db.execute("BEGIN")
            layout = {tuple(row) for row in db.execute("SELECT type, name, sql FROM sqlite_master")}
            problem = _header_problem(self.path)
            if problem is not None:
                raise problem
            if not layout:
                db.execute(_TABLE_SQL)
            elif layout == _PICKLE_LAYOUT:
                raise _Unusable("pickle", "pickles")
            elif layout != _LAYOUT:
                names = ", ".join(sorted(str(row[1]) for row in layout if row[0] == "table"))
                raise _Unusable("foreign", f"SQLite with other tables: {names or 'none'}")
            db.commit()
            self._opened = _identity(self.path)  # SQLite may just have created it
        except sqlite3.Error as error:
            db.close()
            kind = _kind(error)
            # SQLite says "malformed" of a file cut short; the header can say more.
            # (Without the lock now, but a file SQLite found damaged is no longer one
            # that is being written.)
            precise = _header_problem(self.path) if kind == "damaged" else None
            if precise is not None and precise.kind == "damaged":
                raise precise from None
            raise _Unusable(kind, str(error)) from None
        except _Unusable:
            db.close()  # rolls back
            raise
        return db

    def _open(self, again: str = "annotating every article again") -> None:
        """Open the cache, replacing a damaged or foreign file once; warn if it cannot be.

        `again` says what the user loses: every article at the start of a build, the
        rest of them when the damage shows up half-way.
        """
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = self._connect()
            self._writable = True
            return
        except FileExistsError:  # mkdir's "File exists" would not say which
            problem = _Unusable("unreadable", f"{folder} is not a folder")
        except OSError as error:
            problem = _Unusable("unreadable", f"{folder}: {error.strerror or error}")
        except _Unusable as unusable:
            problem = unusable
        if problem.kind in ("damaged", "foreign", "pickle"):
            self._replace(problem, again)
        elif problem.kind == "locked":
            self._warn(
                f"is locked by another process ({problem.reason}); building without it, {again}"
            )
        elif problem.kind == "readonly":
            self._warn(f"cannot be written ({problem.reason}); building without it, {again}")
        else:
            self._warn(f"cannot be opened ({problem.reason}); building without it, {again}")

    def _replace(self, problem: _Unusable, again: str) -> None:
        """Move a damaged or foreign file aside (delete an obsolete pickle cache), start anew.

        Moved, not deleted: the folder is the builder's, but a file found there that it
        did not write may be someone's, and a damaged one is evidence of a disk problem.
        """
        path = self.path
        aside = path.with_name(path.name + SET_ASIDE_SUFFIX)
        # Another build sharing the cache may have replaced the file already: move only
        # the file that was found wrong, never its fresh replacement.
        same = self._opened is not None and _identity(path) == self._opened
        try:
            for suffix in ("", *_SIDE_FILES) if same else ():
                # A journal left beside the old file would be applied to the new one.
                source = Path(f"{path}{suffix}")
                if not os.path.lexists(source):
                    continue
                if problem.kind == "pickle":
                    source.unlink()
                else:
                    os.replace(source, f"{aside}{suffix}")
        except OSError as error:
            self._warn(
                f"cannot be used ({problem.reason}) and could not be moved aside "
                f"({error.strerror or error}); building without it, {again}"
            )
            return
        if not same:
            self._warn(f"was unusable ({problem.reason}) and has been replaced meanwhile; {again}")
        elif problem.kind == "pickle":
            self._warn(
                "was written by an earlier version of the builder, which stored pickles "
                f"(unsafe to load); deleted it and started an empty cache; {again}"
            )
        else:
            what = "is damaged" if problem.kind == "damaged" else "is not a cache of this builder"
            self._warn(
                f"{what} ({problem.reason}); moved it to {aside} and started an empty cache; "
                f"{again}"
            )
        try:
            self._db = self._connect()
            self._writable = True
        except _Unusable as failure:
            self._warn(f"cannot be created ({failure.reason}); building without it")

    def _failed(self, error: sqlite3.Error, writing: bool) -> bool:
        """Deal with an error of a read or write; True if the cache was replaced."""
        kind = _kind(error)
        if kind in ("readonly", "full") and writing:
            self._writable = False
            self._warn(f"cannot be written ({error}); results of this build are not cached")
            return False
        self.close()
        if kind == "damaged":
            self._replace(_Unusable(kind, str(error)), "articles not yet read are annotated again")
            return self._db is not None
        if kind == "locked":
            self._warn(
                f"is locked by another process ({error}); not used for the rest of the build"
            )
        else:
            self._warn(f"cannot be used ({error}); not used for the rest of the build")
        return False

    # -- use -----------------------------------------------------------------------------
    def key(self, record: Mapping[str, Any]) -> str:
        """Key of a parsed record (its split included) under this code and these annotators."""
        text = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
        # surrogatepass: a file name that is not UTF-8 reaches the record as surrogates;
        # it must give a key, not stop the build.
        payload = text.encode("utf-8", "surrogatepass")
        return hashlib.sha256(self._salt + payload).hexdigest()

    def get(self, key: str) -> ProcessedArticle | None:
        """The cached result, or None: a missing, unreadable or invalid entry is a miss."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT meta, articles, teasers FROM article WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.Error as error:
            self._failed(error, writing=False)
            return None
        if row is None:
            return None
        try:
            item = decode_article(EncodedArticle(*row))
        except CacheEntryError as error:
            self._bad_entries += 1
            self._first_bad = self._first_bad or str(error)
            return None
        self.hits += 1
        return item

    def put(self, items: Iterable[tuple[str, ProcessedArticle]]) -> None:
        """Store results; one the format cannot hold is left out (a miss next time)."""
        if self._db is None or not self._writable:
            return
        rows: list[tuple[str, str, bytes | None, bytes | None]] = []
        for key, item in items:
            try:
                encoded = encode_article(item)
            except (ValueError, TypeError) as error:
                self._unstored += 1
                self._first_unstored = self._first_unstored or str(error)
                continue
            rows.append((key, encoded.meta, encoded.articles, encoded.teasers))
        for _attempt in range(2):  # once more in a new cache, if the old one was damaged
            if self._db is None:
                return
            try:
                with self._db:  # one transaction: committed, or rolled back on error
                    self._db.executemany(
                        "INSERT OR REPLACE INTO article (key, meta, articles, teasers) "
                        "VALUES (?, ?, ?, ?)",
                        rows,
                    )
                return
            except sqlite3.Error as error:
                if not self._failed(error, writing=True):
                    return

    def close(self) -> None:
        if self._db is not None:
            # Nothing is left to lose if closing fails: every put was committed.
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
