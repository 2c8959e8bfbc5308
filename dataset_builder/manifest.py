"""Checksums of a published folder, and the check of a folder against them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dataset_builder.config import DATASET_NAME, VERSION
from dataset_builder.spool import write_json_entries

MANIFEST = "MANIFEST.json"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def published_files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != MANIFEST
    )


def write_manifest(root: Path, inputs: Iterable[dict[str, Any]]) -> None:
    """SHA-256 and size of every published file, and SHA-256 of every input.

    The inputs are streamed to the file, one per line: an archive has hundreds of
    thousands of them.
    """
    head = {
        "dataset": DATASET_NAME,
        "version": VERSION,
        "files": {
            name: {"sha256": file_sha256(root / name), "bytes": (root / name).stat().st_size}
            for name in published_files(root)
        },
    }
    with (root / MANIFEST).open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(head, indent=2).removesuffix("\n}"))
        write_json_entries(
            handle,
            "inputs",
            (f"{json.dumps(item['file'])}: {json.dumps(item['sha256'])}" for item in inputs),
            brackets="{}",
        )
        handle.write("\n}\n")


def verify_release(root: Path) -> list[str]:
    """Problems found in `root` against its manifest; an empty list means it is intact."""
    path = root / MANIFEST
    if not path.is_file():
        return [f"missing: {MANIFEST}"]
    try:
        expected = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError) as error:
        return [f"unreadable: {MANIFEST} ({error})"]
    problems = []
    present = set(published_files(root))
    for name, entry in sorted(expected.items()):
        if name not in present:
            problems.append(f"missing: {name}")
        elif file_sha256(root / name) != entry["sha256"]:
            problems.append(f"changed: {name} (SHA-256 differs from {MANIFEST})")
    problems.extend(f"extra: {name}" for name in sorted(present - set(expected)))
    return problems
