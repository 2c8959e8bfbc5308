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


def _schema_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class AnnotationCache:
    def __init__(self, folder: Path, annotators: Mapping[str, str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(folder / "annotations.sqlite")
        self._db.execute("CREATE TABLE IF NOT EXISTS item (key TEXT PRIMARY KEY, value BLOB)")
        salt = json.dumps({"builder": VERSION, "annotators": dict(annotators)}, sort_keys=True)
        self._salt = (salt + _schema_digest()).encode()
        self.hits = 0

    def key(self, record: Mapping[str, Any], split: str) -> str:
        payload = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str).encode()
        return hashlib.sha256(self._salt + split.encode() + b"\0" + payload).hexdigest()

    def get(self, key: str) -> Any | None:
        row = self._db.execute("SELECT value FROM item WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        self.hits += 1
        return pickle.loads(row[0])

    def put(self, items: list[tuple[str, Any]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO item (key, value) VALUES (?, ?)",
            [(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) for key, value in items],
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()
