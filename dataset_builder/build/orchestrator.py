"""The build: read -> parse -> validate -> annotate -> split -> publish.

Inputs stream through in batches, so memory depends on the batch size and the number of
workers; what duplicate detection needs of every article (ids, content hashes, MinHash
signatures) goes to a temporary database on disk. Output goes to a staging folder that
replaces the previous release only when everything is written and checked.
"""

from __future__ import annotations

import dataclasses
import shutil
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from tqdm import tqdm

from dataset_builder.annotators.annotate import (
    annotator_versions,
)
from dataset_builder.build.cache import AnnotationCache
from dataset_builder.build.dedup import PublishedIndex, same_outlet
from dataset_builder.build.locks import FolderBusy, exclusive
from dataset_builder.build.report import BuildError, BuildReport
from dataset_builder.build.runtime import start_worker_server, worker_pool
from dataset_builder.build.splits import SplitAssigner, read_assignments, save_assignments
from dataset_builder.build.stories import HeldRows, StoryLinks, row_source
from dataset_builder.build.worker import (
    ARTICLE_SECONDS,
    CITED_AS,
    TIME_BUDGET,
    ProcessedArticle,
    process_chunk,
)
from dataset_builder.config import (
    DEFAULT_INPUT,
    DEFAULT_OUTPUT,
    DEFAULT_SPLITS,
    MAX_INPUT_BYTES,
)
from dataset_builder.identity import Identity, IdentityError, resolve_identity
from dataset_builder.ingest.discover import discover
from dataset_builder.ingest.read import read_input
from dataset_builder.ingest.records import InputFile, Record, Reject
from dataset_builder.publish.parquet import (
    TARGET_SHARD_BYTES,
    gather,
)
from dataset_builder.publish.sinks import SINKS, Sink
from dataset_builder.publish.staging import (
    UnsafeOutput,
    check_card_folder,
    check_output,
    lock_file,
    recover_interrupted_swap,
    staging_folder,
    swap_into_place,
)
from dataset_builder.release.imports import import_dependencies

# Inputs at which a progress bar appears; smaller builds just print their table.
PROGRESS_THRESHOLD = 100


# Articles per task sent to a worker: results travel back as one Arrow table per chunk.
CHUNK_SIZE = 32


# The lock file a build holds in the splits folder while it reads and writes it.
LOCK_NAME = ".lock"


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
    output_format: str = "parquet"  # a key of publish.sinks.SINKS
    shard_bytes: int = TARGET_SHARD_BYTES  # a new Parquet shard starts past this size
    cache_dir: Path | None = None  # annotation cache for incremental rebuilds; None: none
    card_dir: Path | None = None  # also write DATASET_CARD.md, CITATION.cff, figures/ here
    progress: bool | None = None  # None: only for large builds
    article_seconds: float = ARTICLE_SECONDS  # time budget of one article
    # The dataset published: this identity, else the dataset.toml `config` names, else
    # the one found for the input folder (`identity.resolve_identity`).
    identity: Identity | None = None
    config: Path | None = None
    # Drop near copies from other outlets too, instead of linking them as one story.
    drop_near_duplicates: bool = False


@dataclass
class PendingBatch:
    """A batch handed to the workers, with what is needed to collect it in order."""

    batch: list[tuple[InputFile, Record]]
    keys: list[str]  # cache keys, when caching
    done: list[ProcessedArticle | None]  # cached results, None where still to do
    missing: list[int]  # positions being processed
    result: list[Future[list[ProcessedArticle]]] | list[list[ProcessedArticle]]


class Build:
    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.report = BuildReport()
        # Made by `run`: a build reads the assignment only once it holds its lock.
        self.assigner = SplitAssigner()
        self.index = PublishedIndex()  # ids, content hashes and signatures, on disk
        self.held = HeldRows()  # published rows, until the stories are known
        self.links = StoryLinks()
        self.sink: Sink | None = None
        self.cache: AnnotationCache | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._card_imports: threading.Thread | None = None

    # -- stages -----------------------------------------------------------------
    def _submit(self, batch: list[tuple[InputFile, Record]]) -> PendingBatch:
        """Start processing a batch; cached articles are not processed again."""
        records = [record for _, record in batch]
        assert self.report.identity is not None
        for record in records:
            record["split"] = self.assigner.split_of(record["id"])
            # Part of the record, so that the cache key changes with the dataset version.
            record[CITED_AS] = self.report.identity.cited_as
        keys: list[str] = []
        done: list[ProcessedArticle | None] = [None] * len(records)
        if self.cache is not None:
            keys = [self.cache.key(record) for record in records]
            done = [self.cache.get(key) for key in keys]
        missing = [i for i, item in enumerate(done) if item is None]
        todo = [records[i] for i in missing]
        seconds = self.options.article_seconds
        result: list[Future[list[ProcessedArticle]]] | list[list[ProcessedArticle]]
        if self.options.workers > 1 and todo:
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
        rows: dict[str, list[tuple[pa.Table, int, int]]] = {}  # in publication order
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
            where = done.rows
            assert where is not None
            origin = row_source(where.default, where.index)
            near, copies = self.index.near_duplicates(done.fingerprint), []
            if not self.options.drop_near_duplicates:
                # Another outlet's copy is not a duplicate but a copy of the same story:
                # published, and linked to the others (build/stories.py).
                copies = [match for match in near if not same_outlet(match.source, origin)]
                near = [match for match in near if same_outlet(match.source, origin)]
            if near:
                self._duplicate(info, record, near[0].record_id, "near", near[0].similarity)
                continue
            n = self.index.publish(
                done.record_id, done.content_digest, done.fingerprint, origin, where.related_count
            )
            self.index.link(n, [match.n for match in copies])
            self.assigner.assign(done.record_id)
            info.outcomes.append("published")
            self.report.published["default"][done.split] += 1
            self.report.languages[done.language] += 1
            self.report.warnings.extend(done.warnings)
            if done.language == "und":
                self.report.warnings.append(
                    f"{self._where(info, record)}: $.language: language undeterminable or "
                    "outside the configured set; published as 'und' [language]"
                )
            rows.setdefault("default", []).append((where.default, where.index, 1))
            if where.related_count:
                self.report.published["related"][done.split] += where.related_count
                rows.setdefault("related", []).append(
                    (where.related, where.related_start, where.related_count)
                )
        if self.sink is not None:
            for config, pieces in sorted(rows.items()):
                self.held.write(config, gather(pieces))
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
        identity, warning = options.identity, None
        if identity is None:
            try:
                identity, warning = resolve_identity(options.input_dir, options.config)
            except IdentityError as error:
                raise BuildError(str(error)) from None
        self.report.identity = identity
        if warning is not None:
            self.report.warnings.append(warning)
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
            self.held.close()
            self.links.close()
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
            # From here on the folder by its real path: `x/..` or `.` has no name to put
            # staging and retired folders beside.
            self.options = options = dataclasses.replace(
                options, output_dir=options.output_dir.resolve()
            )
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
            self._read_and_check(SINKS[options.output_format](staging, options.shard_bytes))
            assert self.sink is not None
            if self._card_imports is not None:
                self._card_imports.join()
            from dataset_builder.release.card import copy_card, write_release_metadata

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
                if self.sink is not None:
                    self.sink.abort()  # nothing may write into the folder as it goes
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

    def _read_and_check(self, sink: Sink | None) -> None:
        """Read, annotate and check every input, writing published rows to `sink`."""
        options = self.options
        self.sink = sink
        self.assigner.close()
        self.assigner = SplitAssigner(read_assignments(options.splits_dir))
        if options.cache_dir is not None:
            self.cache = AnnotationCache(options.cache_dir, annotator_versions())
        if options.workers > 1:
            start_worker_server()
            if sink is not None:
                # Loaded while the worker server starts and the workers annotate, when
                # this process mostly waits: writing the card then finds them loaded.
                self._card_imports = threading.Thread(target=import_dependencies, daemon=True)
                self._card_imports.start()
        found = discover(options.input_dir)
        self.report.skipped = found.skipped
        for reject in found.rejects:
            if reject.id is not None:  # an article file that cannot be read is still given
                self.assigner.mark_seen(reject.id)
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
            self.index.drop_signatures()
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
        self._place_stories()
        self.report.check_accounting()
        self._check_splits()
        if self.report.rejects and not options.allow_rejects:
            raise BuildError(
                f"{sum(r.counts for r in self.report.rejects)} article(s) rejected; "
                "nothing published (use --allow-rejects to publish the rest)",
                self.report,
            )
        if self.sink is not None:
            self.held.release(self.sink, self.links)

    def _place_stories(self) -> None:
        """Give the copies of each story their story id and split, once every article is seen."""
        published = self.report.published
        for members in self.index.stories():
            placement = self.assigner.place_story([record_id for record_id, _ in members])
            self.links.add(placement.story_id, placement.splits)
            self.report.story_copies += len(members) - 1
            teasers = dict(members)
            for record_id, placed, split in placement.moved:
                for config, count in (("default", 1), ("related", teasers[record_id])):
                    if count:
                        published[config][placed] -= count
                        published[config][split] += count
                        if not published[config][placed]:
                            del published[config][placed]
            for record_id, split in placement.apart:
                self.report.warnings.append(
                    f"{record_id} ({split}) and {placement.story_id} ({placement.split}) are "
                    "copies of one story in different splits: both were committed there "
                    f"({self.options.splits_dir}), and committed splits never move [story-split]"
                )
        for record_id, split in self.assigner.new_assignments():
            self.report.new_assignments.add(record_id, [record_id, split])

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


def build(options: BuildOptions) -> BuildReport:
    return Build(options).run()
