"""Plain article text: title on the first non-empty line, body after it."""

from __future__ import annotations

import re

from dataset_builder.ingest.layouts.text import normalise_text
from dataset_builder.ingest.records import Record, new_record


def parse_plain_text(text: str) -> Record:
    record = new_record("plain")
    blocks = [b.strip() for b in re.split(r"\n\s*\n", normalise_text(text)) if b.strip()]
    if not blocks:
        return record
    first, *rest = blocks
    title, _, remainder = first.partition("\n")
    record["title"] = title.strip()
    paragraphs = [remainder.strip(), *rest] if remainder.strip() else rest
    record["body"] = "\n\n".join(paragraphs)
    return record
