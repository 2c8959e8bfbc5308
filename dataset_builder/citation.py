"""Citations of the dataset and of each source article."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import yaml

from dataset_builder.config import DATASET_NAME, PRETTY_NAME, VERSION

AUTHORS = "Vietnam–Japan Relations News contributors"


def _apa_date(record: Mapping[str, Any]) -> str:
    # Only a publication date printed on the page or given in metadata is citable;
    # an inferred document date is an annotation, not a fact about the source.
    if record.get("published_date") and record.get("published_date_source") in {
        "explicit",
        "metadata",
    }:
        day = dt.date.fromisoformat(record["published_date"])
        return f"{day.year}, {day.strftime('%B')} {day.day}"
    return "n.d."


def article_apa(record: Mapping[str, Any]) -> str:
    outlet = record.get("outlet") or "Unknown outlet"
    parts = [f"{outlet}. ({_apa_date(record)}). {record['title']}."]
    if record.get("url"):
        parts.append(record["url"])
    if record.get("original_url"):
        parts.append(f"Original article: {record['original_url']}.")
    parts.append(f"Accessed via {PRETTY_NAME} (Version {VERSION}), record {record['id']}.")
    return " ".join(parts)


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([{}%&$#_])", r"\\\1", text)


def article_bibtex(record: Mapping[str, Any]) -> str:
    fields = {
        "title": record["title"],
        "journal": record.get("outlet") or "Unknown outlet",
        "url": record.get("url"),
        "note": f"Accessed via {PRETTY_NAME} (Version {VERSION}), record {record['id']}"
        + (f"; original article {record['original_url']}" if record.get("original_url") else ""),
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


def citation_cff(released: str) -> str:
    """CITATION.cff (Citation File Format 1.2.0) of this dataset version."""
    document = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": f"{PRETTY_NAME} ({DATASET_NAME})",
        "version": VERSION,
        "date-released": released,
        # No `license`: CFF takes one SPDX licence for the whole work, and the article
        # texts are not licensed by this dataset (the abstract and the card say so).
        "authors": [{"name": AUTHORS}],
        "abstract": (
            "A small multilingual dataset of news articles about Vietnam–Japan relations, "
            "parsed from their source pages and annotated with language, IPTC Media Topics "
            "and event dates (TIMEX3), for research and teaching. The article texts belong "
            "to their publishers and are not licensed by this dataset; the annotations and "
            "metadata it adds are CC BY 4.0."
        ),
        "keywords": [
            "news",
            "Vietnam",
            "Japan",
            "international relations",
            "TIMEX3",
            "IPTC Media Topics",
            "multilingual",
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
