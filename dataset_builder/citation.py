"""Citations of the dataset and of each source article."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from dataset_builder.config import DATASET_NAME, PRETTY_NAME, VERSION

AUTHORS = "Vietnam–Japan Relations News contributors"
REPOSITORY_NAME = DATASET_NAME
LICENSE = "CC-BY-4.0"


def _apa_date(record: Mapping[str, Any]) -> str:
    # Only a publication date printed on the page or given in metadata is citable;
    # an inferred document date is an annotation, not a fact about the source.
    if record.get("published_date") and record.get("published_date_source") in {"explicit", "metadata"}:
        day = dt.date.fromisoformat(record["published_date"])
        return f"{day.year}, {day.strftime('%B')} {day.day}"
    return "n.d."


def article_apa(record: Mapping[str, Any]) -> str:
    outlet = record.get("outlet") or "Unknown outlet"
    link = record.get("url") or record.get("original_url")
    parts = [f"{outlet}. ({_apa_date(record)}). {record['title']}."]
    if link:
        parts.append(link)
    parts.append(f"Accessed via {PRETTY_NAME} (Version {VERSION}), record {record['id']}.")
    return " ".join(parts)


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([{}%&$#_])", r"\\\1", text)


def article_bibtex(record: Mapping[str, Any]) -> str:
    fields = {
        "title": record["title"],
        "journal": record.get("outlet") or "Unknown outlet",
        "url": record.get("url") or record.get("original_url"),
        "note": f"Accessed via {PRETTY_NAME} (Version {VERSION}), record {record['id']}",
    }
    if _apa_date(record) != "n.d.":
        day = dt.date.fromisoformat(record["published_date"])
        fields["year"], fields["month"], fields["day"] = str(day.year), str(day.month), str(day.day)
    key = re.sub(r"[^A-Za-z0-9]", "_", record["id"])
    lines = [f"  {k} = {{{_bibtex_escape(v)}}}," for k, v in fields.items() if v]
    return "@article{" + key + ",\n" + "\n".join(lines) + "\n}"


def dataset_apa(released: str) -> str:
    year = released[:4]
    return f"{AUTHORS}. ({year}). {PRETTY_NAME} ({DATASET_NAME}) (Version {VERSION}) [Data set]."


def dataset_bibtex(released: str) -> str:
    key = DATASET_NAME.replace("-", "_") + "_" + VERSION.replace(".", "_")
    return (
        f"@misc{{{key},\n"
        f"  author = {{{{{AUTHORS}}}}},\n"
        f"  title = {{{{{PRETTY_NAME}}} ({DATASET_NAME})}},\n"
        f"  year = {{{released[:4]}}},\n"
        f"  version = {{{VERSION}}},\n"
        f"  note = {{Dataset, released {released}}}\n"
        "}"
    )
