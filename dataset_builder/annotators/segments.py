"""The text an annotator sees: a record cut into named fields.

Annotators work on plain segments, never on records, Parquet or the CLI, so the same
functions annotate an article, a related teaser, or a bare text file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple


class Segment(NamedTuple):
    field: str  # title | lead | body | caption | headline | summary
    field_index: int | None  # position in `captions` for captions, else None
    text: str


ARTICLE_FIELDS = ("title", "lead", "body", "captions")
RELATED_FIELDS = ("headline", "summary", "caption")


def record_segments(record: Mapping[str, Any], fields: Sequence[str]) -> list[Segment]:
    """Segments of a record in reading order; empty and missing fields are skipped."""
    segments: list[Segment] = []
    for name in fields:
        value = record.get(name)
        if isinstance(value, list):
            field = name.removesuffix("s")
            segments.extend(Segment(field, i, text) for i, text in enumerate(value) if text)
        elif value:
            segments.append(Segment(name, None, value))
    return segments
