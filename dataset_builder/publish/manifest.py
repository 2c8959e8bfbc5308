"""Checksums of a published folder: MANIFEST.json.

It lists the SHA-256 and size of every published file and the SHA-256 of every input;
`verify.verify_release` checks a folder against it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dataset_builder.build.spool import write_json_entries
from dataset_builder.config import MANIFEST
from dataset_builder.identity import Identity
from dataset_builder.ingest.files import file_sha256


def published_files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != MANIFEST
    )


def write_manifest(root: Path, inputs: Iterable[dict[str, Any]], identity: Identity) -> None:
    """The dataset's name and version, SHA-256 and size of every published file, and
    SHA-256 of every input.

    The inputs are streamed to the file, one per line: an archive has hundreds of
    thousands of them.
    """
    head = {
        "dataset": identity.name,
        "version": identity.version,
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
