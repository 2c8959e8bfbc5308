"""What a page layout is: a name, a test that recognises its pages, and its parser."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dataset_builder.ingest.records import Record


@dataclass(frozen=True)
class Layout:
    name: str
    # Whether a page is in this layout, given its text and its non-blank lines.
    recognises: Callable[[str, list[str]], bool]
    parse: Callable[[str], Record]
