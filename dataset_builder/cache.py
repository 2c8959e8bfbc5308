"""Annotation cache for incremental rebuilds.

An article whose parsed content, metadata, split and annotator versions are unchanged is
not annotated again: its processed result is stored in SQLite under a key made of all of
those, plus the schema files and the builder's version, so any change to them misses.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dataset_builder.config import SCHEMA_DIR, VERSION

PACKAGE_DIR = Path(__file__).resolve().parent


def _code_digest() -> str:
    """SHA-256 of the schemas and of the builder's code and resources.

    Any change to them -- an annotator rule, a duplicate-detection setting, the citation
    format -- invalidates every cached result.
    """
    digest = hashlib.sha256()
    files = [*SCHEMA_DIR.glob("*.json"), *PACKAGE_DIR.rglob("*.py"), *PACKAGE_DIR.rglob("*.json")]
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class AnnotationCache:
    def __init__(self, folder: Path, annotators: Mapping[str, str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(folder / "annotations.sqlite")
        self._db.execute("CREATE TABLE IF NOT EXISTS item (key TEXT PRIMARY KEY, value BLOB)")
        salt = json.dumps({"builder": VERSION, "annotators": dict(annotators)}, sort_keys=True)
        self._salt = (salt + _code_digest()).encode()
        self.hits = 0

    def key(self, record: Mapping[str, Any]) -> str:
        """Key of a parsed record (its split included) under this code and these annotators."""
        payload = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str).encode()
        return hashlib.sha256(self._salt + payload).hexdigest()

    def get(self, key: str) -> Any | None:
        """The cached result, or None; an unreadable entry counts as a miss."""
        try:
            row = self._db.execute("SELECT value FROM item WHERE key = ?", (key,)).fetchone()
            value = pickle.loads(row[0]) if row is not None else None
        except (
            sqlite3.DatabaseError,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
        ):
            return None
        if value is not None:
            self.hits += 1
        return value

    def put(self, items: list[tuple[str, Any]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO item (key, value) VALUES (?, ?)",
            [(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) for key, value in items],
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()
