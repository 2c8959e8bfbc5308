"""Figures about a published folder, computed from its Parquet files.

Everything the card states about the data comes from here, so the card can be checked
against the data it describes. The files are read in record batches, only the columns
a figure needs, so memory stays flat however large the release is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dataset_builder.config import CONFIGS, SPLITS

if TYPE_CHECKING:  # Polars is imported where used: a build does not need it.
    import polars as pl

BATCH_ROWS = 1_000


def split_files(root: Path, config: str, split: str) -> list[Path]:
    return sorted((root / "data" / config).glob(f"{split}-*.parquet"))


def published_splits(root: Path, config: str) -> list[str]:
    """The splits of a configuration that have rows: an empty split has no file."""
    return [split for split in SPLITS if split_files(root, config, split)]


def config_files(root: Path, config: str) -> list[Path]:
    return [path for split in SPLITS for path in split_files(root, config, split)]


def batches(root: Path, config: str, columns: list[str]) -> Iterator[pa.RecordBatch]:
    """The records of a configuration, a batch at a time, with only `columns`."""
    for path in config_files(root, config):
        # Without pre-buffering, Arrow reads a row group at a time instead of whole
        # column chunks; in this thread, its buffers come from one allocator arena
        # (with reader threads the end of a 20,000-article build peaked 25 MiB higher);
        # freed buffers go back to the system after each file.
        parquet = pq.ParquetFile(path, pre_buffer=False)
        yield from parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns, use_threads=False)
        pa.default_memory_pool().release_unused()


def read_config(root: Path, config: str) -> pl.DataFrame:
    """A whole configuration in memory: for tests and small releases only."""
    import polars as pl

    files = config_files(root, config)
    return pl.read_parquet(files) if files else pl.DataFrame()


def _count(counter: Counter[str], values: pa.Array) -> None:
    """Add the occurrences of each value (nulls not counted) to `counter`."""
    for pair in pc.value_counts(values.drop_null()).to_pylist():
        counter[str(pair["values"])] += pair["counts"]


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
    "translated_from",
    "primary_topic",
    "topics",
    "event_dates",
    "body",
    "story_copies",
]


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


def _year_label(batch: pa.RecordBatch) -> pa.Array:
    """The publication year, marked when inferred, or "unknown"."""
    inferred = pc.fill_null(pc.equal(batch["published_date_source"], "inferred"), False)
    year = pc.binary_join_element_wise(
        pc.cast(pc.year(batch["published_date"]), pa.string()),
        pc.if_else(inferred, " (inferred)", ""),
        "",
    )
    return pc.fill_null(year, "unknown")


def dataset_statistics(root: Path) -> dict[str, Any]:
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    articles = event_dates = relative = 0
    # Articles that lack an annotation or a date: the card's limitations.
    missing: Counter[str] = Counter()
    body_lengths: Counter[int] = Counter()
    # articles per size of their story (1 + its other copies): a story of k articles is k
    # rows that each list k - 1 copies, so the stories are counted without a set of ids.
    story_sizes: Counter[int] = Counter()
    for batch in batches(root, "default", ARTICLE_COLUMNS):
        articles += batch.num_rows
        language, script = batch["language"], batch["script"]
        for name, values in (
            ("languages", language),
            ("scripts", pc.fill_null(script, "none")),
            (
                "bcp47",
                pc.if_else(
                    pc.is_null(script),
                    language,
                    pc.binary_join_element_wise(language, script, "-"),
                ),
            ),
            ("outlets", pc.fill_null(batch["outlet"], "unknown")),
            ("date_sources", batch["published_date_source"]),
            ("years", _year_label(batch)),
            ("primary_topics", pc.fill_null(batch["primary_topic"], "none")),
            ("topics", pc.struct_field(pc.list_flatten(batch["topics"]), "code")),
        ):
            _count(counts[name], values)
        translated = pc.is_valid(batch["translated_from"])
        # language|outlet of each translation; a language code holds no `|`
        _count(
            counts["translations"],
            pc.binary_join_element_wise(
                pc.filter(language, translated),
                pc.filter(pc.fill_null(batch["outlet"], "unknown"), translated),
                "|",
            ),
        )
        for pair in pc.value_counts(pc.utf8_length(batch["body"])).to_pylist():
            body_lengths[pair["values"]] += pair["counts"]
        missing["topic"] += pc.sum(pc.is_null(batch["primary_topic"])).as_py() or 0
        missing["published_date"] += pc.sum(pc.is_null(batch["published_date"])).as_py() or 0
        missing["event_dates"] += (
            pc.sum(pc.equal(pc.fill_null(pc.list_value_length(batch["event_dates"]), 0), 0)).as_py()
            or 0
        )
        sizes = pc.add(pc.list_value_length(batch["story_copies"]), 1)
        for pair in pc.value_counts(sizes).to_pylist():
            story_sizes[pair["values"]] += pair["counts"]
        dates = pc.list_flatten(batch["event_dates"])
        if not len(dates):
            continue
        event_dates += len(dates)
        relative += pc.sum(pc.struct_field(dates, "relative")).as_py() or 0
        _count(counts["granularity"], pc.struct_field(dates, "granularity"))
        # An underspecified date ("2021-WXX-5") has no start: it counts in `articles`
        # above, and its null year drops out of the decades and the timeline (`_count`).
        years = pc.year(pc.struct_field(dates, "start_date"))
        decades = pc.multiply(pc.divide(years, 10), 10)  # integer division
        _count(
            counts["per_decade"],
            pc.binary_join_element_wise(pc.cast(decades, pa.string()), "s", ""),
        )
        # language|start year once per article that mentions the year, for the figure: an
        # article mentioning a year ten times counts once, so one long article is one mark.
        mentions = pa.table(
            {"article": pc.list_parent_indices(batch["event_dates"]), "year": years}
        ).drop_null()
        distinct = mentions.group_by(["article", "year"], use_threads=False).aggregate([])
        _count(
            counts["article_years"],
            pc.binary_join_element_wise(
                pc.take(language, distinct["article"]),
                pc.cast(distinct["year"], pa.string()),
                "|",
            ),
        )
    related = related_dates = 0
    related_languages: Counter[str] = Counter()
    for batch in batches(root, "related", ["language", "event_dates"]):
        related += batch.num_rows
        _count(related_languages, batch["language"])
        related_dates += pc.sum(pc.list_value_length(batch["event_dates"])).as_py() or 0
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
    # (language, outlet) -> articles that are translations, most first
    stats["translations"] = {
        tuple(key.split("|", 1)): n for key, n in _ordered(counts["translations"]).items()
    }
    stats["event_dates"] = {
        "articles": event_dates,
        "related": related_dates,
        "per_decade": dict(  # in calendar order: "700s" before "1600s"
            sorted(counts["per_decade"].items(), key=lambda item: int(item[0].removesuffix("s")))
        ),
        "granularity": _ordered(counts["granularity"]),
        "relative": relative,
        # (language, start year) -> articles with an event date starting in that year
        "article_years": {
            (key.split("|")[0], int(key.split("|")[1])): n
            for key, n in sorted(counts["article_years"].items())
        },
    }
    stats["without"] = dict(sorted(missing.items()))
    # size -> stories of that many articles (rounded up: a folder holding only some of a
    # story's copies, one split of a release say, still counts that story).
    stories = {size: -(-count // size) for size, count in sorted(story_sizes.items())}
    stats["stories"] = {
        "stories": sum(stories.values()),
        "with_copies": sum(count for size, count in stories.items() if size > 1),
        "articles_with_copies": sum(count for size, count in story_sizes.items() if size > 1),
        "sizes": stories,
    }
    stats["body_characters"] = {
        "min": min(body_lengths),
        "median": _median(body_lengths),
        "max": max(body_lengths),
    }
    return stats


def plain(value: Any) -> Any:
    """Dates as ISO strings, all the way down: published records as JSON-like dicts."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def find_record(
    root: Path, record_id: str, configs: tuple[str, ...] = ("default",)
) -> dict[str, Any] | None:
    """The published record `record_id` of the first of `configs` holding it (articles by
    default), as a plain dict; None when there is none."""
    for config in configs:
        for path in config_files(root, config):
            table = pq.read_table(path, filters=[("id", "==", record_id)])
            if table.num_rows:
                record: dict[str, Any] = plain(table.slice(0, 1).to_pylist()[0])
                return record
    return None
