"""The annotation step as pure functions over Arrow tables, for distributed engines.

A corpus too large for one machine can be parsed once (`parsed_table`), partitioned into
Parquet files, and annotated by any engine that maps a function over Arrow or Parquet
partitions (Dask, Ray Data, Spark): `annotate_table` reads nothing and writes nothing, so
the engine decides where it runs. Its rows are the ones `dataset-builder build` publishes
for the same inputs and split assignment; removing duplicates, which needs the whole
corpus, stays with the build. See docs/distributed.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from dataset_builder.build.splits import split_for
from dataset_builder.build.worker import content_sha256, process_item
from dataset_builder.ingest.discover import discover
from dataset_builder.ingest.read import read_input
from dataset_builder.ingest.records import Reject
from dataset_builder.publish.parquet import rows_to_table

PARSED_SCHEMA = pa.schema([("id", pa.string()), ("record", pa.string())])
REJECTS_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("id", pa.string()),
        ("field", pa.string()),
        ("rule", pa.string()),
        ("message", pa.string()),
    ]
)


def parsed_records(
    input_dir: Path, assignments: Mapping[str, str] | None = None
) -> Iterable[dict[str, Any]]:
    """Parsed articles of an input folder, as the build reads them (rejected inputs skipped).

    Each carries its split: from `assignments` (e.g. `splits.load_assignments`), else by rule.
    """
    for name in discover(input_dir).inputs:
        _, items = read_input(input_dir / name, input_dir)
        for item in items:
            if not isinstance(item, Reject):
                item["content_sha256"] = content_sha256(item)
                item["split"] = (assignments or {}).get(item["id"]) or split_for(item["id"])
                yield item


def parsed_table(records: Iterable[dict[str, Any]]) -> pa.Table:
    """One row per parsed article: its id and the parsed record as JSON."""
    rows = [{"id": r["id"], "record": json.dumps(r, ensure_ascii=False)} for r in records]
    return pa.Table.from_pylist(rows, schema=PARSED_SCHEMA)


def annotate_table(parsed: pa.Table) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Annotate a partition: (articles, related teasers, rejects), typed as published."""
    articles: list[dict[str, Any]] = []
    teasers: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    for text in parsed.column("record").to_pylist():
        done = process_item(json.loads(text))
        if done.row is None:
            rejects.extend(
                {"file": p.file, "id": p.id, "field": p.field, "rule": p.rule, "message": p.message}
                for p in done.problems
            )
            continue
        articles.append(done.row)
        teasers.extend(done.teasers)
    return (
        rows_to_table(articles, "default"),
        rows_to_table(teasers, "related"),
        pa.Table.from_pylist(rejects, schema=REJECTS_SCHEMA),
    )
