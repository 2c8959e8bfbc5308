"""Annotation cache for incremental rebuilds.

An article whose parsed content, metadata, split and annotator versions are unchanged is
not annotated again: its processed result is stored in SQLite under a key made of all of
those, so any change to them misses. Entries are data, checked on reading
(`cache_entries`).

The cache holds one generation: the builder's version and code, the schemas, the
annotator versions and the entry format. A build of another generation can use none of
the entries, so opening the cache under a new generation deletes them all and gives the
space back to the file system: a code edit replaces the cache instead of adding to it.

The cache only ever saves time: nothing in this module raises because of the state of
the cache file. A damaged or foreign file is moved aside (so its owner can still look at
it) and replaced by an empty cache; the builder's old pickle cache is deleted unread; an
unreadable or locked one is left alone and the build runs without it. Each of these
leaves a line in `AnnotationCache.warnings`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dataset_builder.build.cache_entries import (
    ENTRY_FORMAT,
    CacheEntryError,
    EncodedArticle,
    decode_article,
    encode_article,
)
from dataset_builder.build.worker import ProcessedArticle
from dataset_builder.config import PACKAGE_DIR, RESOURCES_DIR, SCHEMA_DIR, VERSION

CACHE_FILE = "annotations.sqlite"
# Suffix of a damaged or foreign cache file moved aside; a later one replaces it, so a
# cache that keeps being damaged does not fill the disk.
SET_ASIDE_SUFFIX = ".damaged"
# Seconds to wait for another build that is writing to a shared cache. Past this the
# cache is given up for the rest of the build: waiting on every article would be worse.
LOCK_TIMEOUT_SECONDS = 5.0

_ARTICLE_SQL = (
    "CREATE TABLE article (key TEXT PRIMARY KEY NOT NULL, meta TEXT NOT NULL, "
    "articles BLOB, teasers BLOB)"
)
_GENERATION_SQL = "CREATE TABLE generation (salt TEXT NOT NULL)"
# sqlite_master of a cache written by this module, and of the pickle cache before it. A
# cache written before generations were kept has no generation table: it is emptied as
# one of another generation.
_LAYOUT = {
    ("table", "article", _ARTICLE_SQL),
    ("index", "sqlite_autoindex_article_1", None),
    ("table", "generation", _GENERATION_SQL),
}
_PICKLE_LAYOUT = {
    ("table", "item", "CREATE TABLE item (key TEXT PRIMARY KEY, value BLOB)"),
    ("index", "sqlite_autoindex_item_1", None),
}
_SIDE_FILES = ("-journal", "-wal", "-shm")  # SQLite's companions of a database file


def _code_digest() -> str:
    """SHA-256 of the schemas and of the builder's code and resources.

    Any change to them -- an annotator rule, a duplicate-detection setting, the citation
    format -- starts a new generation. Named folders only: the same files in a checkout
    and in a wheel.
    """
    digest = hashlib.sha256()
    files = [*SCHEMA_DIR.glob("*.json"), *PACKAGE_DIR.rglob("*.py"), *RESOURCES_DIR.rglob("*.json")]
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def generation(annotators: Mapping[str, str]) -> str:
    """What a cached result depends on besides its article. Raises OSError."""
    settings = {
        "builder": VERSION,
        "annotators": dict(annotators),
        "entry_format": ENTRY_FORMAT,
        "code": _code_digest(),
    }
    return json.dumps(settings, sort_keys=True)


def _damaged(error: sqlite3.Error) -> bool:
    # Python raises DatabaseError itself for SQLITE_CORRUPT and SQLITE_NOTADB (and for
    # codes this module does not meet), a subclass of it for the rest: locked,
    # read-only, full, I/O error.
    return type(error) is sqlite3.DatabaseError


def _check_readable(path: Path) -> None:
    """Raise OSError if `path` exists but is not a file this process can read.

    SQLite would block on a FIFO, and says only "unable to open database file" of a
    file without read permission.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return  # a new cache
    if not stat.S_ISREG(info.st_mode):
        raise OSError("not a regular file")
    path.open("rb").close()


class _NotOurs(Exception):
    """A SQLite file with other tables: someone else's, or the builder's pickle cache."""

    def __init__(self, reason: str, *, pickles: bool = False) -> None:
        super().__init__(reason)
        self.pickles = pickles


class AnnotationCache:
    """Processed articles by key, in `folder/annotations.sqlite`.

    Never raises because of the cache file: whatever is wrong with it is a miss and a
    line in `warnings`, and the build goes on.
    """

    def __init__(
        self, folder: Path, annotators: Mapping[str, str], *, timeout: float | None = None
    ) -> None:
        self.path = folder / CACHE_FILE
        self.hits = 0
        self._timeout = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
        self._messages: list[str] = []
        # How many entries could not be read, results not stored; and the first reason.
        self._unread: tuple[int, str] = (0, "")
        self._unstored: tuple[int, str] = (0, "")
        self._db: sqlite3.Connection | None = None
        self._writable = False
        try:
            self._generation = generation(annotators)
        except OSError as error:
            self._generation = ""
            self._warn(f"cannot be used (builder code unreadable: {error}); building without it")
            return
        self._open()

    @property
    def warnings(self) -> list[str]:
        """What was wrong with the cache, one line each, naming the file; empty if nothing."""
        lines = list(self._messages)
        n, reason = self._unread
        if n:
            lines.append(
                f"cache {self.path}: {n} unreadable {'entry' if n == 1 else 'entries'} "
                f"({reason}); annotated again"
            )
        n, reason = self._unstored
        if n:
            lines.append(
                f"cache {self.path}: {n} {'result' if n == 1 else 'results'} not stored ({reason})"
            )
        return lines

    def _warn(self, text: str) -> None:
        self._messages.append(f"cache {self.path} {text}")

    # -- opening ---------------------------------------------------------------------------
    def _current(self, db: sqlite3.Connection) -> bool:
        """Whether the file has this module's tables and this generation.

        Raises _NotOurs for a file with any other table, index, view or trigger.
        """
        layout = {tuple(row) for row in db.execute("SELECT type, name, sql FROM sqlite_master")}
        if layout == _PICKLE_LAYOUT:
            raise _NotOurs("pickles", pickles=True)
        if not layout <= _LAYOUT:
            names = ", ".join(sorted(str(row[1]) for row in layout - _LAYOUT))
            raise _NotOurs(f"SQLite with other contents: {names}")
        if layout != _LAYOUT:
            return False
        return db.execute("SELECT salt FROM generation").fetchall() == [(self._generation,)]

    def _connect(self) -> sqlite3.Connection:
        """A connection to a cache of this module's layout holding only this generation."""
        _check_readable(self.path)
        db = sqlite3.connect(self.path, timeout=self._timeout)
        try:
            # SQLite's advice for files that others may have written: no functions run
            # from the schema, and cell sizes checked on every read.
            db.execute("PRAGMA trusted_schema = OFF")
            db.execute("PRAGMA cell_size_check = ON")
            # Read first, without the write lock: a file of this generation that the
            # builder may only read is still used.
            db.execute("BEGIN")
            if self._current(db):
                db.commit()
                return db
            # Writing: start again holding the write lock, so two builds opening a new
            # or outdated file at once do not both write it.
            db.rollback()
            db.execute("BEGIN IMMEDIATE")
            if not self._current(db):
                db.execute("DROP TABLE IF EXISTS article")
                db.execute("DROP TABLE IF EXISTS generation")
                db.execute(_ARTICLE_SQL)
                db.execute(_GENERATION_SQL)
                db.execute("INSERT INTO generation (salt) VALUES (?)", (self._generation,))
            db.commit()
            if db.execute("PRAGMA freelist_count").fetchone()[0]:
                # Give the old generation's pages back. If another build holds the file,
                # the pages stay free and the next results reuse them: the file does not
                # grow either way.
                with contextlib.suppress(sqlite3.OperationalError):
                    db.execute("VACUUM")
        except BaseException:
            db.close()  # rolls back
            raise
        return db

    def _open(self) -> None:
        """Open the cache, replacing a damaged or foreign file; warn if it cannot be used."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._connect()
            self._writable = True
        except FileExistsError:  # mkdir's "File exists" would not say which
            self._warn(f"cannot be used ({self.path.parent} is not a folder); building without it")
        except OSError as error:
            self._warn(f"cannot be used ({error.strerror or error}); building without it")
        except _NotOurs as error:
            if error.pickles:
                self._replace(
                    "was written by an earlier version of the builder, which stored pickles "
                    "(unsafe to load)",
                    delete=True,
                )
            else:
                self._replace(f"is not a cache of this builder ({error})")
        except sqlite3.Error as error:
            if _damaged(error):
                self._replace(f"is damaged ({error})")
            else:
                self._warn(f"cannot be used ({error}); building without it")

    def _replace(self, what: str, *, delete: bool = False) -> None:
        """Move the file aside (or delete it) and start an empty cache.

        Moved, not deleted: the folder is the builder's, but a file found there that it
        did not write may be someone's, and a damaged one is evidence of a disk problem.
        Only the builder's own pickle cache is deleted, unread.
        """
        self.close()
        aside = self.path.with_name(self.path.name + SET_ASIDE_SUFFIX)
        try:
            # The side files too: a journal left beside the old file would be applied
            # to the new one.
            for suffix in ("", *_SIDE_FILES):
                source = Path(f"{self.path}{suffix}")
                if not os.path.lexists(source):
                    continue
                if delete:
                    source.unlink()
                else:
                    os.replace(source, f"{aside}{suffix}")
        except OSError as error:
            self._warn(
                f"{what} and could not be moved aside ({error.strerror or error}); "
                "building without it"
            )
            return
        done = "deleted it" if delete else f"moved it to {aside}"
        self._warn(f"{what}; {done} and started an empty cache")
        try:
            self._db = self._connect()
            self._writable = True
        except (OSError, sqlite3.Error, _NotOurs) as error:
            self._warn(f"cannot be created ({error}); building without it")

    def _failed(self, error: sqlite3.Error, *, writing: bool) -> None:
        """Deal with an error of a read or write after opening."""
        if _damaged(error):
            self._replace(f"is damaged ({error})")
        elif writing:  # read-only, full, locked for too long: reading may still work
            self._writable = False
            self._warn(f"cannot be written ({error}); results of this build are not cached")
        else:
            self.close()
            self._warn(f"cannot be used ({error}); building without it")

    # -- use -------------------------------------------------------------------------------
    def key(self, record: Mapping[str, Any]) -> str:
        """Key of a parsed record (its split included) under this generation.

        The generation is part of the key, not only of the file: a build of other code
        sharing the folder may write its results after this one emptied the file.
        """
        text = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
        # surrogatepass: a file name that is not UTF-8 reaches the record as surrogates;
        # it must give a key, not stop the build.
        payload = (self._generation + text).encode("utf-8", "surrogatepass")
        return hashlib.sha256(payload).hexdigest()

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
            self._unread = (self._unread[0] + 1, self._unread[1] or str(error))
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
                self._unstored = (self._unstored[0] + 1, self._unstored[1] or str(error))
                continue
            rows.append((key, encoded.meta, encoded.articles, encoded.teasers))
        try:
            with self._db:  # one transaction: committed, or rolled back on error
                self._db.executemany(
                    "INSERT OR REPLACE INTO article (key, meta, articles, teasers) "
                    "VALUES (?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as error:
            self._failed(error, writing=True)

    def close(self) -> None:
        if self._db is not None:
            # Nothing is left to lose if closing fails: every put was committed.
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
