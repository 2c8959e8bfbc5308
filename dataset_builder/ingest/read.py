"""Describe one input file and yield its articles or rejects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from dataset_builder.config import MAX_INPUT_BYTES
from dataset_builder.ingest.decode import UndecodableError, decode
from dataset_builder.ingest.files import InputTooLarge, read_regular_file, sha256_bytes
from dataset_builder.ingest.kinds import InputKind, article_id, input_kind
from dataset_builder.ingest.layouts.detect import parse_text
from dataset_builder.ingest.records import InputFile, Record, Reject
from dataset_builder.ingest.sidecar import apply_metadata, load_sidecar


def article_from_text(
    text: str, record_id: str, source: str, parse: Callable[[str], Record] = parse_text
) -> dict[str, Any]:
    record = parse(text)
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
    kind = input_kind(path)
    if kind is None:
        raise ValueError(f"{name} is not an input: its suffix names no input kind")
    # An article file is one article whatever happens to it: its rejects carry its id,
    # so that its committed split is not mistaken for one no input provides.
    record_id = article_id(path)
    try:
        data = read_regular_file(path, max_bytes)
    except InputTooLarge as error:
        info = InputFile(path, name, error.sha256, error.size, kind.name)
        reject = Reject(name, "max-size", str(error.strerror), id=record_id)
        return info, iter([reject])
    except OSError as error:
        info = InputFile(path, name, "", 0, kind.name)
        reject = Reject(name, "readable", f"cannot be read: {error.strerror}", id=record_id)
        return info, iter([reject])
    info = InputFile(path, name, sha256_bytes(data), len(data), kind.name)
    return info, _articles(info, kind, data, input_dir, max_bytes, parse, record_id)


def _articles(
    info: InputFile,
    kind: InputKind,
    data: bytes,
    input_dir: Path,
    max_bytes: int,
    parse: bool,
    record_id: str | None,
) -> Iterator[dict[str, Any] | Reject]:
    if not data.strip():
        rule, what = (
            ("non-empty", "file is empty")
            if not data
            else ("non-blank", "file holds only whitespace")
        )
        yield Reject(info.name, rule, what, id=record_id)
        return
    metadata: dict[str, Any] = {}
    if kind.records is None:
        # Read first: the sidecar may say how the article's bytes are encoded.
        metadata, rejects = load_sidecar(info.path, info.name, input_dir, max_bytes)
        if rejects:
            yield from rejects
            return
    try:
        text, info.encoding = decode(data, metadata.get("encoding"))
    except UndecodableError as error:
        yield Reject(info.name, "encoding", str(error), id=record_id)
        return
    if not text.strip():
        yield Reject(info.name, "non-blank", "file holds only whitespace", id=record_id)
        return
    if kind.records is not None or record_id is None:  # a file of records with their ids
        yield from kind.records(info, text) if kind.records is not None else ()
        return
    unparsed = {"id": record_id, "source_file": info.name, "page": text, "metadata": metadata}
    yield parsed(unparsed) if parse else unparsed


def parsed(record: dict[str, Any]) -> dict[str, Any]:
    """The article of a page yielded by `read_input(parse=False)`; other records as they are."""
    if "page" not in record:
        return record
    # The page's kind is known by its file's suffix: a parsed-later record only carries
    # plain data, so that it can travel to a worker process (or as JSON).
    kind = input_kind(PurePosixPath(record["source_file"]))
    parse = kind.parse if kind is not None else parse_text
    article = article_from_text(record["page"], record["id"], record["source_file"], parse)
    return apply_metadata(article, record["metadata"])
