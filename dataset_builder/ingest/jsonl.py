"""Articles of a JSON Lines input, one per line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dataset_builder.ingest.layouts.text import normalise_text
from dataset_builder.ingest.records import InputFile, Reject, new_record
from dataset_builder.ingest.sidecar import JsonProblem, apply_metadata, load_json
from dataset_builder.validate.schema import schema_rejects


def jsonl_articles(info: InputFile, text: str) -> Iterator[dict[str, Any] | Reject]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = load_json(line)
        except JsonProblem as problem:
            yield Reject(info.name, problem.rule, str(problem), line=number)
            continue
        item_id = item.get("id") if isinstance(item, dict) else None
        rejects = schema_rejects(
            item,
            "input-article.schema.json",
            info.name,
            number,
            item_id if isinstance(item_id, str) else None,
        )
        if rejects:
            yield from rejects
            continue
        record = new_record(
            "jsonl",
            title=normalise_text(item["title"]).strip(),
            lead=normalise_text(item["lead"]).strip() if item.get("lead") else None,
            body=normalise_text(item["body"]).strip(),
            captions=[normalise_text(c).strip() for c in item.get("captions", [])],
            outlet=item.get("outlet"),
            url=item.get("url"),
            original_url=item.get("original_url"),
            id=item["id"],
            source_file=info.name,
            line=number,
        )
        yield apply_metadata(record, item)
