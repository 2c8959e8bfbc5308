"""Input kinds by file suffix: which files are inputs, and how their articles are read.

A new kind of input is an entry here (and, for files of many records, the function
that reads them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath

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


# By suffix in lower case; a file's suffix is matched in any case (`input_kind`).
INPUT_KINDS: dict[str, InputKind] = {
    ".txt": InputKind("article"),
    ".jsonl": InputKind("jsonl", jsonl_articles),
    ".html": InputKind("html", parse=parse_html_page),
    ".htm": InputKind("html", parse=parse_html_page),
}


def input_kind(name: str | PurePath) -> InputKind | None:
    """The kind of input a file of this name is, if any, by its suffix in any case.

    Windows, older editors and some browsers save "PAGE.HTM" or "NOTES.TXT": the same
    kinds of file, which a user expects read like their lower-case namesakes.
    """
    return INPUT_KINDS.get(PurePath(name).suffix.lower())


def article_id(name: str | PurePath) -> str | None:
    """The id of the article a file of this name is (its name without the suffix), if it
    is a file of one article (the files a sidecar can describe)."""
    path = PurePath(name)
    kind = input_kind(path)
    if kind is None or kind.records is not None:
        return None
    return path.name.removesuffix(path.suffix)
