"""The annotation cache holds data only, and a broken cache costs time, never the build."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pickle
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import dataset_builder.build.cache as cache_module
import dataset_builder.build.cache_entries as entries_module
from dataset_builder.build.cache import CACHE_FILE, SET_ASIDE_SUFFIX, AnnotationCache
from dataset_builder.build.cache_entries import (
    CacheEntryError,
    EncodedArticle,
    decode_article,
    encode_article,
)
from dataset_builder.build.dedup import fingerprint
from dataset_builder.build.report import BuildReport
from dataset_builder.build.worker import ProcessedArticle, process_chunk
from dataset_builder.ingest.read import read_input
from dataset_builder.ingest.records import Reject
from tests.conftest import SEEDS, build_copy

ANNOTATORS = {"test": "1"}


# -- what a build did with its cache ---------------------------------------------------------


@dataclass
class CacheUse:
    """Hits and warnings of the caches closed during a test (the build closes its own)."""

    closed: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def hits(self) -> int:
        return self.closed[-1][0]

    @property
    def warnings(self) -> list[str]:
        return self.closed[-1][1]


@pytest.fixture
def use(monkeypatch: pytest.MonkeyPatch) -> CacheUse:
    seen = CacheUse()
    close = AnnotationCache.close

    def recording_close(self: AnnotationCache) -> None:
        seen.closed.append((self.hits, self.warnings))
        close(self)

    monkeypatch.setattr(AnnotationCache, "close", recording_close)
    return seen


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _build(tmp: Path, cache: Path) -> tuple[Path, BuildReport]:
    return build_copy(tmp, cache_dir=cache)


def _same_release(
    release: Path, seed_release: tuple[Path, BuildReport], exact: bool = False
) -> None:
    """`release` is the release built without a cache.

    Byte for byte when `exact`; otherwise the build report may also list the cache's
    warnings (and the manifest then hashes another report).
    """
    built, expected = _files(release), _files(seed_release[0])
    if not exact:
        for name in ("build_report.json", "MANIFEST.json"):
            assert (name in built) == (name in expected)
            built.pop(name, None)
            expected.pop(name, None)
        report, reference = (
            json.loads((folder / "build_report.json").read_text(encoding="utf-8"))
            for folder in (release, seed_release[0])
        )
        report.pop("warnings"), reference.pop("warnings")
        assert report == reference
    assert built == expected


# -- encoding ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def processed() -> list[ProcessedArticle]:
    """The seeds, processed in one chunk, as a worker returns them."""
    records = []
    for path in sorted(SEEDS.glob("*.txt")):
        _, items = read_input(path, SEEDS, parse=False)
        for item in items:
            assert isinstance(item, dict)
            item["split"] = "validation"
            records.append(item)
    done = process_chunk(records)
    assert len(done) == 5 and all(item.rows is not None for item in done)
    return done


def test_round_trip_of_published_articles(processed: list[ProcessedArticle]) -> None:
    for item in processed:
        back = decode_article(encode_article(item))
        assert (back.record_id, back.content_digest, back.split, back.language) == (
            item.record_id,
            item.content_digest,
            item.split,
            item.language,
        )
        assert back.problems == item.problems and back.warnings == item.warnings
        assert back.row is None and back.teasers == []
        np.testing.assert_array_equal(back.fingerprint.signature, item.fingerprint.signature)
        np.testing.assert_array_equal(back.fingerprint.band_keys, item.fingerprint.band_keys)
        assert back.fingerprint.signature.dtype == np.uint32
        assert back.fingerprint.band_keys.dtype == np.int64
        rows, kept = back.rows, item.rows
        assert rows is not None and kept is not None
        # Only this article's rows, out of the chunk's shared tables.
        assert rows.default.equals(kept.default.slice(kept.index, 1))
        assert rows.related.equals(kept.related.slice(kept.related_start, kept.related_count))
        assert (rows.index, rows.related_start, rows.related_count) == (0, 0, kept.related_count)


def test_round_trip_of_a_rejected_article() -> None:
    problems = [
        Reject("a.jsonl", "valid-date", "'2999-01-01' is in the future", "$.date", 3, "a-1"),
        Reject("a.jsonl", "required", "no title", "$.title", 3, None, counts=False),
    ]
    item = ProcessedArticle(
        record_id="a-1",
        content_digest=b"",
        split="test",
        language="und",
        row=None,
        teasers=[],
        problems=problems,
        warnings=["a.jsonl:3: a warning"],
        fingerprint=fingerprint(""),
    )
    back = decode_article(encode_article(item))
    assert back.problems == problems and back.warnings == item.warnings
    assert back.rows is None and back.content_digest == b""


def _meta(change: Callable[[dict[str, Any]], None]) -> Callable[[EncodedArticle], EncodedArticle]:
    def edit(encoded: EncodedArticle) -> EncodedArticle:
        meta = json.loads(encoded.meta)
        change(meta)
        return EncodedArticle(json.dumps(meta), encoded.articles, encoded.teasers)

    return edit


def _set(key: str, value: Any) -> Callable[[EncodedArticle], EncodedArticle]:
    return _meta(lambda meta: meta.__setitem__(key, value))


ENTRY_DAMAGE: dict[str, Callable[[EncodedArticle], EncodedArticle]] = {
    "meta-not-json": lambda e: EncodedArticle("{", e.articles, e.teasers),
    "meta-bytes": lambda e: EncodedArticle(e.meta.encode(), e.articles, e.teasers),  # type: ignore[arg-type]
    "meta-a-list": lambda e: EncodedArticle("[]", e.articles, e.teasers),
    "meta-nested-deep": lambda e: EncodedArticle("[" * 100_000, e.articles, e.teasers),
    "key-missing": _meta(lambda meta: meta.pop("language")),
    "key-extra": _set("code", "__import__('os')"),
    "format": _set("format", 2),
    "format-true": _set("format", True),
    "format-float": _set("format", 1.0),
    "lone-surrogate": _set("language", "\ud800"),
    "split": _set("split", "holdout"),
    "record-id-number": _set("record_id", 7),
    "digest-not-hex": _set("content_digest", "zz"),
    "digest-length": _set("content_digest", "00" * 16),
    "signature-length": _set("signature", "00" * 8),
    "warnings-not-list": _set("warnings", "warning"),
    "warning-not-text": _set("warnings", [1]),
    "related-count-negative": _set("related_count", -1),
    "related-count-bool": _set("related_count", True),
    "problem-not-reject": _set("problems", [{"file": "x"}]),
    "no-problems-no-rows": lambda e: EncodedArticle(e.meta, None, None),
    "rows-garbage": lambda e: EncodedArticle(e.meta, b"\xff" * 64, e.teasers),
    "rows-cut-short": lambda e: EncodedArticle(
        e.meta, (e.articles or b"")[: len(e.articles or b"") // 2], e.teasers
    ),
    "rows-text": lambda e: EncodedArticle(e.meta, "rows", e.teasers),  # type: ignore[arg-type]
    "rows-swapped": lambda e: EncodedArticle(e.meta, e.teasers, e.articles),
    "rows-a-pickle": lambda e: EncodedArticle(e.meta, pickle.dumps([1]), e.teasers),
}


@pytest.mark.parametrize("damage", list(ENTRY_DAMAGE), ids=list(ENTRY_DAMAGE))
def test_decoding_refuses_what_encoding_cannot_write(
    processed: list[ProcessedArticle], damage: str
) -> None:
    encoded = encode_article(processed[0])
    decode_article(encoded)  # the undamaged entry reads
    with pytest.raises(CacheEntryError):
        decode_article(ENTRY_DAMAGE[damage](encoded))


def test_every_field_of_a_reject_is_stored() -> None:
    # A field added to Reject must be added to the entry format (and ENTRY_FORMAT raised).
    assert {f.name for f in dataclasses.fields(Reject)} == entries_module._REJECT_KEYS


def test_a_problem_with_rows_is_refused(processed: list[ProcessedArticle]) -> None:
    # A rejected article never has rows; an entry saying both would publish a reject.
    reject = {"file": "f", "rule": "r", "message": "m", "field": "", "line": None}
    encoded = _set("problems", [{**reject, "id": None, "counts": True}])(
        encode_article(processed[0])
    )
    with pytest.raises(CacheEntryError, match="rejected article has rows"):
        decode_article(encoded)


# -- code execution ----------------------------------------------------------------------------


class _Plant:
    """Unpickling this creates `path`: what a hostile cache entry could do, harmlessly."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


def _payload(marker: Path) -> bytes:
    # The payload does run when unpickled: the test would prove nothing otherwise.
    probe = marker.with_name("probe")
    pickle.loads(pickle.dumps(_Plant(probe))).close()
    assert probe.exists()
    probe.unlink()
    return pickle.dumps(_Plant(marker))


def test_a_pickle_in_an_entry_is_not_run(
    tmp_path: Path, seed_release: tuple[Path, BuildReport], use: CacheUse
) -> None:
    cache = tmp_path / "cache"
    _build(tmp_path / "first", cache)
    marker = tmp_path / "pwned"
    payload = _payload(marker)
    with sqlite3.connect(cache / CACHE_FILE) as db:
        changed = db.execute(
            "UPDATE article SET meta = ?, articles = ?, teasers = ?", (payload, payload, payload)
        ).rowcount
    assert changed == 5
    release, report = _build(tmp_path / "second", cache)
    assert not marker.exists()
    assert use.hits == 0 and report.totals()["published"] == 5
    assert use.warnings == [
        f"cache {cache / CACHE_FILE}: 5 unreadable entries (metadata is not text); annotated again"
    ]
    _same_release(release, seed_release)
    # The fresh results replaced the planted entries.
    _build(tmp_path / "third", cache)
    assert use.hits == 5


def test_a_cache_of_pickles_is_deleted_unread(
    tmp_path: Path, seed_release: tuple[Path, BuildReport], use: CacheUse
) -> None:
    # The layout of the cache before 1.0.1, a pickle under every key a build looks up.
    cache = tmp_path / "cache"
    _build(tmp_path / "first", cache)
    with sqlite3.connect(cache / CACHE_FILE) as db:
        keys = [key for (key,) in db.execute("SELECT key FROM article")]
    (cache / CACHE_FILE).unlink()
    marker = tmp_path / "pwned"
    payload = _payload(marker)
    with sqlite3.connect(cache / CACHE_FILE) as db:
        db.execute("CREATE TABLE item (key TEXT PRIMARY KEY, value BLOB)")
        db.executemany("INSERT INTO item VALUES (?, ?)", [(key, payload) for key in keys])
    release, _ = _build(tmp_path / "second", cache)
    assert not marker.exists()
    assert use.hits == 0
    assert (
        len(use.warnings) == 1 and "stored pickles (unsafe to load); deleted it" in use.warnings[0]
    )
    assert sorted(p.name for p in cache.iterdir()) == [CACHE_FILE]
    _same_release(release, seed_release)


# -- a hit is the same as no cache ---------------------------------------------------------------


def test_a_cache_hit_gives_the_same_output_as_no_cache(
    tmp_path: Path, seed_release: tuple[Path, BuildReport], use: CacheUse
) -> None:
    cache = tmp_path / "cache"
    cold, _ = _build(tmp_path / "cold", cache)
    assert use.hits == 0
    warm, report = _build(tmp_path / "warm", cache)
    assert use.hits == 5 and use.warnings == []
    assert report.totals()["published"] == 5
    _same_release(cold, seed_release, exact=True)
    _same_release(warm, seed_release, exact=True)


# -- one generation at a time ----------------------------------------------------------------------


def _entries(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        count: int = db.execute("SELECT count(*) FROM article").fetchone()[0]
    return count


def test_a_code_edit_empties_the_cache_so_the_file_does_not_grow(
    tmp_path: Path,
    seed_release: tuple[Path, BuildReport],
    use: CacheUse,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "cache"
    path = cache / CACHE_FILE
    _build(tmp_path / "first", cache)
    size = path.stat().st_size
    assert _entries(path) == 5
    code_digest = cache_module._code_digest
    for edit in ("one", "two", "three"):
        # An edit of the builder's code: another digest, another generation.
        monkeypatch.setattr(cache_module, "_code_digest", lambda edit=edit: code_digest() + edit)
        release, _ = _build(tmp_path / edit, cache)
        assert use.hits == 0 and use.warnings == []
        _same_release(release, seed_release, exact=True)
        # Only this generation's results are left, in no more room than the first's.
        assert _entries(path) == 5
        assert path.stat().st_size <= size
    _build(tmp_path / "again", cache)
    assert use.hits == 5
    assert sorted(p.name for p in cache.iterdir()) == [CACHE_FILE]


def test_new_annotator_versions_empty_the_cache_and_give_the_space_back(
    tmp_path: Path, processed: list[ProcessedArticle]
) -> None:
    path = tmp_path / CACHE_FILE
    old = AnnotationCache(tmp_path, {"topics": "1"})
    old.put([(f"key-{n}", processed[n % 5]) for n in range(300)])
    old.close()
    full = path.stat().st_size
    new = AnnotationCache(tmp_path, {"topics": "2"})
    assert new.warnings == [] and new.get("key-0") is None
    new.close()
    assert _entries(path) == 0
    assert path.stat().st_size < full / 10
    # Going back is one more new generation, not a return to the old entries.
    back = AnnotationCache(tmp_path, {"topics": "1"})
    assert back.get("key-0") is None
    back.close()


def test_a_cache_without_a_generation_is_emptied_not_set_aside(
    tmp_path: Path, processed: list[ProcessedArticle]
) -> None:
    # Written before generations were kept: the article table alone.
    path = tmp_path / CACHE_FILE
    encoded = encode_article(processed[0])
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute(cache_module._ARTICLE_SQL)
        db.execute(
            "INSERT INTO article VALUES (?, ?, ?, ?)",
            ("key", encoded.meta, encoded.articles, encoded.teasers),
        )
    cache = AnnotationCache(tmp_path, ANNOTATORS)
    assert cache.warnings == [] and cache.get("key") is None
    cache.put([("key", processed[0])])
    assert cache.get("key") is not None
    cache.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_FILE]


# -- broken cache files -------------------------------------------------------------------------


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _truncate_unnoticed(path: Path) -> None:
    # Without a valid page count in the header, SQLite sizes the file by its length,
    # and the damage shows only when a missing page is read.
    data = bytearray(path.read_bytes())
    data[92:96] = b"\0\0\0\0"
    path.write_bytes(bytes(data[: len(data) // 2]))


def _overwrite_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = b"\xa5" * (len(data) - page)  # every page but the first
    path.write_bytes(bytes(data))


def _overwrite_schema(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:400] = b"\xa5" * 300  # the b-tree page that lists the tables
    path.write_bytes(bytes(data))


def _not_sqlite(path: Path) -> None:
    path.write_text("these are not the annotations you are looking for\n" * 40)


def _foreign(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE photos (name TEXT, data BLOB)")
        db.execute("INSERT INTO photos VALUES ('cat', x'00')")


def _another_article_table(path: Path) -> None:
    # Our table's name, another layout: someone else's file, or a future format.
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE article (key TEXT PRIMARY KEY, value BLOB)")


def _cut_header(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:50])


BROKEN: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated": (_truncate, "is damaged ("),
    "truncated-unnoticed": (_truncate_unnoticed, "is damaged ("),
    "pages-overwritten": (_overwrite_pages, "is damaged ("),
    "schema-overwritten": (_overwrite_schema, "is damaged ("),
    "header-cut": (_cut_header, "is damaged ("),
    "not-sqlite": (_not_sqlite, "is damaged (file is not a database)"),
    "foreign-sqlite": (
        _foreign,
        "is not a cache of this builder (SQLite with other contents: photos)",
    ),
    "other-layout": (_another_article_table, "is not a cache of this builder"),
}


@pytest.mark.parametrize("state", list(BROKEN), ids=list(BROKEN))
def test_a_damaged_or_foreign_cache_is_set_aside_and_the_build_completes(
    tmp_path: Path, seed_release: tuple[Path, BuildReport], use: CacheUse, state: str
) -> None:
    damage, expected = BROKEN[state]
    cache = tmp_path / "cache"
    _build(tmp_path / "first", cache)
    path = cache / CACHE_FILE
    damage(path)
    damaged = path.read_bytes()
    release, report = _build(tmp_path / "second", cache)
    assert report.totals()["published"] == 5
    _same_release(release, seed_release)
    assert use.warnings and use.warnings[0].startswith(f"cache {path} {expected}"), use.warnings
    assert f"moved it to {path}{SET_ASIDE_SUFFIX}" in use.warnings[0]
    # Set aside as it was, not deleted; the new cache serves the next build.
    assert (cache / (CACHE_FILE + SET_ASIDE_SUFFIX)).read_bytes() == damaged
    _build(tmp_path / "third", cache)
    # Articles read from the damaged file before its damage showed are not stored again.
    assert use.hits >= 3 and use.warnings == []


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


UNREADABLE: dict[str, tuple[Callable[[Path], None], str]] = {
    "a-directory": (_directory, "cannot be used (not a regular file)"),
    "a-fifo": (_fifo, "cannot be used (not a regular file)"),
}


@pytest.mark.parametrize("state", list(UNREADABLE), ids=list(UNREADABLE))
def test_an_unreadable_cache_is_left_alone_and_the_build_completes(
    tmp_path: Path, seed_release: tuple[Path, BuildReport], use: CacheUse, state: str
) -> None:
    make, expected = UNREADABLE[state]
    cache = tmp_path / "cache"
    _build(tmp_path / "first", cache)
    path = cache / CACHE_FILE
    make(path)
    # Opened first in a thread with a deadline: a FIFO opened for reading would block
    # forever, and the test must fail rather than hang.
    opened: list[AnnotationCache] = []
    worker = threading.Thread(
        target=lambda: opened.append(AnnotationCache(cache, ANNOTATORS)), daemon=True
    )
    worker.start()
    worker.join(timeout=30)
    assert opened, "opening the cache did not return"
    opened[0].close()
    release, report = _build(tmp_path / "second", cache)
    assert report.totals()["published"] == 5
    _same_release(release, seed_release)
    assert use.warnings == [f"cache {path} {expected}; building without it"]
    assert sorted(p.name for p in cache.iterdir()) == [CACHE_FILE]  # nothing moved


def test_a_cache_folder_that_is_a_file_is_left_alone(
    tmp_path: Path, seed_release: tuple[Path, BuildReport], use: CacheUse
) -> None:
    cache = tmp_path / "cache"
    cache.write_text("mine", encoding="utf-8")
    release, _ = _build(tmp_path / "second", cache)
    _same_release(release, seed_release)
    assert use.warnings == [
        f"cache {cache / CACHE_FILE} cannot be used ({cache} is not a folder); building without it"
    ]
    assert cache.read_text(encoding="utf-8") == "mine"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_cache_without_read_permission_is_left_alone(
    tmp_path: Path, seed_release: tuple[Path, BuildReport], use: CacheUse
) -> None:
    cache = tmp_path / "cache"
    _build(tmp_path / "first", cache)
    (cache / CACHE_FILE).chmod(0)
    try:
        release, _ = _build(tmp_path / "second", cache)
    finally:
        (cache / CACHE_FILE).chmod(0o644)
    _same_release(release, seed_release)
    assert use.warnings == [
        f"cache {cache / CACHE_FILE} cannot be used (Permission denied); building without it"
    ]


def test_a_locked_cache_is_a_miss_and_the_build_completes(
    tmp_path: Path,
    seed_release: tuple[Path, BuildReport],
    use: CacheUse,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cache_module, "LOCK_TIMEOUT_SECONDS", 0.2)
    cache = tmp_path / "cache"
    _build(tmp_path / "first", cache)
    holder = sqlite3.connect(cache / CACHE_FILE, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another build, stuck in the middle of a write
    try:
        release, _ = _build(tmp_path / "second", cache)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _same_release(release, seed_release)
    assert use.hits == 0
    assert use.warnings == [
        f"cache {cache / CACHE_FILE} cannot be used (database is locked); building without it"
    ]


def test_a_cache_that_cannot_be_written_is_still_read(
    tmp_path: Path,
    seed_release: tuple[Path, BuildReport],
    use: CacheUse,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "cache"
    _build(tmp_path / "first", cache)
    with sqlite3.connect(cache / CACHE_FILE) as db:
        db.execute("DELETE FROM article WHERE rowid IN (SELECT rowid FROM article LIMIT 2)")
    connect = AnnotationCache._connect

    def read_only(self: AnnotationCache) -> sqlite3.Connection:
        # A file the builder may read but not write (a shared, read-only cache): every
        # write fails with SQLITE_READONLY, as it would for the file's mode.
        db = connect(self)
        db.execute("PRAGMA query_only = ON")
        return db

    monkeypatch.setattr(AnnotationCache, "_connect", read_only)
    release, _ = _build(tmp_path / "second", cache)
    _same_release(release, seed_release)
    assert use.hits == 3
    assert len(use.warnings) == 1
    assert use.warnings[0].startswith(f"cache {cache / CACHE_FILE} cannot be written (")
    assert use.warnings[0].endswith("results of this build are not cached")


# -- the cache object on its own -------------------------------------------------------------------


def test_damage_found_half_way_is_set_aside_and_a_new_cache_started(
    tmp_path: Path, processed: list[ProcessedArticle]
) -> None:
    first = AnnotationCache(tmp_path, ANNOTATORS)
    first.put([(f"key-{n}", processed[n % 5]) for n in range(300)])
    first.close()
    _truncate_unnoticed(tmp_path / CACHE_FILE)
    cache = AnnotationCache(tmp_path, ANNOTATORS)
    assert cache.warnings == []  # nothing to see in the header
    found = [cache.get(f"key-{n}") is not None for n in range(300)]
    assert sum(found) < 300  # which entries still read depends on where the pages fell
    path = tmp_path / CACHE_FILE
    assert len(cache.warnings) == 1
    assert cache.warnings[0].startswith(f"cache {path} is damaged (")
    assert cache.warnings[0].endswith(
        f"moved it to {path}{SET_ASIDE_SUFFIX} and started an empty cache"
    )
    # The rest of the build fills the new cache.
    cache.put([("key-new", processed[0])])
    assert cache.get("key-new") is not None
    cache.close()
    assert (tmp_path / (CACHE_FILE + SET_ASIDE_SUFFIX)).exists()


def test_a_cache_another_build_is_writing_is_not_taken_for_damaged(
    tmp_path: Path, processed: list[ProcessedArticle]
) -> None:
    # Two builds share a cache: while one writes, the other opens and reads it under
    # SQLite's locks, and neither takes the other's work for damage.
    AnnotationCache(tmp_path, ANNOTATORS).close()
    stop = threading.Event()
    written: list[list[str]] = []

    def write() -> None:
        writer = AnnotationCache(tmp_path, ANNOTATORS)
        n = 0
        while not stop.is_set():
            writer.put([(f"key-{n}-{i}", processed[i % 5]) for i in range(32)])
            n += 1
        written.append(writer.warnings)
        writer.close()

    worker = threading.Thread(target=write, daemon=True)
    worker.start()
    try:
        # Many opens, so that some fall in the middle of a write.
        for _ in range(100):
            reader = AnnotationCache(tmp_path, ANNOTATORS)
            reader.get("key-0-0")
            assert reader.warnings == []
            reader.close()
    finally:
        stop.set()
        worker.join(timeout=30)
    assert written == [[]]
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_FILE]


def test_a_result_the_format_cannot_hold_is_not_stored(
    tmp_path: Path, processed: list[ProcessedArticle]
) -> None:
    cache = AnnotationCache(tmp_path, ANNOTATORS)
    unconverted = ProcessedArticle(
        record_id="x",
        content_digest=b"",
        split="train",
        language="en",
        row={"id": "x"},
        teasers=[],
        problems=[],
        warnings=[],
        fingerprint=fingerprint("x"),
    )
    cache.put([("a", unconverted), ("b", processed[0])])
    assert cache.get("a") is None and cache.get("b") is not None
    assert cache.warnings == [
        f"cache {tmp_path / CACHE_FILE}: 1 result not stored "
        "(rows not converted to Arrow tables (see process_chunk))"
    ]
    cache.close()


def test_the_key_changes_with_the_annotators(tmp_path: Path) -> None:
    record = {"id": "a", "title": "t", "split": "train"}
    one = AnnotationCache(tmp_path, {"topics": "1"})
    two = AnnotationCache(tmp_path, {"topics": "2"})
    assert one.key(record) != two.key(record)
    assert one.key(record) == one.key(dict(reversed(record.items())))
    # A file name that is not UTF-8 arrives as surrogates (os.fsdecode).
    assert one.key({**record, "source_file": "caf\udce9.txt"}) != one.key(record)
    one.close()
    two.close()


def test_closing_twice_and_using_a_closed_cache_do_not_raise(
    tmp_path: Path, processed: list[ProcessedArticle]
) -> None:
    cache = AnnotationCache(tmp_path, ANNOTATORS)
    cache.close()
    cache.close()
    assert cache.get("k") is None
    cache.put([("k", processed[0])])


def test_table_schema_is_the_configuration_s(processed: list[ProcessedArticle]) -> None:
    # Decoded rows carry the exact schema, so they concatenate with fresh chunks.
    back = decode_article(encode_article(processed[0]))
    assert back.rows is not None and processed[1].rows is not None
    pa.concat_tables([back.rows.default, processed[1].rows.default])
