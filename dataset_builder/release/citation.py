"""Citations of the dataset and of each source article."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import yaml

from dataset_builder.config import DATASET_NAME, PRETTY_NAME, VERSION
from dataset_builder.release.statements import PLAIN, about, keywords, licence_text, lookup, say

AUTHORS: str = lookup("creator")


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


# Runs of spaces, line breaks and control characters: a citation is one line of text.
_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# What a URI may hold besides letters, digits and `-._~` (RFC 3986): reserved characters and
# the `%` of a percent-encoding.
_URI_CHARACTERS = "!#$%&'()*+,/:;=?@[]"


def _url(url: str) -> str:
    """`url` exactly when it is a URI; any character a URI cannot hold, percent-encoded.

    The schemas admit only URIs, so this changes nothing in a published record; for any
    other value it keeps braces (which BibTeX counts even in a verbatim field), spaces and
    line breaks out of a citation while still naming the same address.
    """
    return quote(url, safe=_URI_CHARACTERS)


def article_apa(record: Mapping[str, Any]) -> str:
    outlet = _one_line(record.get("outlet") or "") or "Unknown outlet"
    parts = [f"{outlet}. ({_apa_date(record)}). {_one_line(record['title'])}."]
    if record.get("url"):
        parts.append(_url(record["url"]))
    if record.get("original_url"):
        parts.append(f"Original article: {_url(record['original_url'])}.")
    parts.append(
        f"Accessed via {PRETTY_NAME} (Version {VERSION}), record {_one_line(record['id'])}."
    )
    return " ".join(parts)


# LaTeX for the characters that LaTeX or BibTeX read as markup. Braces become commands
# because BibTeX counts every brace, escaped or not, and a title may hold an unbalanced
# one; each command sits in braces so that BibTeX takes it as one (case-protected) letter.
_BIBTEX_TEXT = str.maketrans(
    {
        "\\": "{\\textbackslash}",
        "{": "{\\textbraceleft}",
        "}": "{\\textbraceright}",
        "~": "{\\textasciitilde}",
        "^": "{\\textasciicircum}",
        **{c: "\\" + c for c in "%&$#_"},
    }
)


# Pairs that LaTeX prints as one glyph (`--` as a dash, two quotes as a curly quote, `?``
# as `¿`, `<<` as a guillemet); an empty group between them keeps the characters apart.
_LIGATURE = re.compile(
    r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[?!])(?=`)|(?<=<)(?=<)|(?<=>)(?=>)|(?<=,)(?=,)"
)


def _bibtex_text(text: str) -> str:
    """`text` as the value of a BibTeX text field: LaTeX that prints it, on one line."""
    return _LIGATURE.sub("{}", _one_line(text).translate(_BIBTEX_TEXT))


def article_bibtex(record: Mapping[str, Any]) -> str:
    note = f"Accessed via {PRETTY_NAME} (Version {VERSION}), record {record['id']}"
    if record.get("original_url"):
        note += f"; original article {record['original_url']}"
    fields = {
        "title": _bibtex_text(record["title"]),
        "journal": _bibtex_text(record.get("outlet") or "") or "Unknown outlet",
        # A verbatim field (biblatex, the url package): the address exactly, no LaTeX.
        "url": _url(record.get("url") or ""),
        "note": _bibtex_text(note),
    }
    if _apa_date(record) != "n.d.":
        day = dt.date.fromisoformat(record["published_date"])
        fields["year"], fields["month"], fields["day"] = str(day.year), str(day.month), str(day.day)
    key = re.sub(r"[^A-Za-z0-9]", "_", record["id"])
    lines = [f"  {k} = {{{v}}}," for k, v in fields.items() if v]
    return "@article{" + key + ",\n" + "\n".join(lines) + "\n}"


def dataset_apa(released: str) -> str:
    year = released[:4]
    return f"{AUTHORS}. ({year}). {PRETTY_NAME} ({DATASET_NAME}) (Version {VERSION}) [Data set]."


def dataset_bibtex(released: str) -> str:
    key = DATASET_NAME.replace("-", "_") + "_" + VERSION.replace(".", "_")
    return (
        f"@misc{{{key},\n"
        f"  author = {{{{{_bibtex_text(AUTHORS)}}}}},\n"
        f"  title = {{{{{_bibtex_text(PRETTY_NAME)}}} ({_bibtex_text(DATASET_NAME)})}},\n"
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
        # What the dataset is, how it was made, and whose rights its parts are under.
        "abstract": " ".join([about(PLAIN), say("summary.method", PLAIN), licence_text(PLAIN)]),
        "keywords": keywords(),
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
