"""Per-stage cost of building a release, in ms per article, against its I/O floor.

Generates a deterministic corpus (benchmarks/corpus.py) of N raw articles and, in one
process on one core (no worker pool), does to it what a build does: reads the inputs
(`read_input`, unparsed), runs the worker's `process_chunk` over chunks of 32, and writes
the rows with the build's `ParquetSink`. The functions the worker calls (the annotators
apart for articles and teasers) are wrapped in timers, so the stages are the project's
own code in the worker's order; `process_chunk` also runs without timers, to show that
the stages account for the whole worker. The I/O floor is reading every input's bytes
(plain open and read) plus writing the same Arrow tables to Parquet with the same
settings. Loading the annotators and a warm-up (lexicons and date rules compile at first
use) are fixed costs, reported apart. Medians of --repeat runs; prints a table and
writes benchmarks/results/stages.json.

    python benchmarks/stages.py
    python benchmarks/stages.py --size 500 --repeat 1 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from unittest import mock

import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.corpus import write_corpus  # noqa: E402
from dataset_builder.annotators import annotate  # noqa: E402
from dataset_builder.build import worker  # noqa: E402
from dataset_builder.build.orchestrator import CHUNK_SIZE  # noqa: E402
from dataset_builder.build.runtime import load_annotators  # noqa: E402
from dataset_builder.build.splits import split_for  # noqa: E402
from dataset_builder.config import CONFIGS, MAX_INPUT_BYTES, SPLITS  # noqa: E402
from dataset_builder.ingest.read import read_input  # noqa: E402
from dataset_builder.ingest.records import Record, Reject  # noqa: E402
from dataset_builder.publish.parquet import ParquetSink  # noqa: E402
from dataset_builder.release.citation import dataset_identity  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "stages.json"
WARM_UP = 50  # articles annotated before timing, so that every language's rules are compiled

READING, PARQUET = "reading (read_input)", "Parquet writing"
ANNOTATION_REST = "segments + teaser records"
WORKER_REST = "rest of the worker (time budget, results)"
# The functions `_process` and `process_chunk` call, by the stage they are counted in.
WORKER_STAGES = {
    "parsed": "parsing",
    "content_sha256": "content hash + date check",
    "date_problem": "content hash + date check",
    "annotate_item": ANNOTATION_REST,
    "article_apa": "citation",
    "schema_rejects": "validation (schema)",
    "arrow_row": "Arrow rows",
    "rows_to_table": "Arrow rows",
    "fingerprint": "MinHash fingerprint",
}
ORDER = [READING, *dict.fromkeys(WORKER_STAGES.values()), WORKER_REST, PARQUET]
ORDER[ORDER.index(ANNOTATION_REST) : ORDER.index(ANNOTATION_REST)] = [
    f"{annotator.__name__.removeprefix('annotate_')} ({what})"
    for annotator in annotate.ANNOTATORS
    for what in ("articles", "teasers")
]

P = ParamSpec("P")
R = TypeVar("R")
Seconds = dict[str, float]


def _timed(
    function: Callable[P, R], seconds: Seconds, stage: str, within: str = ""
) -> Callable[P, R]:
    """`function`, adding its time to `stage` and taking it from `within` (the stage of
    the call it is made inside: each second is counted once)."""

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - started
            seconds[stage] += elapsed
            if within:
                seconds[within] -= elapsed

    return run


@contextmanager
def stage_timers(seconds: Seconds) -> Iterator[None]:
    """The worker's functions and the annotators timed into `seconds` while inside."""

    def by_unit(annotator: annotate.Annotator) -> annotate.Annotator:
        name = annotator.__name__.removeprefix("annotate_")
        per_unit = {
            unit: _timed(annotator, seconds, f"{name} ({what})", within=ANNOTATION_REST)
            for unit, what in ((annotate.ARTICLE, "articles"), (annotate.TEASER, "teasers"))
        }
        return lambda record, segments, unit: per_unit[unit](record, segments, unit)

    with ExitStack() as stack:
        for name, stage in WORKER_STAGES.items():
            timed = _timed(getattr(worker, name), seconds, stage)
            stack.enter_context(mock.patch.object(worker, name, timed))
        annotators = tuple(map(by_unit, annotate.ANNOTATORS))
        stack.enter_context(mock.patch.object(annotate, "ANNOTATORS", annotators))
        yield


def read_records(corpus: Path, cited_as: str) -> list[Record]:
    """Every article of `corpus` as the build hands it to a worker (unparsed)."""
    records = []
    for path in sorted(corpus.iterdir()):
        _, items = read_input(path, corpus, MAX_INPUT_BYTES, parse=False)
        for item in items:
            if isinstance(item, Reject):
                raise RuntimeError(f"the generated corpus has a reject: {item.one_line()}")
            item["split"], item[worker.CITED_AS] = split_for(item["id"]), cited_as
            records.append(item)
    return records


def process(records: list[Record]) -> list[worker.ProcessedArticle]:
    return [
        item
        for start in range(0, len(records), CHUNK_SIZE)
        for item in worker.process_chunk(records[start : start + CHUNK_SIZE])
    ]


def write_parquet(done: list[worker.ProcessedArticle], folder: Path) -> float:
    """Seconds to write the chunks' tables, split by split, with the build's sink."""
    tables: dict[str, list[pa.Table]] = {config: [] for config in CONFIGS}
    for item in done:  # a chunk's articles share its tables; each is written once
        if item.rows is not None and item.rows.index == 0:
            tables["default"].append(item.rows.default)
            tables["related"].append(item.rows.related)
    by_split = []
    for config, parts in tables.items():
        table = pa.concat_tables(parts)
        for split in SPLITS:
            by_split.append((config, split, table.filter(pc.equal(table["split"], split))))
    started = time.perf_counter()
    sink = ParquetSink(folder)
    for config, split, rows in by_split:
        sink.write(config, split, rows)
    sink.close()
    return time.perf_counter() - started


def measure(
    corpus: Path, work: Path, cited_as: str
) -> tuple[Seconds, float, tuple[float, float], int]:
    """One run: seconds per stage, of the untimed worker and of the I/O floor (reading,
    writing Parquet), and how many articles the worker rejected."""
    seconds: Seconds = defaultdict(float)
    started = time.perf_counter()
    records = read_records(corpus, cited_as)
    seconds[READING] = time.perf_counter() - started
    started = time.perf_counter()
    with stage_timers(seconds):
        done = process(records)
    elapsed = time.perf_counter() - started
    seconds[WORKER_REST] = elapsed - sum(v for stage, v in seconds.items() if stage != READING)
    seconds[PARQUET] = write_parquet(done, work / "timed")
    started = time.perf_counter()
    for path in sorted(corpus.iterdir()):
        path.read_bytes()
    floor = (time.perf_counter() - started, write_parquet(done, work / "floor"))
    records = read_records(corpus, cited_as)
    started = time.perf_counter()
    process(records)
    worker_seconds = time.perf_counter() - started
    return dict(seconds), worker_seconds, floor, sum(1 for item in done if item.problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2_000, help="articles in the corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs; medians are reported")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args()
    cited_as = dataset_identity().cited_as
    with tempfile.TemporaryDirectory(prefix="stages-bench-") as tmp:
        work = Path(tmp)
        corpus = write_corpus(work / "corpus", args.size, seed=args.size)
        started = time.perf_counter()
        load_annotators()
        loaded = time.perf_counter()
        write_parquet(process(read_records(corpus, cited_as)[:WARM_UP]), work / "warm-up")
        load_seconds, warm_up_seconds = loaded - started, time.perf_counter() - loaded
        runs = [measure(corpus, work / f"run-{n}", cited_as) for n in range(args.repeat)]
    count: int = args.size

    def ms(seconds: Iterable[float]) -> float:
        """The median of `seconds`, in ms per article."""
        return 1000 * statistics.median(seconds) / count

    stages = {stage: ms(run[0].get(stage, 0.0) for run in runs) for stage in ORDER}
    total = sum(stages.values())
    worker_ms = ms(run[1] for run in runs)
    inside = sum(value for stage, value in stages.items() if stage not in (READING, PARQUET))
    floor, floor_read = ms(sum(run[2]) for run in runs), ms(run[2][0] for run in runs)
    floor_parquet = ms(run[2][1] for run in runs)
    width = max(map(len, stages)) + 2
    print(
        f"N={count:,} articles ({runs[0][3]} rejected), median of {args.repeat} runs; fixed: "
        f"annotators loaded in {load_seconds:.2f} s, warm-up on {WARM_UP} {warm_up_seconds:.2f} s"
    )
    print(f"{'stage':<{width}}{'ms/article':>11}{'share':>8}")
    for stage, value in stages.items():
        print(f"{stage:<{width}}{value:>11.3f}{value / total:>8.1%}")
    print(f"{'total':<{width}}{total:>11.3f}")
    print(
        f"{'worker total (process_chunk)':<{width}}{worker_ms:>11.3f}   (stages inside it: {inside:.3f})"
    )
    print(
        f"{'I/O floor (read + Parquet)':<{width}}{floor:>11.3f}   "
        f"(plain read {floor_read:.3f}, Parquet {floor_parquet:.3f})"
    )
    print(f"total / I/O floor: {total / floor:.1f}x")
    result: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "articles": count,
        "repeat": args.repeat,
        "rejected": runs[0][3],
        "load_seconds": round(load_seconds, 2),
        "warm_up_seconds": round(warm_up_seconds, 2),
        "ms_per_article": {stage: round(value, 4) for stage, value in stages.items()},
        "share": {stage: round(value / total, 4) for stage, value in stages.items()},
        "total_ms_per_article": round(total, 3),
        "worker_total_ms_per_article": round(worker_ms, 3),
        "worker_stages_ms_per_article": round(inside, 3),
        "io_floor_ms_per_article": {
            "total": round(floor, 3),
            "read": round(floor_read, 3),
            "parquet": round(floor_parquet, 3),
        },
        "total_to_io_floor": round(total / floor, 2),
    }
    if not args.no_write:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
