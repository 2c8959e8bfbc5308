"""Input kinds by file suffix: which files are inputs, and how their articles are read.

A new kind of input is an entry here (and, for files of many records, the function
that reads them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dataset_builder.ingest.html import parse_html_page
from dataset_builder.ingest.jsonl import jsonl_articles
from dataset_builder.ingest.layouts.detect import parse_text
from dataset_builder.ingest.records import InputFile, Record, Reject


@dataclass(frozen=True)
class InputKind:
    name: str  # recorded in the build report
    # The records of a decoded file that holds many, each with its own id; None for a
    # file that is one article, named by its stem, with an optional sidecar.
    records: Callable[[InputFile, str], Iterator[Record | Reject]] | None = None
    # The article of a decoded file that is one article (unused when `records` is set):
    # a text page in whichever layout it is in, unless the kind says otherwise.
    parse: Callable[[str], Record] = parse_text


INPUT_KINDS: dict[str, InputKind] = {
    ".txt": InputKind("article"),
    ".jsonl": InputKind("jsonl", jsonl_articles),
    ".html": InputKind("html", parse=parse_html_page),
    ".htm": InputKind("html", parse=parse_html_page),
}


def one_article_suffixes() -> list[str]:
    """Suffixes of files that are one article each (the files a sidecar can describe)."""
    return [suffix for suffix, kind in INPUT_KINDS.items() if kind.records is None]
