"""Find the inputs of a build, decode them and pair them with their metadata.

Everything here yields either an article candidate or a `Reject` naming the file, the
field and the rule; nothing raises on bad input and nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import ValidationError

from dataset_builder.config import MAX_INPUT_BYTES
from dataset_builder.contract import is_valid, validator
from dataset_builder.manifest import file_sha256
from dataset_builder.parse import normalise_text, parse_text

ARTICLE_SUFFIXES = (".txt",)
JSONL_SUFFIX = ".jsonl"
SIDECAR_SUFFIX = ".meta.json"

# Byte-order marks identify an encoding with certainty.
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


def discover(input_dir: Path) -> tuple[list[str], list[Reject]]:
    """Article and JSON Lines inputs in name order; anything else is reported, not read.

    Inputs are given by name (relative to `input_dir`, with "/"): an archive has hundreds
    of thousands, and a list of `Path` objects took about four times the memory.
    """
    inputs: list[str] = []
    rejects: list[Reject] = []
    root = input_dir.resolve()
    names = sorted(
        (path.relative_to(input_dir).as_posix() for path in input_dir.rglob("*")),
        key=lambda name: name.split("/"),  # folder by folder, as paths sort
    )
    for name in names:
        path = input_dir / name
        if any(part.startswith(".") for part in name.split("/")):
            continue
        if path.is_dir():
            if path.is_symlink():  # not followed: it could lead anywhere, or in circles
                rejects.append(Reject(name, "no-linked-folders", "symbolic link to a folder"))
            continue
        try:
            outside = path.is_symlink() and not path.resolve(strict=True).is_relative_to(root)
        except (OSError, RuntimeError):  # a broken link or a loop of links
            rejects.append(Reject(name, "readable", "symbolic link that leads to no file"))
            continue
        if outside:
            rejects.append(
                Reject(
                    name, "symlink-inside-input", "symbolic link to a file outside the input folder"
                )
            )
        elif name.endswith(SIDECAR_SUFFIX):
            article = name.removesuffix(SIDECAR_SUFFIX)
            if not any((input_dir / (article + suffix)).exists() for suffix in ARTICLE_SUFFIXES):
                rejects.append(
                    Reject(
                        name,
                        "sidecar-article-exists",
                        f"sidecar metadata for {article}.txt, which does not exist",
                    )
                )
        elif path.suffix in ARTICLE_SUFFIXES or path.suffix == JSONL_SUFFIX:
            inputs.append(name)
        else:
            rejects.append(
                Reject(name, "unsupported-file-type", "not an article: expected .txt or .jsonl")
            )
    return inputs, rejects


class UndecodableError(ValueError):
    """The bytes are not text in any encoding that can be told apart with certainty."""


# Multi-byte encodings charset-normalizer tells apart reliably on Chinese text.
CJK_ENCODINGS = {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "cp936"}
# File signatures of common binary formats.
BINARY_MAGIC = (
    b"\x89PNG",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x7fELF",
)


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was decoded from.

    In order: a byte-order mark; strict UTF-8; a Chinese multi-byte encoding when
    charset-normalizer finds one with no mess; Windows-1252 (reported as ISO-8859-1 when
    no byte falls in 0x80-0x9F, where the two agree). Anything else raises
    UndecodableError rather than guess.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise UndecodableError(
                    f"byte-order mark of {encoding}, but {error.reason}"
                ) from None
    if data.startswith(BINARY_MAGIC) or data.count(0) > max(1, len(data) // 100):
        raise UndecodableError("binary file (NUL bytes or a binary file signature)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding in CJK_ENCODINGS and best.chaos == 0.0:
        return str(best), best.encoding
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise UndecodableError(
            f"not UTF-8 and no encoding detected with certainty ({error.reason})"
        ) from None
    letters = sum(ch.isalpha() for ch in text)
    if letters < len(text) // 2:
        raise UndecodableError("not UTF-8 and no encoding detected with certainty")
    return text, ("iso-8859-1" if not any(0x80 <= b <= 0x9F for b in data) else "cp1252")


def load_sidecar(article: Path, name: str) -> tuple[dict[str, Any], list[Reject]]:
    sidecar = article.with_name(article.name.removesuffix(article.suffix) + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}, []
    sidecar_name = name.removesuffix(article.suffix) + SIDECAR_SUFFIX
    try:
        metadata = json.loads(sidecar.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return {}, [Reject(sidecar_name, "json-syntax", f"malformed sidecar metadata: {error}")]
    if not isinstance(metadata, dict):
        return {}, [
            Reject(sidecar_name, "type", "sidecar metadata must be a JSON object", field="$")
        ]
    rejects = schema_rejects(metadata, "metadata.schema.json", sidecar_name)
    if not rejects and "published_date" in metadata:
        published = dt.date.fromisoformat(metadata["published_date"])
        if published > dt.date.today():
            rejects.append(
                Reject(
                    sidecar_name,
                    "not-in-future",
                    f"published_date {published} is in the future",
                    field="$.published_date",
                )
            )
    return (metadata if not rejects else {}), rejects


def schema_rejects(
    instance: Any, schema: str, file: str, line: int | None = None, record_id: str | None = None
) -> list[Reject]:
    """One reject per schema violation, naming the JSON path and the failing keyword."""
    if is_valid(schema, instance):
        return []
    errors = sorted(validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
    # One article, one rejected count: further errors are reported but not counted.
    return [
        Reject(
            file,
            str(error.validator),
            error.message,
            field=_field_of(error),
            line=line,
            id=record_id,
            counts=n == 0,
        )
        for n, error in enumerate(errors)
    ]


def _field_of(error: ValidationError) -> str:
    """The JSON path of the field an error is about.

    jsonschema reports a missing property at the object that lacks it ("$"), one error
    per property, quoting its name; the path then names the property ("$.title").
    """
    if error.validator == "required":
        for name in error.validator_value:  # type: ignore[union-attr]
            if error.message.startswith(repr(name)):
                return f"{error.json_path}.{name}"
    return error.json_path


def article_from_text(text: str, record_id: str, source: str) -> dict[str, Any]:
    record = parse_text(text)
    record["id"] = record_id
    record["source_file"] = source
    return record


def read_input(
    path: Path, input_dir: Path, max_bytes: int = MAX_INPUT_BYTES, parse: bool = True
) -> tuple[InputFile, Iterator[dict[str, Any] | Reject]]:
    """Describe one input file and lazily yield its parsed articles or rejects.

    With `parse=False`, an article page is yielded unparsed (see `parsed`), so that the
    build can parse it in a worker process.
    """
    name = path.relative_to(input_dir).as_posix()
    kind = "jsonl" if path.suffix == JSONL_SUFFIX else "article"
    try:
        size = path.stat().st_size
        # An oversized file is only hashed, never held in memory whole.
        data = path.read_bytes() if size <= max_bytes else b""
        digest = sha256_bytes(data) if size <= max_bytes else file_sha256(path)
    except OSError as error:
        info = InputFile(path, name, "", 0, kind)
        return info, iter([Reject(name, "readable", f"cannot be read: {error.strerror}")])
    info = InputFile(path, name, digest, size, kind)
    return info, _articles(info, data, input_dir, max_bytes, parse)


def _articles(
    info: InputFile, data: bytes, input_dir: Path, max_bytes: int, parse: bool
) -> Iterator[dict[str, Any] | Reject]:
    if info.size > max_bytes:
        yield Reject(info.name, "max-size", f"file is {info.size} bytes, limit is {max_bytes}")
        return
    if not data.strip():
        rule, what = (
            ("non-empty", "file is empty")
            if not data
            else ("non-blank", "file holds only whitespace")
        )
        yield Reject(info.name, rule, what)
        return
    try:
        text, info.encoding = decode(data)
    except UndecodableError as error:
        yield Reject(info.name, "encoding", str(error))
        return
    if not text.strip():
        yield Reject(info.name, "non-blank", "file holds only whitespace")
        return
    if info.kind == "jsonl":
        yield from _jsonl_articles(info, text)
        return
    record_id = info.path.name.removesuffix(info.path.suffix)
    metadata, rejects = load_sidecar(info.path, info.name)
    if rejects:
        yield from rejects
        return
    unparsed = {"id": record_id, "source_file": info.name, "page": text, "metadata": metadata}
    yield parsed(unparsed) if parse else unparsed


def parsed(record: dict[str, Any]) -> dict[str, Any]:
    """The article of a page yielded by `read_input(parse=False)`; other records as they are."""
    if "page" not in record:
        return record
    article = article_from_text(record["page"], record["id"], record["source_file"])
    return apply_metadata(article, record["metadata"])


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
            item,
            "input-article.schema.json",
            info.name,
            number,
            item_id if isinstance(item_id, str) else None,
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
