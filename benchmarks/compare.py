"""Build throughput of this checkout against another revision, on the same corpus.

Checks out REV into a temporary git worktree (or takes the copy of the project at --tree,
which leaves the repository as it is), generates one corpus (benchmarks/corpus.py) and
builds it with each tree in turn, alternating so that a change in the machine's load
falls on both. Prints the median seconds and articles per second of each, and the ratio.

With --worker-cpu, each tree instead does a worker's work on the whole corpus in one
process (`process_chunk` over chunks, after a warm-up) and the CPU time it takes is
measured: a steadier figure for a change to the annotators than whole builds on a machine
whose speed varies, though it leaves out the main process.

    python benchmarks/compare.py --rev HEAD~1            # N = 10,000, 3 runs each
    python benchmarks/compare.py --rev v1.0.1 --size 2000 --repeats 5
    python benchmarks/compare.py --tree /tmp/project-before
    python benchmarks/compare.py --rev HEAD~1 --size 2000 --worker-cpu
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import write_corpus  # noqa: E402
from dataset_builder.config import usable_cores  # noqa: E402


def _environment(tree: Path) -> dict[str, str]:
    # The tree first on the path: its package, not the installed one, is imported.
    return {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}


def timed_build(tree: Path, corpus: Path, work: Path, workers: int) -> float:
    """Wall seconds of `dataset-builder build` of `corpus` with the package in `tree`."""
    output, splits = work / "release", work / "splits"
    command = [sys.executable, "-m", "dataset_builder", "build", "--input", str(corpus)]
    command += ["--output", str(output), "--splits", str(splits), "--prune", "--allow-rejects"]
    command += ["--no-cache", "--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=tree, env=_environment(tree), capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"build with {tree} failed:\n{done.stderr[-2000:]}")
    shutil.rmtree(output)
    shutil.rmtree(splits)
    return seconds


# Run with a tree's package first on the path: its worker's CPU milliseconds per article.
WORKER_CPU = """
import copy, sys, time
from pathlib import Path
from dataset_builder.build import worker
from dataset_builder.build.orchestrator import CHUNK_SIZE
from dataset_builder.build.runtime import load_annotators
from dataset_builder.build.splits import split_for
from dataset_builder.config import MAX_INPUT_BYTES
from dataset_builder.ingest.read import read_input

corpus = Path(sys.argv[1])
records = []
for path in sorted(corpus.iterdir()):
    for item in read_input(path, corpus, MAX_INPUT_BYTES, parse=False)[1]:
        item["split"], item[worker.CITED_AS] = split_for(item["id"]), "benchmark"
        records.append(item)
load_annotators()
worker.process_chunk(copy.deepcopy(records[: 2 * CHUNK_SIZE]))  # rules compile at first use
started = time.process_time()
for start in range(0, len(records), CHUNK_SIZE):
    worker.process_chunk(records[start : start + CHUNK_SIZE])
print((time.process_time() - started) * 1000 / len(records))
"""


def worker_cpu(tree: Path, corpus: Path) -> float:
    """CPU milliseconds per article of a worker's work on `corpus`, with the package in `tree`."""
    done = subprocess.run(
        [sys.executable, "-c", WORKER_CPU, str(corpus)],
        cwd=tree,
        env=_environment(tree),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker run with {tree} failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    other_tree = parser.add_mutually_exclusive_group(required=True)
    other_tree.add_argument("--rev", help="the revision to compare against")
    other_tree.add_argument(
        "--tree",
        type=Path,
        help="a copy of the project (with its dataset_builder/) to compare against",
    )
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=usable_cores())
    parser.add_argument(
        "--worker-cpu",
        action="store_true",
        help="compare a worker's CPU time per article instead of whole builds",
    )
    args = parser.parse_args()
    name = args.rev or str(args.tree)
    with tempfile.TemporaryDirectory(prefix="build-compare-") as tmp:
        work = Path(tmp)
        other = args.tree.resolve() if args.tree else work / "other"
        if args.rev:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(other), args.rev],
                check=True,
                capture_output=True,
            )
        try:
            corpus = write_corpus(work / "corpus", args.size, seed=args.size)
            figures: dict[str, list[float]] = {"this checkout": [], name: []}  # s, or CPU ms
            for _ in range(args.repeats):
                for tree, key in ((ROOT, "this checkout"), (other, name)):
                    if args.worker_cpu:
                        figures[key].append(worker_cpu(tree, corpus))
                    else:
                        figures[key].append(timed_build(tree, corpus, work, args.workers))
        finally:
            if args.rev:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                    check=False,
                )
    medians = {tree: statistics.median(values) for tree, values in figures.items()}
    if args.worker_cpu:
        for tree, median in medians.items():
            runs = ", ".join(f"{value:.3f}" for value in figures[tree])
            print(f"{tree:>16}: median {median:.3f} ms CPU per article ({runs}), worker's work")
        ratio = medians[name] / medians["this checkout"]
        print(f"worker CPU per article, {name} / this checkout: {ratio:.3f}")
        return
    for tree, median in medians.items():
        runs = ", ".join(f"{value:.1f}" for value in figures[tree])
        print(
            f"{tree:>16}: median {median:.1f} s ({runs}), "
            f"{args.size / median:,.0f} articles/s at N={args.size:,}, {args.workers} workers"
        )
    ratio = medians[name] / medians["this checkout"]
    print(f"throughput of this checkout / {name}: {ratio:.3f}")


if __name__ == "__main__":
    main()
