"""Publication dates that are not real days or lie in the future."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dataset_builder.ingest.records import Record, Reject
from dataset_builder.ingest.sidecar import SIDECAR_SUFFIX


def date_problem(record: Record) -> Reject | None:
    """A publication date that is not a real day, or lies in the future."""
    published = record.get("published_date")
    if not published:
        return None
    source = record["source_file"]
    if record.get("published_date_source") == "metadata" and "line" not in record:
        source = source.removesuffix(Path(source).suffix) + SIDECAR_SUFFIX  # where it was said
    where = {"field": "$.published_date", "line": record.get("line"), "id": record["id"]}
    try:
        day = dt.date.fromisoformat(published)
    except ValueError:
        return Reject(source, "valid-date", f"{published!r} is not a date", **where)
    if day > dt.date.today():
        return Reject(source, "not-in-future", f"published_date {day} is in the future", **where)
    return None
