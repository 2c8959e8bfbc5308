"""Records of a published folder, read from its Parquet files, as plain dicts."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from dataset_builder.config import CONFIGS
from dataset_builder.release.stats import batches, config_files, find_record, plain

# How many close ids an unknown id suggests.
MAX_SUGGESTIONS = 5


class NoReleaseError(Exception):
    """The folder holds no published records."""


def _require_release(release: Path) -> None:
    if not any(config_files(release, config) for config in CONFIGS):
        raise NoReleaseError(
            f"{release}: no published records (no data/<configuration>/<split>-*.parquet); "
            "build one with `dataset-builder build` or name it with --release"
        )


def load_record(release: Path, record_id: str) -> dict[str, Any] | None:
    """The article or teaser `record_id` of `release`, or None when there is none."""
    _require_release(release)
    return find_record(release, record_id, CONFIGS)


def record_ids(release: Path) -> list[str]:
    """Every id of the release, articles then teasers."""
    _require_release(release)
    return [
        str(value)
        for config in CONFIGS
        for batch in batches(release, config, ["id"])
        for value in batch.column(0).to_pylist()
    ]


def close_ids(release: Path, record_id: str) -> list[str]:
    """Ids that start with `record_id`, then ids spelled like it, at most a few."""
    ids = record_ids(release)
    starting = sorted(i for i in ids if i.startswith(record_id))
    similar = difflib.get_close_matches(record_id, ids, n=MAX_SUGGESTIONS, cutoff=0.6)
    return list(dict.fromkeys([*starting, *similar]))[:MAX_SUGGESTIONS]


def iter_records(release: Path, config: str) -> Iterator[dict[str, Any]]:
    """The records of one configuration, in file order, a batch at a time."""
    for path in config_files(release, config):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=256):
            for row in batch.to_pylist():
                yield plain(row)
