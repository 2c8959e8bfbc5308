"""Figures about a published folder, computed from its Parquet files.

Everything the card states about the data comes from here, so the card can be checked
against the data it describes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from dataset_builder.config import CONFIGS, SPLITS


def split_files(root: Path, config: str, split: str) -> list[Path]:
    return sorted((root / "data" / config).glob(f"{split}-*.parquet"))


def read_config(root: Path, config: str) -> pl.DataFrame:
    frames = [
        pl.read_parquet(path) for split in SPLITS for path in split_files(root, config, split)
    ]
    return pl.concat(frames, how="vertical") if frames else pl.DataFrame()


def _counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
    if frame.is_empty():
        return {}
    grouped = frame.group_by(column).len().sort(["len", column], descending=[True, False])
    return {str(row[0]): int(row[1]) for row in grouped.iter_rows()}


def split_sizes(root: Path) -> dict[str, dict[str, dict[str, int]]]:
    """Per config and split: examples, bytes in memory (Arrow) and bytes on disk."""
    sizes: dict[str, dict[str, dict[str, int]]] = {}
    for config in CONFIGS:
        for split in SPLITS:
            examples = memory = disk = 0
            for path in split_files(root, config, split):
                table = pq.read_table(path)
                examples += table.num_rows
                memory += table.nbytes
                disk += path.stat().st_size
            sizes.setdefault(config, {})[split] = {
                "examples": examples,
                "num_bytes": memory,
                "download_bytes": disk,
            }
    return sizes


def dataset_statistics(root: Path) -> dict[str, Any]:
    articles = read_config(root, "default")
    related = read_config(root, "related")
    stats: dict[str, Any] = {"sizes": split_sizes(root)}
    stats["articles"] = articles.height
    stats["related"] = related.height
    if articles.is_empty():
        return stats
    stats["languages"] = _counts(articles, "language")
    stats["scripts"] = _counts(articles.with_columns(pl.col("script").fill_null("none")), "script")
    tagged = articles.with_columns(
        pl.when(pl.col("script").is_null())
        .then(pl.col("language"))
        .otherwise(pl.col("language") + "-" + pl.col("script"))
        .alias("bcp47")
    )
    stats["bcp47"] = _counts(tagged, "bcp47")
    stats["related_languages"] = _counts(related, "language") if related.height else {}
    stats["outlets"] = _counts(
        articles.with_columns(pl.col("outlet").fill_null("unknown")), "outlet"
    )
    stats["date_sources"] = _counts(articles, "published_date_source")
    years = articles.with_columns(
        pl.when(pl.col("published_date").is_null())
        .then(pl.lit("unknown"))
        .otherwise(
            pl.col("published_date").dt.year().cast(pl.String)
            + pl.when(pl.col("published_date_source") == "inferred")
            .then(pl.lit(" (inferred)"))
            .otherwise(pl.lit(""))
        )
        .alias("year")
    )
    stats["years"] = dict(sorted(_counts(years, "year").items()))
    primary = articles.with_columns(pl.col("primary_topic").fill_null("none"))
    stats["primary_topics"] = _counts(primary, "primary_topic")
    topic_rows = articles.select("topics").explode("topics").drop_nulls()
    if topic_rows.height:
        codes = topic_rows.select(pl.col("topics").struct.field("code").alias("code"))
        stats["topics"] = _counts(codes, "code")
    else:
        stats["topics"] = {}
    stats["event_dates"] = _event_date_statistics(articles, related)
    stats["body_characters"] = {
        "min": int(articles["body"].str.len_chars().min()),  # type: ignore[arg-type]
        "median": int(articles["body"].str.len_chars().median()),  # type: ignore[arg-type]
        "max": int(articles["body"].str.len_chars().max()),  # type: ignore[arg-type]
    }
    return stats


def event_date_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per event date: language plus the event date's fields."""
    if frame.is_empty():
        return pl.DataFrame()
    rows = frame.select("id", "language", "event_dates").explode("event_dates")
    rows = rows.drop_nulls("event_dates")
    if rows.is_empty():
        return pl.DataFrame()
    return rows.unnest("event_dates")


def _event_date_statistics(articles: pl.DataFrame, related: pl.DataFrame) -> dict[str, Any]:
    rows = event_date_rows(articles)
    out: dict[str, Any] = {"articles": rows.height, "related": event_date_rows(related).height}
    if rows.is_empty():
        out["per_decade"], out["granularity"], out["relative"] = {}, {}, 0
        return out
    decades = rows.with_columns(
        ((pl.col("start_date").dt.year() // 10) * 10).cast(pl.String).alias("decade") + "s"
    )
    out["per_decade"] = dict(sorted(_counts(decades, "decade").items()))
    out["granularity"] = _counts(rows, "granularity")
    out["relative"] = int(rows["relative"].sum())
    return out


def find_record(root: Path, record_id: str) -> dict[str, Any] | None:
    """One published article as a dict (dates as ISO strings), or None."""
    articles = read_config(root, "default")
    if articles.is_empty():
        return None
    match = articles.filter(pl.col("id") == record_id)
    if match.is_empty():
        return None
    row = match.row(0, named=True)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
