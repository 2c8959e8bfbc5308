"""The build: read -> parse -> validate -> annotate -> split -> publish.

Inputs stream through in batches, so memory depends on the batch size and the number of
workers; what duplicate detection needs of every article (ids, content hashes, MinHash
signatures) goes to a temporary database on disk. Output goes to a staging folder that
replaces the previous release only when everything is written and checked.
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import json
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
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
from dataset_builder.publish import (
    TARGET_SHARD_BYTES,
    ParquetSink,
    arrow_row,
    recover_interrupted_swap,
    rows_to_table,
    staging_folder,
    swap_into_place,
)
from dataset_builder.read import InputFile, Reject, discover, parsed, read_input, schema_rejects
from dataset_builder.splits import SplitAssigner, read_assignments, save_assignments, split_for
from dataset_builder.spool import SortedLog, write_json_entries

Record = dict[str, Any]
# Keys the parser keeps for the build's own use; they are not published.
INTERNAL_KEYS = ("layout", "related", "line")
# Inputs at which a progress bar appears; smaller builds just print their table.
PROGRESS_THRESHOLD = 100
# Articles per task sent to a worker: results travel back as one Arrow table per chunk.
CHUNK_SIZE = 32
M_MMAP_THRESHOLD = -3  # glibc mallopt parameter (malloc.h)


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

    def compact(self) -> Rows:
        """A copy holding only this article's rows (for the cache)."""
        # `take` copies the selected rows; a slice would keep (and pickle) the whole table.
        teasers = pa.array(
            range(self.related_start, self.related_start + self.related_count), pa.int64()
        )
        return Rows(
            self.default.take(pa.array([self.index], pa.int64())),
            0,
            self.related.take(teasers),
            0,
            self.related_count,
        )


@dataclass
class PendingBatch:
    """A batch handed to the workers, with what is needed to collect it in order."""

    batch: list[tuple[InputFile, Record]]
    keys: list[str]  # cache keys, when caching
    done: list[ProcessedArticle | None]  # cached results, None where still to do
    missing: list[int]  # positions being processed
    result: Any  # list of results, or the pool's AsyncResult


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


def process_item(record: Record) -> ProcessedArticle:
    """Parse, annotate, place in a split and validate one article (runs in worker processes)."""
    record = parsed(record)
    record["content_sha256"] = content_sha256(record)
    article, teasers = annotate_item(record)
    split = article["split"] = record.get("split") or split_for(article["id"])
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


def process_chunk(records: list[Record]) -> list[ProcessedArticle]:
    """`process_item` for consecutive articles, their rows gathered into Arrow tables."""
    done = [process_item(record) for record in records]
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


def worker_pool(workers: int) -> Any:
    """A pool of `workers` processes that annotate chunks of articles."""
    start_worker_server()
    # load_annotators again in case the server could not import them (it ignores an
    # ImportError in its preloads); otherwise it does nothing.
    return multiprocessing.get_context("forkserver").Pool(workers, initializer=load_annotators)


def _compacted(item: ProcessedArticle) -> ProcessedArticle:
    if item.rows is None:
        return item
    return dataclasses.replace(item, rows=item.rows.compact())


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
        self.assigner = SplitAssigner(read_assignments(options.splits_dir))
        self.index = PublishedIndex()  # ids, content hashes and signatures, on disk
        self.sink: ParquetSink | None = None
        self.cache = (
            AnnotationCache(options.cache_dir, annotator_versions())
            if options.cache_dir is not None
            else None
        )
        self._pool: Any = None

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
        if self.options.workers > 1 and len(todo) > 1:
            if self._pool is None:
                self._pool = worker_pool(self.options.workers)
            size = max(1, min(CHUNK_SIZE, len(todo) // (self.options.workers * 4)))
            chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
            result: Any = self._pool.map_async(process_chunk, chunks)
        else:
            result = [process_chunk(todo)]
        return PendingBatch(batch, keys, done, missing, result)

    def _collect(self, pending: PendingBatch) -> list[ProcessedArticle]:
        """Wait for a submitted batch; results in input order."""
        result = pending.result
        chunks: list[list[ProcessedArticle]] = result if isinstance(result, list) else result.get()
        fresh = [item for chunk in chunks for item in chunk]
        done = pending.done
        for i, item in zip(pending.missing, fresh, strict=True):
            done[i] = item
        if self.cache is not None:
            self.cache.put(
                [
                    (pending.keys[i], _compacted(fresh_item))
                    for i, fresh_item in zip(pending.missing, fresh, strict=True)
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
        if options.publish:
            recover_interrupted_swap(options.output_dir)
        if options.workers > 1:
            start_worker_server()
        names, unsupported = discover(options.input_dir)
        for reject in unsupported:
            self.report.units += 1
            self._reject(None, reject)
        staging = staging_folder(options.output_dir) if options.publish else None
        try:
            if staging is not None:
                self.sink = ParquetSink(staging, options.shard_bytes)
            # Two batches in flight: the workers annotate one while this process reads
            # the next and writes the previous, so neither side waits for the other.
            pending: PendingBatch | None = None
            batch: list[tuple[InputFile, Record]] = []
            for item in self._records(names):
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
            self.report.check_accounting()
            self._check_splits()
            if self.report.rejects and not options.allow_rejects:
                raise BuildError(
                    f"{sum(r.counts for r in self.report.rejects)} article(s) rejected; "
                    "nothing published (use --allow-rejects to publish the rest)",
                    self.report,
                )
            if staging is not None and self.sink is not None:
                # Imported here, after the workers have started: the card's dependencies
                # (Polars, Matplotlib) need not take memory in every worker process.
                from dataset_builder.card import copy_card, write_release_metadata

                self.report.files = self.sink.close()
                write_release_metadata(staging, self.report)
                # The assignment is written first: if it fails, nothing was replaced;
                # the card copies are written last, once the release they describe is in.
                save_assignments(options.splits_dir, self.assigner.assignments(options.prune))
                swap_into_place(staging, options.output_dir)
                staging = None
                if options.card_dir is not None:
                    copy_card(options.output_dir, options.card_dir)
        finally:
            if self._pool is not None:
                self._pool.terminate()
            if self.cache is not None:
                self.cache.close()
            self.index.close()
            self.assigner.close()
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
        return self.report

    def _check_splits(self) -> None:
        missing = self.assigner.missing()
        if missing and not self.options.prune:
            shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise BuildError(
                f"{self.options.splits_dir}: the split assignment lists {len(missing)} id(s) "
                f"that no input provides: {shown} (restore the inputs, or run again with --prune)"
            )


def build(options: BuildOptions) -> BuildReport:
    return Build(options).run()


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
