"""The work done for one article in a worker process: parse, validate dates, annotate, validate."""

from __future__ import annotations

import hashlib
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pyarrow as pa

from dataset_builder.annotators.annotate import (
    annotate_article,
    annotate_teaser,
)
from dataset_builder.build.dedup import Fingerprint, fingerprint
from dataset_builder.ingest.layouts.text import PageError
from dataset_builder.ingest.read import parsed
from dataset_builder.ingest.records import Record, Reject
from dataset_builder.publish.parquet import (
    arrow_row,
    rows_to_table,
)
from dataset_builder.release.citation import article_apa
from dataset_builder.validate.dates import date_problem
from dataset_builder.validate.schema import schema_rejects

# The key of a record that names the dataset version its citation says it was accessed
# through (`Identity.cited_as`); the build sets it, as it sets the split.
CITED_AS = "cited_as"

# Keys the parser keeps for the build's own use; they are not published.
INTERNAL_KEYS = ("layout", "related", "line", CITED_AS)


# Longest an article may take to parse and annotate; past it, the article is rejected.
ARTICLE_SECONDS = 60.0


TIME_BUDGET = "time-budget"  # the rule of an article rejected for taking too long


def content_sha256(record: Record) -> str:
    parts = [record.get("title") or "", record.get("lead") or "", record.get("body") or ""]
    parts.extend(record.get("captions") or [])
    return hashlib.sha256("\n\n".join(parts).encode("utf-8")).hexdigest()


@dataclass
class ProcessedArticle:
    """What a worker returns for one article: publishable rows or the reasons why not."""

    record_id: str
    content_digest: bytes  # for exact-duplicate detection
    split: str
    language: str
    row: Record | None  # Arrow-ready (dates as dates), None when rejected
    teasers: list[Record]
    problems: list[Reject]
    warnings: list[str]
    fingerprint: Fingerprint  # for near-duplicate detection
    rows: Rows | None = None  # the rows as Arrow, once `process_chunk` has converted them


@dataclass
class Rows:
    """Where an article's published rows are: one row of `default`, a range of `related`.

    The tables are shared by the articles of a chunk, so a chunk travels from a worker
    as two Arrow tables instead of thousands of small dicts.
    """

    default: pa.Table
    index: int
    related: pa.Table
    related_start: int
    related_count: int


def annotate_item(record: Record) -> tuple[Record, list[Record]]:
    """Annotate an article and its related teasers."""
    teasers = []
    for position, teaser in enumerate(record.get("related") or [], start=1):
        teasers.append(
            annotate_teaser(
                {
                    "id": f"{record['id']}-r{position:02d}",
                    "parent_id": record["id"],
                    "position": position,
                    **teaser,
                    "source_file": record["source_file"],
                }
            )
        )
    return annotate_article(record), teasers


class ArticleTimeout(BaseException):
    """An article took longer than its time budget.

    Not an Exception: code that catches every exception must not swallow it.
    """


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ArticleTimeout in this block after `seconds` (main thread only, POSIX).

    A timer signal interrupts Python code wherever it is, so one pathological article
    becomes a reject instead of a build that never ends.
    """
    if (
        seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(signum: int, _frame: object) -> None:
        raise ArticleTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def process_item(record: Record, seconds: float = ARTICLE_SECONDS) -> ProcessedArticle:
    """Parse, annotate and validate one article (runs in worker processes).

    The article's split comes with it (`record["split"]`): the build decides it from the
    committed assignment, and the worker never decides it again.
    """
    split: str = record["split"]
    try:
        with time_budget(seconds):
            return _process(record, split)
    except PageError as error:
        problem = Reject(
            record["source_file"], error.rule, error.message, field=error.field, id=record["id"]
        )
    except ArticleTimeout:
        problem = Reject(
            record["source_file"],
            TIME_BUDGET,
            f"parsing and annotating took longer than {seconds:g} s",
            id=record["id"],
        )
    return _rejected(record, split, problem)


def _rejected(record: Record, split: str, problem: Reject) -> ProcessedArticle:
    return ProcessedArticle(
        record_id=record["id"],
        content_digest=b"",  # never compared: a rejected article is not a duplicate's original
        split=split,
        language="und",
        row=None,
        teasers=[],
        problems=[problem],
        warnings=[],
        fingerprint=fingerprint(""),
    )


def _process(record: Record, split: str) -> ProcessedArticle:
    cited_as = record.get(CITED_AS)
    record = parsed(record)
    record["content_sha256"] = content_sha256(record)
    problem = date_problem(record)
    if problem is not None:
        return _rejected(record, split, problem)
    article, teasers = annotate_item(record)
    article["citation"] = article_apa(article, cited_as)
    article["split"] = split
    # An article's own story until the build, having seen every article, links its copies.
    article["story_id"], article["story_copies"] = article["id"], []
    row = _publishable(article)
    source = article["source_file"]
    problems = schema_rejects(
        row, "article.schema.json", source, article.get("line"), article["id"]
    )
    warnings: list[str] = []
    teaser_rows: list[Record] = []
    if not problems:
        for teaser in teasers:
            teaser["split"] = split
            teaser_problems = schema_rejects(
                teaser, "related.schema.json", source, None, teaser["id"]
            )
            if teaser_problems:
                warnings.extend(p.one_line() for p in teaser_problems)
            else:
                teaser_rows.append(arrow_row(teaser, "related"))
    text = "\n".join(filter(None, (article["title"], article.get("lead"), article["body"])))
    return ProcessedArticle(
        record_id=article["id"],
        content_digest=bytes.fromhex(article["content_sha256"]),  # half the memory of hex
        split=split,
        language=article["language"],
        row=None if problems else arrow_row(row, "default"),
        teasers=teaser_rows,
        problems=problems,
        warnings=warnings,
        fingerprint=fingerprint(text),
    )


def process_chunk(
    records: list[Record], seconds: float = ARTICLE_SECONDS
) -> list[ProcessedArticle]:
    """`process_item` for consecutive articles, their rows gathered into Arrow tables."""
    done = [process_item(record, seconds) for record in records]
    published = [item for item in done if item.row is not None]
    default = rows_to_table([item.row for item in published if item.row is not None], "default")
    related = rows_to_table([row for item in published for row in item.teasers], "related")
    index = start = 0
    for item in published:
        item.rows = Rows(default, index, related, start, len(item.teasers))
        index, start = index + 1, start + len(item.teasers)
        item.row, item.teasers = None, []
    return done


def _publishable(record: Record) -> Record:
    return {k: v for k, v in record.items() if k not in INTERNAL_KEYS}
