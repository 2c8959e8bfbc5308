"""Find the inputs of a build, decode them and pair them with their metadata.

Everything here yields either an article candidate or a `Reject` naming the file, the
field and the rule; nothing raises on bad input and nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dataset_builder.config import MAX_INPUT_BYTES
from dataset_builder.contract import validator
from dataset_builder.parse import normalise_text, parse_text

ARTICLE_SUFFIXES = (".txt",)
JSONL_SUFFIX = ".jsonl"
SIDECAR_SUFFIX = ".meta.json"

# Byte-order marks identify an encoding with certainty; longest first (UTF-32 before UTF-16).
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class Reject:
    """An input, or one line of it, that is not published, and why.

    An article that breaks several rules gets one reject per rule; only the first
    `counts` towards the number of rejected articles.
    """

    file: str
    rule: str
    message: str
    field: str = ""
    line: int | None = None
    id: str | None = None
    counts: bool = True

    def one_line(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        path = f" {self.field}:" if self.field else ""
        return f"{where}:{path} {self.message} [{self.rule}]"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "id": self.id,
            "field": self.field,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass
class InputFile:
    path: Path
    name: str  # relative to the input folder, with forward slashes
    sha256: str
    size: int
    kind: str  # article | jsonl
    encoding: str | None = None
    outcomes: list[str] = field(default_factory=list)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def discover(input_dir: Path) -> tuple[list[Path], list[Reject]]:
    """Article and JSON Lines inputs in name order; other files are reported, not read."""
    inputs: list[Path] = []
    rejects: list[Reject] = []
    for path in sorted(input_dir.rglob("*")):
        name = path.relative_to(input_dir).as_posix()
        if any(part.startswith(".") for part in path.relative_to(input_dir).parts):
            continue
        if path.is_dir() or name.endswith(SIDECAR_SUFFIX):
            continue
        if path.suffix in ARTICLE_SUFFIXES or path.suffix == JSONL_SUFFIX:
            inputs.append(path)
        else:
            rejects.append(
                Reject(name, "unsupported-file-type", "not an article: expected .txt or .jsonl")
            )
    return inputs, rejects


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name; raises UnicodeDecodeError when the encoding is not certain."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    return data.decode("utf-8"), "utf-8"


def load_sidecar(article: Path, name: str) -> tuple[dict[str, Any], list[Reject]]:
    sidecar = article.with_name(article.name.removesuffix(article.suffix) + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}, []
    sidecar_name = name.removesuffix(article.suffix) + SIDECAR_SUFFIX
    try:
        metadata = json.loads(sidecar.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return {}, [Reject(sidecar_name, "json-syntax", f"malformed sidecar metadata: {error}")]
    rejects = schema_rejects(metadata, "metadata.schema.json", sidecar_name)
    return (metadata if not rejects else {}), rejects


def schema_rejects(
    instance: Any, schema: str, file: str, line: int | None = None, record_id: str | None = None
) -> list[Reject]:
    """One reject per schema violation, naming the JSON path and the failing keyword."""
    errors = sorted(validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [
        Reject(
            file,
            str(error.validator),
            error.message,
            field=error.json_path,
            line=line,
            id=record_id,
        )
        for error in errors
    ]


def article_from_text(text: str, record_id: str, source: str) -> dict[str, Any]:
    record = parse_text(text)
    record["id"] = record_id
    record["source_file"] = source
    return record


def read_input(
    path: Path, input_dir: Path, max_bytes: int = MAX_INPUT_BYTES
) -> tuple[InputFile, Iterator[dict[str, Any] | Reject]]:
    """Describe one input file and lazily yield its parsed articles or rejects."""
    name = path.relative_to(input_dir).as_posix()
    data = path.read_bytes()
    kind = "jsonl" if path.suffix == JSONL_SUFFIX else "article"
    info = InputFile(path, name, sha256_bytes(data), len(data), kind)
    return info, _articles(info, data, input_dir, max_bytes)


def _articles(
    info: InputFile, data: bytes, input_dir: Path, max_bytes: int
) -> Iterator[dict[str, Any] | Reject]:
    if info.size > max_bytes:
        yield Reject(info.name, "max-size", f"file is {info.size} bytes, limit is {max_bytes}")
        return
    try:
        text, info.encoding = decode(data)
    except UnicodeDecodeError as error:
        yield Reject(info.name, "encoding", f"not valid UTF-8 and no byte-order mark: {error}")
        return
    if info.kind == "jsonl":
        yield from _jsonl_articles(info, text)
        return
    record_id = info.path.name.removesuffix(info.path.suffix)
    metadata, rejects = load_sidecar(info.path, info.name)
    if rejects:
        yield from rejects
        return
    record = article_from_text(text, record_id, info.name)
    yield apply_metadata(record, metadata)


def apply_metadata(record: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """Sidecar facts fill what the page does not say; an explicit page date wins."""
    for key in ("url", "outlet", "translated_from", "rights"):
        if metadata.get(key):
            record[key] = metadata[key]
    record.setdefault("rights", None)
    record.setdefault("translated_from", None)
    if metadata.get("published_date") and record.get("published_date_source") != "explicit":
        record["published_date"] = metadata["published_date"]
        record["published_date_source"] = "metadata"
    return record


def _jsonl_articles(info: InputFile, text: str) -> Iterator[dict[str, Any] | Reject]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            yield Reject(info.name, "json-syntax", f"not a JSON object: {error.msg}", line=number)
            continue
        item_id = item.get("id") if isinstance(item, dict) else None
        rejects = schema_rejects(
            item, "input-article.schema.json", info.name, number, item_id if isinstance(item_id, str) else None
        )
        if rejects:
            yield from rejects
            continue
        record: dict[str, Any] = {
            "layout": "jsonl",
            "title": normalise_text(item["title"]).strip(),
            "lead": normalise_text(item["lead"]).strip() if item.get("lead") else None,
            "body": normalise_text(item["body"]).strip(),
            "captions": [normalise_text(c).strip() for c in item.get("captions", [])],
            "outlet": item.get("outlet"),
            "url": item.get("url"),
            "original_url": item.get("original_url"),
            "published_date": None,
            "published_date_source": "unknown",
            "related": [],
            "id": item["id"],
            "source_file": info.name,
            "line": number,
        }
        yield apply_metadata(record, item)
