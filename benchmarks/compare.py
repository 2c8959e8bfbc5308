"""Build throughput of this checkout against another revision, on the same corpus.

Checks out REV into a temporary git worktree (or takes the copy of the project at --tree,
which leaves the repository as it is), generates one corpus (benchmarks/corpus.py) and
builds it with each tree in turn, alternating so that a change in the machine's load
falls on both. Prints the median seconds and articles per second of each, and the ratio.

    python benchmarks/compare.py --rev HEAD~1            # N = 10,000, 3 runs each
    python benchmarks/compare.py --rev v1.0.1 --size 2000 --repeats 5
    python benchmarks/compare.py --tree /tmp/project-before
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


def timed_build(tree: Path, corpus: Path, work: Path, workers: int) -> float:
    """Wall seconds of `dataset-builder build` of `corpus` with the package in `tree`."""
    output, splits = work / "release", work / "splits"
    command = [sys.executable, "-m", "dataset_builder", "build", "--input", str(corpus)]
    command += ["--output", str(output), "--splits", str(splits), "--prune", "--allow-rejects"]
    command += ["--no-cache", "--workers", str(workers)]
    # The tree first on the path: its package, not the installed one, is imported.
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"build with {tree} failed:\n{done.stderr[-2000:]}")
    shutil.rmtree(output)
    shutil.rmtree(splits)
    return seconds


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
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
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
            seconds: dict[str, list[float]] = {"this checkout": [], name: []}
            for _ in range(args.repeats):
                seconds["this checkout"].append(timed_build(ROOT, corpus, work, args.workers))
                seconds[name].append(timed_build(other, corpus, work, args.workers))
        finally:
            if args.rev:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                    check=False,
                )
    medians = {tree: statistics.median(values) for tree, values in seconds.items()}
    for tree, median in medians.items():
        runs = ", ".join(f"{value:.1f}" for value in seconds[tree])
        print(
            f"{tree:>16}: median {median:.1f} s ({runs}), "
            f"{args.size / median:,.0f} articles/s at N={args.size:,}, {args.workers} workers"
        )
    ratio = medians[name] / medians["this checkout"]
    print(f"throughput of this checkout / {name}: {ratio:.3f}")


if __name__ == "__main__":
    main()
