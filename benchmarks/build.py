"""End-to-end build benchmark: throughput, peak memory and output size as the corpus grows.

Generates deterministic corpora (benchmarks/corpus.py) of N raw articles, builds each with
`dataset-builder build` in a subprocess while sampling the resident memory of the whole
process tree, and runs the same corpus through a baseline written the way a user would
without this project: `datasets.Dataset.map` calling `dateparser.search_dates` and lingua
with every language. Prints the figures and ratios and writes benchmarks/results/build.json
(read by the dataset card).

    python benchmarks/build.py                   # N = 1,000, 10,000, 100,000; baseline at 10,000
    python benchmarks/build.py --sizes 1000 --baseline-size 200
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import write_corpus  # noqa: E402
from dataset_builder.config import usable_cores  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "build.json"


def _field_kib(path: str, name: str) -> int:
    with open(path, encoding="ascii") as handle:
        for line in handle:
            if line.startswith(name):
                return int(line.split()[1])
    return 0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _tree_pids(pid: int) -> list[int]:
    """A process and its descendants (those still running)."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def _tree_memory_bytes(pids: list[int], with_pss: bool) -> tuple[int, int]:
    """Resident and proportional memory (RSS, PSS) of processes.

    RSS added up counts a page shared by forked workers once per process; PSS divides
    each shared page among the processes that share it, so its sum is the memory the
    build really occupies. Reading PSS walks every page table, so it is read only when
    asked (and 0 is returned otherwise).
    """
    rss = pss = 0
    for pid in pids:
        try:
            rss += _field_kib(f"/proc/{pid}/status", "VmRSS:") * 1024
            if with_pss:
                pss += _field_kib(f"/proc/{pid}/smaps_rollup", "Pss:") * 1024
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return rss, pss


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def _run_measured(command: list[str]) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds (user and system, over the process tree), peak RSS and
    peak PSS (bytes) of the process tree running `command`.

    A process's CPU time is its last sample: one that exits between two samples loses
    at most one interval of it.
    """
    peak = peak_pss = 0
    cpu: dict[int, float] = {}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        # RSS and CPU every 50 ms, PSS (10 ms of kernel work per process) every second:
        # the sampler must not take the CPU it measures.
        nonlocal peak, peak_pss
        count = 0
        while not done.is_set():
            pids = _tree_pids(process.pid)
            rss, pss = _tree_memory_bytes(pids, with_pss=count % 20 == 0)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            for pid in pids:
                cpu[pid] = max(cpu.get(pid, 0.0), _cpu_seconds(pid))
            count += 1
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {stderr.decode()[-2000:]}")
    return seconds, sum(cpu.values()), peak, peak_pss


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build_run(corpus: Path, work: Path, workers: int) -> dict[str, Any]:
    output, splits = work / "release", work / "splits"
    command = [
        sys.executable,
        "-m",
        "dataset_builder",
        "build",
        "--input",
        str(corpus),
        "--output",
        str(output),
        "--splits",
        str(splits),
        "--prune",
        "--allow-rejects",
        "--no-cache",
        "--workers",
        str(workers),
    ]
    seconds, cpu_seconds, peak, peak_pss = _run_measured(command)
    count = len(list(corpus.iterdir()))
    result = {
        "articles": count,
        "seconds": round(seconds, 2),
        "articles_per_second": round(count / seconds, 1),
        "ms_per_article": round(1000 * seconds / count, 3),
        "cpu_seconds": round(cpu_seconds, 2),
        "cpu_ms_per_article": round(1000 * cpu_seconds / count, 3),
        "peak_rss_mib": round(peak / 2**20, 1),
        "peak_pss_mib": round(peak_pss / 2**20, 1),
        "output_mib": round(_folder_bytes(output) / 2**20, 2),
    }
    shutil.rmtree(output)
    shutil.rmtree(splits)
    return result


BASELINE = r"""
import sys, datetime, glob
import datasets, dateparser.search, lingua
from lingua import LanguageDetectorBuilder
detector = LanguageDetectorBuilder.from_all_languages().build()
files = sorted(glob.glob(sys.argv[1] + "/*.txt"))
texts = [open(f, encoding="utf-8").read() for f in files]
def annotate(row):
    language = detector.detect_language_of(row["text"])
    code = language.iso_code_639_1.name.lower() if language else "en"
    found = dateparser.search.search_dates(
        row["text"], languages=[code],
        settings={"RELATIVE_BASE": datetime.datetime(2025, 11, 27)},
    ) or []
    return {"language": code, "dates": [text for text, _ in found]}
ds = datasets.Dataset.from_dict({"text": texts}).map(annotate, num_proc=int(sys.argv[3]))
ds.to_parquet(sys.argv[2])
"""


def baseline_run(corpus: Path, work: Path, workers: int) -> dict[str, Any]:
    script = work / "baseline.py"
    script.write_text(BASELINE, encoding="utf-8")
    env_command = [
        sys.executable,
        str(script),
        str(corpus),
        str(work / "baseline.parquet"),
        str(workers),
    ]
    seconds, _, peak, peak_pss = _run_measured(env_command)
    count = len(list(corpus.iterdir()))
    return {
        "articles": count,
        "seconds": round(seconds, 2),
        "articles_per_second": round(count / seconds, 2),
        "peak_rss_mib": round(peak / 2**20, 1),
        "peak_pss_mib": round(peak_pss / 2**20, 1),
    }


STARTUP_PROBE = r"""
import json, time
started = time.perf_counter()
import dataset_builder.build.worker_preload
loaded = time.perf_counter()
from dataset_builder.annotators import topics
from dataset_builder.annotators.dates.scan import RESOURCES_DIR, compile_tagger
from dataset_builder.annotators.languages import scan_languages
annotator = topics.default_topic_annotator()
languages = {}
for code in scan_languages(RESOURCES_DIR).codes:
    begun = time.perf_counter()
    annotator.annotate([], code)  # compiles the language's lexicon
    compile_tagger(code, RESOURCES_DIR)
    languages[code] = time.perf_counter() - begun
print(json.dumps({"server": loaded - started, "languages": languages}))
"""


def startup_costs(repeats: int = 3) -> dict[str, Any]:
    """Fixed costs of annotating, in a fresh process (medians of `repeats` runs): what the
    server the workers are forked from loads before the first fork (the builder's modules,
    lingua's Latin-script models, the validators), and, per language, compiling its topic
    lexicon and date rules, which each worker does at its first text in that language."""
    samples = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", STARTUP_PROBE],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(repeats)
    ]
    return {
        "server_seconds": round(statistics.median(s["server"] for s in samples), 2),
        "language_seconds": {
            code: round(statistics.median(s["languages"][code] for s in samples), 3)
            for code in samples[0]["languages"]
        },
    }


def _fixed_and_marginal(runs: list[dict[str, Any]]) -> tuple[float, float]:
    """Least-squares fit seconds = fixed + marginal * articles over the runs."""
    xs = [float(r["articles"]) for r in runs]
    ys = [float(r["seconds"]) for r in runs]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return mean_y - slope * mean_x, slope


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument(
        "--baseline-size",
        type=int,
        default=10_000,
        help="corpus size for the baseline; the builder's run at this size is compared",
    )
    parser.add_argument("--workers", type=int, default=usable_cores())
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="where to write the results (default: the file the dataset card reads)",
    )
    args = parser.parse_args()
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    os.environ.update(environment)
    runs = []
    with tempfile.TemporaryDirectory(prefix="build-bench-") as tmp:
        work = Path(tmp)
        for size in sorted(set(args.sizes)):
            corpus = write_corpus(work / f"corpus-{size}", size, seed=size)
            run = build_run(corpus, work, args.workers)
            runs.append(run)
            print(
                f"N={size:>7,}: {run['seconds']:>8.1f} s  {run['articles_per_second']:>8,.1f} articles/s  "
                f"{run['ms_per_article']:.2f} ms/article ({run['cpu_ms_per_article']:.2f} ms CPU)  "
                f"peak RSS {run['peak_rss_mib']:,.0f} MiB "
                f"(PSS {run['peak_pss_mib']:,.0f} MiB)  output {run['output_mib']:,.1f} MiB",
                flush=True,
            )
            if size != args.baseline_size:
                shutil.rmtree(corpus)
        corpus = work / f"corpus-{args.baseline_size}"
        by_size = {r["articles"]: r for r in runs}
        if args.baseline_size in by_size:
            ours = by_size[args.baseline_size]
        else:
            write_corpus(corpus, args.baseline_size, seed=args.baseline_size)
            ours = build_run(corpus, work, args.workers)
        baseline = baseline_run(corpus, work, args.workers)
    ratio = ours["articles_per_second"] / baseline["articles_per_second"]
    print(
        f"baseline (datasets.map + dateparser + lingua, all languages), N={baseline['articles']:,}: "
        f"{baseline['articles_per_second']:,.2f} articles/s, peak RSS {baseline['peak_rss_mib']:,.0f} MiB; "
        f"this builder on the same corpus: {ours['articles_per_second']:,.1f} articles/s -> {ratio:,.1f}x"
    )
    result: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "workers": args.workers,
        "runs": runs,
        "baseline": baseline,
        "builder_on_baseline_corpus": ours,
        "speed_ratio": round(ratio, 1),
        "startup": startup_costs(),
    }
    languages = ", ".join(
        f"{code} {seconds:.2f} s" for code, seconds in result["startup"]["language_seconds"].items()
    )
    print(
        f"fresh process: worker server ready in {result['startup']['server_seconds']:.2f} s; "
        f"each language's lexicon and date rules, compiled at its first text: {languages}"
    )
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        result["ms_per_article_change"] = round(
            last["ms_per_article"] / first["ms_per_article"] - 1, 3
        )
        fixed, marginal = _fixed_and_marginal(runs)
        result["fixed_seconds"] = round(fixed, 2)
        result["marginal_ms_per_article"] = round(1000 * marginal, 3)
        if 10_000 in by_size and 100_000 in by_size:
            for kind in ("rss", "pss"):
                result[f"{kind}_change_10k_to_100k"] = round(
                    by_size[100_000][f"peak_{kind}_mib"] / by_size[10_000][f"peak_{kind}_mib"] - 1,
                    3,
                )
        print(
            f"time per article N={first['articles']:,} -> N={last['articles']:,}: "
            f"{100 * result['ms_per_article_change']:+.1f}%; fit: {fixed:.1f} s fixed + "
            f"{1000 * marginal:.3f} ms per article"
            + (
                f"; peak RSS 10k -> 100k: {100 * result['rss_change_10k_to_100k']:+.1f}%"
                f" (PSS {100 * result['pss_change_10k_to_100k']:+.1f}%)"
                if "rss_change_10k_to_100k" in result
                else ""
            )
        )
    if not args.no_write:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
