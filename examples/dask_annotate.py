"""Annotate a parsed corpus with Dask: one task per Parquet partition, in local mode or on a cluster.

    python examples/dask_annotate.py seeds/ out/ --partitions 4 --workers 2
    python examples/dask_annotate.py seeds/ out/ --scheduler tcp://scheduler:8786

Step 1 parses the input folder once (as `dataset-builder build` reads it) into
`out/parsed/part-NNNNN.parquet`. Step 2 maps `dataset_builder.build.engine.annotate_table` over
those files on the Dask cluster; each task reads one partition and writes
`out/{default,related,rejects}/part-NNNNN.parquet`. The annotator functions are pure, so
any engine that maps a function over Parquet partitions can run step 2 the same way.
Split assignment, duplicate detection and the card stay with `dataset-builder build`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import dask
import pyarrow.parquet as pq
from dask.distributed import Client, LocalCluster

from dataset_builder.build.engine import annotate_table, parsed_records, parsed_table
from dataset_builder.build.splits import load_assignments


def write_partitions(input_dir: Path, splits: Path, output: Path, partitions: int) -> list[Path]:
    """Parse the input folder and split it into `partitions` Parquet files."""
    table = parsed_table(parsed_records(input_dir, load_assignments(splits)))
    folder = output / "parsed"
    folder.mkdir(parents=True, exist_ok=True)
    size = max(1, -(-table.num_rows // partitions))
    paths = []
    for index, start in enumerate(range(0, table.num_rows, size)):
        path = folder / f"part-{index:05d}.parquet"
        pq.write_table(table.slice(start, size), path)
        paths.append(path)
    return paths


def annotate_partition(parsed_path: str, output: str) -> int:
    """One task: annotate one partition file and write its three outputs."""
    articles, teasers, rejects = annotate_table(pq.read_table(parsed_path))
    name = Path(parsed_path).name
    for folder, table in (("default", articles), ("related", teasers), ("rejects", rejects)):
        target = Path(output) / folder
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target / name)
    return int(articles.num_rows)


def run(
    input_dir: Path,
    output: Path,
    partitions: int,
    workers: int,
    scheduler: str | None,
    splits: Path = Path("splits"),
) -> int:
    paths = write_partitions(input_dir, splits, output, partitions)
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
        client = Client(cluster)
    with client:
        tasks = [dask.delayed(annotate_partition)(str(p), str(output)) for p in paths]
        counts = dask.compute(*tasks)
    return int(sum(counts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    parser.add_argument("--splits", type=Path, default=Path("splits"), help="split assignment")
    args = parser.parse_args()
    published = run(
        args.input, args.output, args.partitions, args.workers, args.scheduler, args.splits
    )
    print(f"{published} articles annotated into {args.output}")


if __name__ == "__main__":
    main()
