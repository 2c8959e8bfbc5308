"""What reading reports of each input: the input file, and a reject with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A record between stages: parsed, then annotated, then validated and published. Its
# fields are those of `schema/article.schema.json`, plus the INTERNAL_KEYS of a parse.
Record = dict[str, Any]


def new_record(layout: str, **fields: Any) -> Record:
    """A parsed article: every field a parser must set, at its empty value, then `fields`.

    The one constructor of a record, whichever input it comes from.
    """
    record: Record = {
        "layout": layout,
        "title": "",
        "lead": None,
        "body": "",
        "captions": [],
        "outlet": None,
        "url": None,
        "original_url": None,
        "published_date": None,
        "published_date_source": "unknown",
        "related": [],
    }
    record.update(fields)
    return record


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
    kind: str  # the name of its input kind (ingest.kinds)
    encoding: str | None = None
    outcomes: list[str] = field(default_factory=list)
