"""Sidecar metadata (`<id>.meta.json`) and JSON read safely."""

from __future__ import annotations

import errno
import json
import re
import stat
from pathlib import Path
from typing import Any

from dataset_builder.config import MAX_INPUT_BYTES
from dataset_builder.ingest.files import read_regular_file
from dataset_builder.ingest.records import Reject
from dataset_builder.validate.schema import schema_rejects

# `<id>.meta.json` beside `<id>.txt` holds what the page does not print.
SIDECAR_SUFFIX = ".meta.json"


class JsonProblem(ValueError):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def load_json(text: str) -> Any:
    """Parsed JSON, or JsonProblem naming the rule it breaks."""
    try:
        value = json.loads(text)
        # A lone surrogate ("\\ud800") is valid JSON but not a character: it could not
        # be written to the release as UTF-8. Decoded text holds none, so one can only
        # come from an escape; the whole value is checked only where there is one.
        if SURROGATE_ESCAPE.search(text):
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
    except FileNotFoundError:
        return {}, []
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:  # no file of that name can exist
            return {}, []
        return reject("readable", f"sidecar metadata cannot be read: {error.strerror}")
    try:
        if stat.S_ISLNK(status.st_mode) and not sidecar.resolve(strict=True).is_relative_to(
            root.resolve()
        ):
            return reject(
                "symlink-inside-input", "symbolic link to a file outside the input folder"
            )
        data = read_regular_file(sidecar, max_bytes)
    except OSError as error:  # a broken link, not a regular file, too large, unreadable
        return reject("readable", f"sidecar metadata cannot be read: {error.strerror or error}")
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
