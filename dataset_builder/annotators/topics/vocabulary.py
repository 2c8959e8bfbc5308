"""The IPTC Media Topics vocabulary the lexicons map to (`schema/iptc-mediatopics.json`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dataset_builder.config import SCHEMA_DIR

VOCABULARY_PATH = SCHEMA_DIR / "iptc-mediatopics.json"


@dataclass(frozen=True)
class VocabularyTopic:
    code: str
    level: int
    parent: str | None
    label: str  # official English label


def load_vocabulary(path: Path = VOCABULARY_PATH) -> dict[str, VocabularyTopic]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        topic["code"]: VocabularyTopic(
            topic["code"], topic["level"], topic["parent"], topic["labels"]["en"]
        )
        for topic in document["topics"]
    }
