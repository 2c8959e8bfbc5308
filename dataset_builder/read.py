"""Find the inputs of a build, decode them and pair them with their metadata.

Everything here yields either an article candidate or a `Reject` naming the file, the
field and the rule; nothing raises on bad input and nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import ValidationError

from dataset_builder.config import MAX_INPUT_BYTES
from dataset_builder.contract import is_valid, validator
from dataset_builder.manifest import MANIFEST, file_sha256
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


@dataclass
class Skipped:
    """An entry of the input folder that is not an input, and why; listed in the report."""

    file: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}


@dataclass
class Discovery:
    """What an input folder holds: inputs by name, rejected entries, skipped entries."""

    inputs: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def display_name(name: str) -> str:
    """A file name as printable UTF-8: bytes that are not UTF-8 shown as \\xNN escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def is_release(folder: Path) -> bool:
    """Whether `folder` holds a release written by this builder (it has a manifest)."""
    try:
        return stat.S_ISREG((folder / MANIFEST).lstat().st_mode)
    except OSError:
        return False


def discover(input_dir: Path) -> Discovery:
    """Article and JSON Lines inputs in name order; anything else is reported, not read.

    Inputs are given by name (relative to `input_dir`, with "/"): an archive has hundreds
    of thousands, and a list of `Path` objects took about four times the memory.
    Only regular files are read: a FIFO or a device would block or never end.
    """
    found = Discovery()
    sidecars: list[str] = []
    _walk(input_dir, "", input_dir.resolve(), found, sidecars)
    # A sidecar is read with its article; one whose article is not an input (missing,
    # or rejected itself) would otherwise go unread without a word.
    inputs = set(found.inputs)
    for name in sidecars:
        article = name.removesuffix(SIDECAR_SUFFIX)
        if not any(article + suffix in inputs for suffix in ARTICLE_SUFFIXES):
            found.rejects.append(
                Reject(
                    name,
                    "sidecar-article-exists",
                    f"sidecar metadata for {article}.txt, which is not an article input",
                )
            )
    found.rejects.sort(key=lambda reject: reject.file.split("/"))
    return found


def _walk(folder: Path, prefix: str, root: Path, found: Discovery, sidecars: list[str]) -> None:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as error:
        where = prefix.removesuffix("/") or "."
        found.rejects.append(
            Reject(display_name(where), "readable", f"folder cannot be listed: {error.strerror}")
        )
        return
    for entry in entries:
        name = prefix + entry.name
        shown = display_name(name)
        if shown != name:
            found.rejects.append(
                Reject(shown, "file-name-utf8", "file name is not valid UTF-8; rename the file")
            )
            continue
        if entry.name.startswith("."):
            found.skipped.append(Skipped(name, "hidden file or folder"))
            continue
        path = Path(entry.path)
        try:
            is_link = entry.is_symlink()
            mode = path.stat().st_mode  # follows a link
            target_inside = not is_link or path.resolve(strict=True).is_relative_to(root)
        except (OSError, RuntimeError):  # a broken link, a loop of links, a name too long
            found.rejects.append(Reject(name, "readable", "cannot be read (a broken link?)"))
            continue
        if stat.S_ISDIR(mode):
            if is_link:  # not followed: it could lead anywhere, or in circles
                found.rejects.append(Reject(name, "no-linked-folders", "symbolic link to a folder"))
            elif is_release(path):
                found.skipped.append(Skipped(name, "a published release, not articles"))
            else:
                _walk(path, name + "/", root, found, sidecars)
            continue
        if not target_inside:
            found.rejects.append(
                Reject(
                    name, "symlink-inside-input", "symbolic link to a file outside the input folder"
                )
            )
        elif not stat.S_ISREG(mode):
            found.rejects.append(
                Reject(name, "regular-file", "not a regular file (a FIFO, socket or device)")
            )
        elif name.endswith(SIDECAR_SUFFIX):
            sidecars.append(name)
        elif path.suffix in ARTICLE_SUFFIXES or path.suffix == JSONL_SUFFIX:
            found.inputs.append(name)
        else:
            found.rejects.append(
                Reject(name, "unsupported-file-type", "not an article: expected .txt or .jsonl")
            )


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`.

    Opened without blocking and checked before reading: opening a FIFO for reading
    waits for a writer, for ever. Raises OSError (or InputTooLarge) with a message.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket, device or folder)")
        if status.st_size > max_bytes:
            raise InputTooLarge(status.st_size, max_bytes)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while being read
        raise InputTooLarge(len(data), max_bytes)
    return data


class InputTooLarge(OSError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"file is {size} bytes, limit is {limit}")
        self.size = size


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


class JsonProblem(ValueError):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def load_json(text: str) -> Any:
    """Parsed JSON, or JsonProblem naming the rule it breaks."""
    try:
        value = json.loads(text)
        # A lone surrogate ("\\ud800") is valid JSON but not a character: it could not
        # be written to the release as UTF-8.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except json.JSONDecodeError as error:
        raise JsonProblem("json-syntax", f"not valid JSON: {error.msg}") from None
    except RecursionError:
        raise JsonProblem("json-depth", "JSON nested too deeply to read") from None
    except UnicodeEncodeError:
        raise JsonProblem(
            "unicode-characters", "a string holds a lone surrogate (\\ud800-\\udfff)"
        ) from None
    return value


def load_sidecar(
    article: Path, name: str, root: Path, max_bytes: int = MAX_INPUT_BYTES
) -> tuple[dict[str, Any], list[Reject]]:
    """The sidecar metadata of `article` ({} if it has none), or the rejects it earns."""
    sidecar = article.with_name(article.name.removesuffix(article.suffix) + SIDECAR_SUFFIX)
    sidecar_name = name.removesuffix(article.suffix) + SIDECAR_SUFFIX
    record_id = article.name.removesuffix(article.suffix)

    def reject(rule: str, message: str, where: str = "") -> tuple[dict[str, Any], list[Reject]]:
        return {}, [Reject(sidecar_name, rule, message, field=where, id=record_id)]

    try:
        status = sidecar.lstat()
        if stat.S_ISLNK(status.st_mode) and not sidecar.resolve(strict=True).is_relative_to(
            root.resolve()
        ):
            return reject(
                "symlink-inside-input", "symbolic link to a file outside the input folder"
            )
        data = read_regular_file(sidecar, max_bytes)
    except FileNotFoundError:
        return {}, []
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:  # no file of that name can exist
            return {}, []
        return reject("readable", f"sidecar metadata cannot be read: {error.strerror}")
    except RuntimeError:  # a loop of links
        return reject("readable", "sidecar metadata is a loop of symbolic links")
    try:
        metadata = load_json(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return reject("encoding", f"sidecar metadata is not UTF-8 ({error.reason})")
    except JsonProblem as problem:
        return reject(problem.rule, f"malformed sidecar metadata: {problem}")
    if not isinstance(metadata, dict):
        return reject("type", "sidecar metadata must be a JSON object", "$")
    rejects = schema_rejects(metadata, "metadata.schema.json", sidecar_name, record_id=record_id)
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
    # An article file is one article whatever happens to it: its rejects carry its id,
    # so that its committed split is not mistaken for one no input provides.
    record_id = path.name.removesuffix(path.suffix) if kind == "article" else None
    try:
        data = read_regular_file(path, max_bytes)
    except InputTooLarge as error:
        # Hashed in blocks, never held in memory whole.
        info = InputFile(path, name, file_sha256(path), error.size, kind)
        reject = Reject(name, "max-size", str(error.strerror), id=record_id)
        return info, iter([reject])
    except OSError as error:
        info = InputFile(path, name, "", 0, kind)
        reject = Reject(name, "readable", f"cannot be read: {error.strerror}", id=record_id)
        return info, iter([reject])
    info = InputFile(path, name, sha256_bytes(data), len(data), kind)
    return info, _articles(info, data, input_dir, max_bytes, parse, record_id)


def _articles(
    info: InputFile,
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
    try:
        text, info.encoding = decode(data)
    except UndecodableError as error:
        yield Reject(info.name, "encoding", str(error), id=record_id)
        return
    if not text.strip():
        yield Reject(info.name, "non-blank", "file holds only whitespace", id=record_id)
        return
    if info.kind == "jsonl" or record_id is None:
        yield from _jsonl_articles(info, text)
        return
    metadata, rejects = load_sidecar(info.path, info.name, input_dir, max_bytes)
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
