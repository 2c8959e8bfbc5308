"""The build: read -> parse -> validate -> annotate -> split -> publish.

Inputs stream through in batches, so memory depends on the batch size and the number of
workers; what duplicate detection needs of every article (ids, content hashes, MinHash
signatures) goes to a temporary database on disk. Output goes to a staging folder that
replaces the previous release only when everything is written and checked.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import json
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import signal
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from tqdm import tqdm

from dataset_builder import contract, topics
from dataset_builder.annotate import annotate_article, annotate_teaser, annotator_versions
from dataset_builder.cache import AnnotationCache
from dataset_builder.config import (
    DATASET_NAME,
    DEFAULT_INPUT,
    DEFAULT_OUTPUT,
    DEFAULT_SPLITS,
    MAX_INPUT_BYTES,
    VERSION,
)
from dataset_builder.dedup import Fingerprint, PublishedIndex, fingerprint
from dataset_builder.figure import TIMELINE
from dataset_builder.locks import FolderBusy, exclusive
from dataset_builder.parse import PageError
from dataset_builder.publish import (
    TARGET_SHARD_BYTES,
    ParquetSink,
    UnsafeOutput,
    arrow_row,
    check_output,
    lock_file,
    recover_interrupted_swap,
    rows_to_table,
    staging_folder,
    swap_into_place,
)
from dataset_builder.read import (
    SIDECAR_SUFFIX,
    InputFile,
    Reject,
    Skipped,
    discover,
    parsed,
    read_input,
    schema_rejects,
)
from dataset_builder.splits import SplitAssigner, read_assignments, save_assignments
from dataset_builder.spool import SortedLog, write_json_entries

Record = dict[str, Any]
# Keys the parser keeps for the build's own use; they are not published.
INTERNAL_KEYS = ("layout", "related", "line")
# Inputs at which a progress bar appears; smaller builds just print their table.
PROGRESS_THRESHOLD = 100
# Articles per task sent to a worker: results travel back as one Arrow table per chunk.
CHUNK_SIZE = 32
M_MMAP_THRESHOLD = -3  # glibc mallopt parameter (malloc.h)
# Longest an article may take to parse and annotate; past it, the article is rejected.
ARTICLE_SECONDS = 60.0
TIME_BUDGET = "time-budget"  # the rule of an article rejected for taking too long
# What --card-dir receives (see card.copy_card).
CARD_FILES = ("DATASET_CARD.md", "CITATION.cff", TIMELINE.as_posix())
# The lock file a build holds in the splits folder while it reads and writes it.
LOCK_NAME = ".lock"


class BuildError(Exception):
    """A build that must not publish; the message says why, the report what was seen."""

    def __init__(self, message: str, report: BuildReport | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class BuildOptions:
    input_dir: Path = DEFAULT_INPUT
    output_dir: Path = DEFAULT_OUTPUT
    splits_dir: Path = DEFAULT_SPLITS
    allow_rejects: bool = False
    prune: bool = False
    publish: bool = True  # False: validate only, write nothing
    batch_size: int = 256
    workers: int = 1
    max_input_bytes: int = MAX_INPUT_BYTES
    shard_bytes: int = TARGET_SHARD_BYTES  # a new Parquet shard starts past this size
    cache_dir: Path | None = None  # annotation cache for incremental rebuilds; None: none
    card_dir: Path | None = None  # also write DATASET_CARD.md, CITATION.cff, figures/ here
    progress: bool | None = None  # None: only for large builds
    article_seconds: float = ARTICLE_SECONDS  # time budget of one article


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

    def summary(self) -> dict[str, Any]:
        """Versions and counts: the report without its lists of inputs and articles."""
        return {
            "dataset": DATASET_NAME,
            "version": VERSION,
            "annotators": annotator_versions(),
            "totals": self.totals(),
            "published": {c: dict(sorted(n.items())) for c, n in self.published.items()},
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
        }

    def check_accounting(self) -> None:
        """Every article offered is published, rejected or a duplicate; anything else is a bug."""
        totals = self.totals()
        accounted = totals["published"] + totals["rejected"] + totals["duplicates"]
        if accounted != totals["articles_offered"]:
            raise BuildError(
                f"build report does not add up: {totals['articles_offered']} articles offered, "
                f"{accounted} accounted for ({totals})"
            )


def content_sha256(record: Record) -> str:
    parts = [record.get("title") or "", record.get("lead") or "", record.get("body") or ""]
    parts.extend(record.get("captions") or [])
    return hashlib.sha256("\n\n".join(parts).encode("utf-8")).hexdigest()


@dataclass
class ProcessedArticle:
    """What a worker returns for one article: publishable rows or the reasons why not."""

    record_id: str
    content_digest: bytes  # for exact-duplicate detection
    split: str
    language: str
    row: Record | None  # Arrow-ready (dates as dates), None when rejected
    teasers: list[Record]
    problems: list[Reject]
    warnings: list[str]
    fingerprint: Fingerprint  # for near-duplicate detection
    rows: Rows | None = None  # the rows as Arrow, once `process_chunk` has converted them


@dataclass
class Rows:
    """Where an article's published rows are: one row of `default`, a range of `related`.

    The tables are shared by the articles of a chunk, so a chunk travels from a worker
    as two Arrow tables instead of thousands of small dicts.
    """

    default: pa.Table
    index: int
    related: pa.Table
    related_start: int
    related_count: int


@dataclass
class PendingBatch:
    """A batch handed to the workers, with what is needed to collect it in order."""

    batch: list[tuple[InputFile, Record]]
    keys: list[str]  # cache keys, when caching
    done: list[ProcessedArticle | None]  # cached results, None where still to do
    missing: list[int]  # positions being processed
    result: list[Future[list[ProcessedArticle]]] | list[list[ProcessedArticle]]


def annotate_item(record: Record) -> tuple[Record, list[Record]]:
    """Annotate an article and its related teasers."""
    teasers = []
    for position, teaser in enumerate(record.get("related") or [], start=1):
        teasers.append(
            annotate_teaser(
                {
                    "id": f"{record['id']}-r{position:02d}",
                    "parent_id": record["id"],
                    "position": position,
                    **teaser,
                    "source_file": record["source_file"],
                }
            )
        )
    return annotate_article(record), teasers


class ArticleTimeout(Exception):
    """An article took longer than its time budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ArticleTimeout in this block after `seconds` (main thread only, POSIX).

    A timer signal interrupts Python code wherever it is, so one pathological article
    becomes a reject instead of a build that never ends.
    """
    if (
        seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ArticleTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process_item(record: Record, seconds: float = ARTICLE_SECONDS) -> ProcessedArticle:
    """Parse, annotate and validate one article (runs in worker processes).

    The article's split comes with it (`record["split"]`): the build decides it from the
    committed assignment, and the worker never decides it again.
    """
    split: str = record["split"]
    try:
        with time_budget(seconds):
            return _process(record, split)
    except PageError as error:
        problem = Reject(
            record["source_file"], error.rule, error.message, field=error.field, id=record["id"]
        )
    except ArticleTimeout:
        problem = Reject(
            record["source_file"],
            TIME_BUDGET,
            f"parsing and annotating took longer than {seconds:g} s",
            id=record["id"],
        )
    return _rejected(record, split, problem)


def _rejected(record: Record, split: str, problem: Reject) -> ProcessedArticle:
    return ProcessedArticle(
        record_id=record["id"],
        content_digest=b"",  # never compared: a rejected article is not a duplicate's original
        split=split,
        language="und",
        row=None,
        teasers=[],
        problems=[problem],
        warnings=[],
        fingerprint=fingerprint(""),
    )


def _date_problem(record: Record) -> Reject | None:
    """A publication date that is not a real day, or lies in the future."""
    published = record.get("published_date")
    if not published:
        return None
    source = record["source_file"]
    if record.get("published_date_source") == "metadata" and "line" not in record:
        source = source.removesuffix(Path(source).suffix) + SIDECAR_SUFFIX  # where it was said
    where = {"field": "$.published_date", "line": record.get("line"), "id": record["id"]}
    try:
        day = dt.date.fromisoformat(published)
    except ValueError:
        return Reject(source, "valid-date", f"{published!r} is not a date", **where)
    if day > dt.date.today():
        return Reject(source, "not-in-future", f"published_date {day} is in the future", **where)
    return None


def _process(record: Record, split: str) -> ProcessedArticle:
    record = parsed(record)
    record["content_sha256"] = content_sha256(record)
    date_problem = _date_problem(record)
    if date_problem is not None:
        return _rejected(record, split, date_problem)
    article, teasers = annotate_item(record)
    article["split"] = split
    row = _publishable(article)
    source = article["source_file"]
    problems = schema_rejects(
        row, "article.schema.json", source, article.get("line"), article["id"]
    )
    warnings: list[str] = []
    teaser_rows: list[Record] = []
    if not problems:
        for teaser in teasers:
            teaser["split"] = split
            teaser_problems = schema_rejects(
                teaser, "related.schema.json", source, None, teaser["id"]
            )
            if teaser_problems:
                warnings.extend(p.one_line() for p in teaser_problems)
            else:
                teaser_rows.append(arrow_row(teaser, "related"))
    text = "\n".join(filter(None, (article["title"], article.get("lead"), article["body"])))
    return ProcessedArticle(
        record_id=article["id"],
        content_digest=bytes.fromhex(article["content_sha256"]),  # half the memory of hex
        split=split,
        language=article["language"],
        row=None if problems else arrow_row(row, "default"),
        teasers=teaser_rows,
        problems=problems,
        warnings=warnings,
        fingerprint=fingerprint(text),
    )


def process_chunk(
    records: list[Record], seconds: float = ARTICLE_SECONDS
) -> list[ProcessedArticle]:
    """`process_item` for consecutive articles, their rows gathered into Arrow tables."""
    done = [process_item(record, seconds) for record in records]
    published = [item for item in done if item.row is not None]
    default = rows_to_table([item.row for item in published if item.row is not None], "default")
    related = rows_to_table([row for item in published for row in item.teasers], "related")
    index = start = 0
    for item in published:
        item.rows = Rows(default, index, related, start, len(item.teasers))
        index, start = index + 1, start + len(item.teasers)
        item.row, item.teasers = None, []
    return done


def load_annotators() -> None:
    """Load lexicons and validators in this process (once; later calls cost nothing)."""
    topics.default_topic_annotator()
    contract.load_validators()


def use_system_allocator() -> None:
    """Give Arrow's buffers to the C library's allocator, and have it return them.

    Arrow's default allocator (mimalloc) keeps freed memory for reuse: reading the
    release back for its statistics took about 70 MiB more that way. glibc's malloc
    returns a block to the system at once only if it was mapped on its own, and by
    default it raises that size threshold as blocks are freed, so after a long build
    Arrow's buffers came from a fragmented heap that only grew. Fixing the threshold at
    glibc's initial 128 KiB kept the end of a 20,000-article build 30 MiB lower. Neither
    change costs measurable build time.
    """
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    except (OSError, AttributeError):  # not glibc (or no mallopt): nothing to tune
        pass


def start_worker_server() -> None:
    """Start the process that worker processes are forked from, if it is not running.

    Workers are not forked from the build process itself: a fork copies the locks that
    the build's other threads (Arrow's thread pool, the progress bar) hold at that
    instant, and a worker needing one would wait forever. The server is a fresh,
    single-threaded interpreter that imports the annotators once
    (`dataset_builder.worker_preload`); the workers forked from it share them. Starting
    it early lets its imports overlap with the build's first reads.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dataset_builder.worker_preload"])
    multiprocessing.forkserver.ensure_running()


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes that annotate chunks of articles.

    A `concurrent.futures` pool, not `multiprocessing.Pool`: when a worker dies (the
    out-of-memory killer, a crash in a C extension) its tasks fail with
    BrokenProcessPool at once, where `multiprocessing.Pool` would wait for them for ever.
    """
    start_worker_server()
    # load_annotators again in case the server could not import them (it ignores an
    # ImportError in its preloads); otherwise it does nothing.
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=load_annotators,
    )


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


def _publishable(record: Record) -> Record:
    return {k: v for k, v in record.items() if k not in INTERNAL_KEYS}


class Build:
    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.report = BuildReport()
        # Made by `run`: a build reads the assignment only once it holds its lock.
        self.assigner = SplitAssigner()
        self.index = PublishedIndex()  # ids, content hashes and signatures, on disk
        self.sink: ParquetSink | None = None
        self.cache: AnnotationCache | None = None
        self._pool: ProcessPoolExecutor | None = None

    # -- stages -----------------------------------------------------------------
    def _submit(self, batch: list[tuple[InputFile, Record]]) -> PendingBatch:
        """Start processing a batch; cached articles are not processed again."""
        records = [record for _, record in batch]
        for record in records:
            record["split"] = self.assigner.split_of(record["id"])
        keys: list[str] = []
        done: list[ProcessedArticle | None] = [None] * len(records)
        if self.cache is not None:
            keys = [self.cache.key(record) for record in records]
            done = [self.cache.get(key) for key in keys]
        missing = [i for i, item in enumerate(done) if item is None]
        todo = [records[i] for i in missing]
        seconds = self.options.article_seconds
        result: list[Future[list[ProcessedArticle]]] | list[list[ProcessedArticle]]
        if self.options.workers > 1 and len(todo) > 1:
            if self._pool is None:
                self._pool = worker_pool(self.options.workers)
            size = max(1, min(CHUNK_SIZE, len(todo) // (self.options.workers * 4)))
            result = [
                self._pool.submit(process_chunk, todo[i : i + size], seconds)
                for i in range(0, len(todo), size)
            ]
        else:
            result = [process_chunk(todo, seconds)]
        return PendingBatch(batch, keys, done, missing, result)

    def _collect(self, pending: PendingBatch) -> list[ProcessedArticle]:
        """Wait for a submitted batch; results in input order."""
        chunks = [
            chunk.result() if isinstance(chunk, Future) else chunk for chunk in pending.result
        ]
        fresh = [item for chunk in chunks for item in chunk]
        done = pending.done
        for i, item in zip(pending.missing, fresh, strict=True):
            done[i] = item
        if self.cache is not None:
            # A timeout may come from a busy machine: it is not kept as the article's result.
            self.cache.put(
                [
                    (pending.keys[i], item)
                    for i, item in zip(pending.missing, fresh, strict=True)
                    if not any(problem.rule == TIME_BUDGET for problem in item.problems)
                ]
            )
        return [item for item in done if item is not None]

    def _where(self, info: InputFile, record: Record) -> str:
        return f"{info.name}:{record['line']}" if "line" in record else info.name

    def _admit(self, info: InputFile, record: Record) -> bool:
        """Reject duplicate ids before annotating."""
        record_id = record["id"]
        # A rejected or duplicate article is still provided by its input: its committed
        # split must not be reported missing or pruned.
        self.assigner.mark_seen(record_id)
        first = self.index.first_seen(record_id)
        if first is not None:
            self._reject(
                info,
                Reject(
                    info.name,
                    "unique-id",
                    f"id {record_id!r} is already used by {first}",
                    field="$.id",
                    line=record.get("line"),
                    id=record_id,
                ),
            )
            return False
        self.index.admit(record_id, self._where(info, record))
        return True

    def _duplicate(
        self, info: InputFile, record: Record, kept: str, kind: str, similarity: float
    ) -> None:
        where = self._where(info, record)
        self.report.duplicates.add(
            f"{where}\0{record['id']}",  # sorted by file, then id
            {
                "file": where,
                "id": record["id"],
                "duplicate_of": kept,
                "kind": kind,
                "similarity": round(similarity, 3),
            },
        )
        info.outcomes.append("duplicate")

    def _reject(self, info: InputFile | None, reject: Reject) -> None:
        self.report.rejects.append(reject)
        if info is not None:
            info.outcomes.append("rejected")

    def _publish(self, pending: PendingBatch) -> None:
        rows: dict[tuple[str, str], list[tuple[pa.Table, int, int]]] = {}
        processed = self._collect(pending)
        for (info, record), done in zip(pending.batch, processed, strict=True):
            if done.problems:
                self._reject(info, done.problems[0])
                self.report.rejects.extend(done.problems[1:])
                continue
            # Duplicates are looked for among published articles only, so an article is
            # never dropped as the copy of one that was rejected.
            kept = self.index.exact_duplicate(done.content_digest)
            if kept is not None:
                self._duplicate(info, record, kept, "exact", 1.0)
                continue
            near = self.index.near_duplicate(done.fingerprint)
            if near is not None:
                self._duplicate(info, record, near[0], "near", near[1])
                continue
            self.index.publish(done.record_id, done.content_digest, done.fingerprint)
            split, placed = self.assigner.assign(done.record_id)
            if placed:
                self.report.new_assignments.add(done.record_id, [done.record_id, split])
            info.outcomes.append("published")
            self.report.published["default"][done.split] += 1
            self.report.languages[done.language] += 1
            self.report.warnings.extend(done.warnings)
            if done.language == "und":
                self.report.warnings.append(
                    f"{self._where(info, record)}: $.language: language undeterminable or "
                    "outside the configured set; published as 'und' [language]"
                )
            where = done.rows
            assert where is not None
            rows.setdefault(("default", done.split), []).append((where.default, where.index, 1))
            if where.related_count:
                self.report.published["related"][done.split] += where.related_count
                rows.setdefault(("related", done.split), []).append(
                    (where.related, where.related_start, where.related_count)
                )
        if self.sink is not None:
            for (config, split), pieces in sorted(rows.items()):
                self.sink.write(config, split, gather(pieces))
        if pending.batch:
            self.report.inputs.flush_before(pending.batch[-1][0])

    def _records(self, names: Sequence[str]) -> Iterator[tuple[InputFile, Record]]:
        show = self.options.progress
        if show is None:
            show = len(names) >= PROGRESS_THRESHOLD
        for name in tqdm(names, unit="article", disable=not show, smoothing=0.1, mininterval=0.5):
            info, items = read_input(
                self.options.input_dir / name,
                self.options.input_dir,
                self.options.max_input_bytes,
                parse=False,
            )
            self.report.inputs.add(info)
            offered = 0
            for item in items:
                if isinstance(item, Reject) and item.id is not None:
                    # A rejected article is still provided by its input: its committed
                    # split must not be reported missing, nor pruned.
                    self.assigner.mark_seen(item.id)
                if isinstance(item, Reject) and not item.counts:
                    self.report.rejects.append(item)
                    continue
                offered += 1
                self.report.units += 1
                if isinstance(item, Reject):
                    self._reject(info, item)
                elif self._admit(info, item):
                    yield info, item
            if not offered:  # a JSON Lines file without a single line
                self.report.units += 1
                self._reject(info, Reject(info.name, "non-empty", "file holds no article"))

    # -- the whole build ----------------------------------------------------------
    def run(self) -> BuildReport:
        options = self.options
        if not options.input_dir.is_dir():
            raise BuildError(f"{options.input_dir}: input folder does not exist")
        try:
            if options.publish:
                self._build_and_publish()
            else:
                self._read_and_check(None)
        finally:
            if self.cache is not None:
                self.report.notices.extend(self.cache.warnings)
                self.cache.close()
            self.index.close()
            self.assigner.close()
        return self.report

    def _build_and_publish(self) -> None:
        options = self.options
        outside = {"annotation cache": options.cache_dir, "card folder": options.card_dir}
        try:
            check_output(
                options.output_dir,
                apart={"input folder": options.input_dir, "splits folder": options.splits_dir},
                outside={role: path for role, path in outside.items() if path is not None},
            )
            if options.card_dir is not None:
                check_card_folder(options.card_dir)
            with (
                exclusive(lock_file(options.output_dir), f"--output {options.output_dir}"),
                exclusive(options.splits_dir / LOCK_NAME, f"--splits {options.splits_dir}"),
            ):
                self.report.notices.extend(recover_interrupted_swap(options.output_dir))
                # The split assignment is read under its lock: another build may have
                # just added to it.
                self._publish_release()
        except (UnsafeOutput, FolderBusy) as error:
            raise BuildError(str(error)) from None

    def _publish_release(self) -> None:
        options = self.options
        staging = staging_folder(options.output_dir)
        swapped = False
        try:
            self._read_and_check(ParquetSink(staging, options.shard_bytes))
            assert self.sink is not None
            # Imported here, after the workers have started: the card's dependencies
            # (Polars, Matplotlib) need not take memory in every worker process.
            from dataset_builder.card import copy_card, write_release_metadata

            self.report.files = self.sink.close()
            write_release_metadata(staging, self.report)
            # The output may have changed while the articles were annotated.
            check_output(options.output_dir, apart={}, outside={})
            # The assignment is written first: if it fails, nothing was replaced.
            save_assignments(options.splits_dir, self.assigner.assignments(options.prune))
            self.report.notices.extend(swap_into_place(staging, options.output_dir))
            swapped = True
        finally:
            if not swapped:
                shutil.rmtree(staging, ignore_errors=True)
        # The new release is in place: what fails from here on is said as a warning, and
        # the release is not taken back.
        if options.card_dir is not None:
            try:
                copy_card(options.output_dir, options.card_dir)
            except OSError as error:
                self.report.notices.append(
                    f"--card-dir {options.card_dir}: the card could not be copied "
                    f"({error.strerror}: {error.filename}); the release itself is published"
                )

    def _read_and_check(self, sink: ParquetSink | None) -> None:
        """Read, annotate and check every input, writing published rows to `sink`."""
        options = self.options
        self.sink = sink
        self.assigner.close()
        self.assigner = SplitAssigner(read_assignments(options.splits_dir))
        if options.cache_dir is not None:
            self.cache = AnnotationCache(options.cache_dir, annotator_versions())
        if options.workers > 1:
            start_worker_server()
        found = discover(options.input_dir)
        self.report.skipped = found.skipped
        for reject in found.rejects:
            self.report.units += 1
            self._reject(None, reject)
        finished = False
        try:
            # Two batches in flight: the workers annotate one while this process reads
            # the next and writes the previous, so neither side waits for the other.
            pending: PendingBatch | None = None
            batch: list[tuple[InputFile, Record]] = []
            for item in self._records(found.inputs):
                batch.append(item)
                if len(batch) >= options.batch_size:
                    submitted = self._submit(batch)
                    if pending is not None:
                        self._publish(pending)
                    pending, batch = submitted, []
            submitted = self._submit(batch)
            if pending is not None:
                self._publish(pending)
            self._publish(submitted)
            finished = True
        except BrokenProcessPool:  # from submitting to the pool or from collecting
            raise BuildError(
                "a worker process died while annotating (killed by the system, perhaps for "
                "lack of memory, or crashed); nothing published. Try fewer --workers or a "
                "smaller --batch-size"
            ) from None
        finally:
            if self._pool is not None:
                self._stop_workers(finished)
        self.report.check_accounting()
        self._check_splits()
        if self.report.rejects and not options.allow_rejects:
            raise BuildError(
                f"{sum(r.counts for r in self.report.rejects)} article(s) rejected; "
                "nothing published (use --allow-rejects to publish the rest)",
                self.report,
            )

    def _stop_workers(self, finished: bool) -> None:
        assert self._pool is not None
        workers = list((self._pool._processes or {}).values())
        self._pool.shutdown(wait=finished, cancel_futures=True)
        if not finished:
            # After a failure the pool may hold a dead worker and work in flight that
            # nobody will collect: the workers are stopped, not waited for.
            for process in workers:
                process.kill()
        self._pool = None

    def _check_splits(self) -> None:
        missing = self.assigner.missing()
        if missing and not self.options.prune:
            shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise BuildError(
                f"{self.options.splits_dir}: the split assignment lists {len(missing)} id(s) "
                f"that no input provides: {shown} (restore the inputs, or run again with --prune)"
            )


def check_card_folder(folder: Path) -> None:
    """Refuse a --card-dir the card could not be copied into, before anything is replaced."""
    if folder.exists() and not folder.is_dir():
        raise UnsafeOutput(f"--card-dir {folder} is a file, not a folder")
    existing = folder if folder.exists() else next(p for p in folder.parents if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UnsafeOutput(f"--card-dir {folder}: {existing} is not writable")
    for name in CARD_FILES:
        target = folder / name
        if target.is_dir() or (target.exists() and not os.access(target, os.W_OK)):
            raise UnsafeOutput(f"--card-dir {folder}: {target} cannot be overwritten")


def build(options: BuildOptions) -> BuildReport:
    return Build(options).run()


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
