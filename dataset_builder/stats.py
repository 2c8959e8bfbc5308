"""Figures about a published folder, computed from its Parquet files.

Everything the card states about the data comes from here, so the card can be checked
against the data it describes. The files are read in record batches, only the columns
a figure needs, so memory stays flat however large the release is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from dataset_builder.config import CONFIGS, SPLITS

BATCH_ROWS = 1_000


def split_files(root: Path, config: str, split: str) -> list[Path]:
    return sorted((root / "data" / config).glob(f"{split}-*.parquet"))


def config_files(root: Path, config: str) -> list[Path]:
    return [path for split in SPLITS for path in split_files(root, config, split)]


def batches(root: Path, config: str, columns: list[str]) -> Iterator[pl.DataFrame]:
    """The records of a configuration, a batch at a time, with only `columns`."""
    for path in config_files(root, config):
        # Without pre-buffering, Arrow reads a row group at a time instead of whole
        # column chunks; freed buffers go back to the system after each file.
        parquet = pq.ParquetFile(path, pre_buffer=False)
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield frame
        pa.default_memory_pool().release_unused()


def read_config(root: Path, config: str) -> pl.DataFrame:
    """A whole configuration in memory: for tests and small releases only."""
    files = config_files(root, config)
    return pl.read_parquet(files) if files else pl.DataFrame()


def _count(counter: Counter[str], frame: pl.DataFrame, column: str) -> None:
    for key, n in frame.group_by(column).len().iter_rows():
        counter[str(key)] += n


def _ordered(counter: Counter[str]) -> dict[str, int]:
    """Most frequent first, ties by key: the same order for the same data."""
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def split_sizes(root: Path) -> dict[str, dict[str, dict[str, int]]]:
    """Per config and split: examples, uncompressed bytes and bytes on disk.

    Read from the Parquet footers (`num_bytes` is the uncompressed size of the data),
    so no record is loaded.
    """
    sizes: dict[str, dict[str, dict[str, int]]] = {}
    for config in CONFIGS:
        for split in SPLITS:
            examples = memory = disk = 0
            for path in split_files(root, config, split):
                metadata = pq.ParquetFile(path).metadata
                examples += metadata.num_rows
                memory += sum(
                    metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)
                )
                disk += path.stat().st_size
            sizes.setdefault(config, {})[split] = {
                "examples": examples,
                "num_bytes": memory,
                "download_bytes": disk,
            }
    return sizes


ARTICLE_COLUMNS = [
    "language",
    "script",
    "outlet",
    "published_date",
    "published_date_source",
    "primary_topic",
    "topics",
    "event_dates",
    "body",
]


def event_date_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per event date: the frame's other columns plus the event date's fields."""
    rows = frame.select("language", "event_dates").explode("event_dates").drop_nulls("event_dates")
    return rows.unnest("event_dates") if not rows.is_empty() else pl.DataFrame()


def _median(counts: Counter[int]) -> int:
    """Median (lower middle for an even count) of values given as value -> count."""
    middle, seen = (sum(counts.values()) - 1) // 2, 0
    for value in sorted(counts):
        seen += counts[value]
        if seen > middle:
            return value
    raise ValueError("median of nothing")


# Counts the card shows most frequent first.
RANKED = ("languages", "scripts", "bcp47", "outlets", "date_sources", "primary_topics", "topics")


def dataset_statistics(root: Path) -> dict[str, Any]:
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    articles = event_dates = relative = 0
    body_lengths: Counter[int] = Counter()
    for frame in batches(root, "default", ARTICLE_COLUMNS):
        articles += frame.height
        frame = frame.with_columns(
            pl.col("script").fill_null("none"),
            pl.col("outlet").fill_null("unknown"),
            pl.col("primary_topic").fill_null("none"),
            pl.when(pl.col("script").is_null())
            .then(pl.col("language"))
            .otherwise(pl.col("language") + "-" + pl.col("script"))
            .alias("bcp47"),
            pl.when(pl.col("published_date").is_null())
            .then(pl.lit("unknown"))
            .otherwise(
                pl.col("published_date").dt.year().cast(pl.String)
                + pl.when(pl.col("published_date_source") == "inferred")
                .then(pl.lit(" (inferred)"))
                .otherwise(pl.lit(""))
            )
            .alias("year"),
        )
        for name, column in (
            ("languages", "language"),
            ("scripts", "script"),
            ("bcp47", "bcp47"),
            ("outlets", "outlet"),
            ("date_sources", "published_date_source"),
            ("years", "year"),
            ("primary_topics", "primary_topic"),
        ):
            _count(counts[name], frame, column)
        codes = frame.select(pl.col("topics").explode().struct.field("code")).drop_nulls()
        _count(counts["topics"], codes, "code")
        body_lengths.update(frame["body"].str.len_chars().to_list())
        dates = event_date_rows(frame)
        if dates.is_empty():
            continue
        event_dates += dates.height
        relative += int(dates["relative"].sum())
        dates = dates.with_columns(pl.col("start_date").dt.year().alias("year"))
        _count(counts["granularity"], dates, "granularity")
        decades = dates.select(((pl.col("year") // 10) * 10).cast(pl.String).alias("d") + "s")
        _count(counts["per_decade"], decades, "d")
        per_year = dates.select(pl.col("language") + "|" + pl.col("year").cast(pl.String))
        _count(counts["timeline"], per_year.rename({per_year.columns[0]: "k"}), "k")
    related = related_dates = 0
    related_languages: Counter[str] = Counter()
    for frame in batches(root, "related", ["language", "event_dates"]):
        related += frame.height
        _count(related_languages, frame, "language")
        related_dates += int(frame["event_dates"].list.len().sum())
    stats: dict[str, Any] = {
        "sizes": split_sizes(root),
        "articles": articles,
        "related": related,
        "related_languages": _ordered(related_languages),
    }
    if not articles:
        return stats
    for name in RANKED:
        stats[name] = _ordered(counts[name])
    stats["years"] = dict(sorted(counts["years"].items()))
    stats["event_dates"] = {
        "articles": event_dates,
        "related": related_dates,
        "per_decade": dict(sorted(counts["per_decade"].items())),
        "granularity": _ordered(counts["granularity"]),
        "relative": relative,
        # (language, start year) -> event dates, for the timeline figure
        "timeline": {
            (key.split("|")[0], int(key.split("|")[1])): n for key, n in counts["timeline"].items()
        },
    }
    stats["body_characters"] = {
        "min": min(body_lengths),
        "median": _median(body_lengths),
        "max": max(body_lengths),
    }
    return stats


def find_record(root: Path, record_id: str) -> dict[str, Any] | None:
    """One published article as a dict (dates as ISO strings), or None."""
    files = config_files(root, "default")
    if not files:
        return None
    match = pl.scan_parquet(files).filter(pl.col("id") == record_id).collect()
    if match.is_empty():
        return None
    row = match.row(0, named=True)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
