"""Citations of the dataset and of each source article.

The dataset's name, version, authors and release date are its identity's (dataset.toml,
`dataset_builder.identity`): the one given, else the dataset speaking (`statements.speaking_for`),
else the seed dataset the package carries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import yaml

from dataset_builder.identity import Author, Identity, seed_identity
from dataset_builder.release.statements import (
    PLAIN,
    about,
    keywords,
    licence_text,
    say,
    speaker,
    speaking_for,
)


def dataset_identity(identity: Identity | None = None) -> Identity:
    """`identity`, else the dataset speaking, else the seed dataset."""
    return identity or speaker() or seed_identity()


def authors_text(identity: Identity) -> str:
    """The authors as one text: `A`, `A & B`, `A, B, & C` (APA); empty without authors."""
    names = [_one_line(author.name) for author in identity.authors]
    if len(names) <= 2:
        return " & ".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


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


def published_cited_as(record: Mapping[str, Any]) -> str | None:
    """The dataset version a published record's `citation` says it was accessed through:
    that of the release it is in, whatever folder the command runs in."""
    stored = record.get("citation")
    if not isinstance(stored, str):
        return None
    suffix = f", record {_one_line(str(record['id']))}."
    _, found, rest = stored.rpartition("Accessed via ")
    return rest.removesuffix(suffix) if found and rest.endswith(suffix) else None


def article_apa(record: Mapping[str, Any], cited_as: str | None = None) -> str:
    """APA citation of a record's source article, accessed via `cited_as` (a dataset
    version, `Identity.cited_as`; the dataset's of `dataset_identity` if not given)."""
    outlet = _one_line(record.get("outlet") or "") or "Unknown outlet"
    parts = [f"{outlet}. ({_apa_date(record)}). {_one_line(record['title'])}."]
    if record.get("url"):
        parts.append(_url(record["url"]))
    if record.get("original_url"):
        parts.append(f"Original article: {_url(record['original_url'])}.")
    cited_as = cited_as or dataset_identity().cited_as
    parts.append(f"Accessed via {_one_line(cited_as)}, record {_one_line(record['id'])}.")
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


def article_bibtex(record: Mapping[str, Any], cited_as: str | None = None) -> str:
    cited_as = cited_as or dataset_identity().cited_as
    note = f"Accessed via {cited_as}, record {record['id']}"
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


def _released(identity: Identity, released: str | None) -> str | None:
    return released if released is not None else identity.released


def dataset_apa(released: str | None = None, identity: Identity | None = None) -> str:
    """APA citation of the dataset version; `released` (ISO date) overrides its identity's."""
    dataset = dataset_identity(identity)
    day = _released(dataset, released)
    year = day[:4] if day else "n.d."
    title = (
        f"{_one_line(dataset.pretty_name)} ({dataset.name}) (Version {dataset.version}) [Data set]."
    )
    authors = authors_text(dataset)
    # Without an author, APA moves the title to the author's place.
    return f"{authors}. ({year}). {title}" if authors else f"{title} ({year})."


def dataset_bibtex(released: str | None = None, identity: Identity | None = None) -> str:
    dataset = dataset_identity(identity)
    day = _released(dataset, released)
    key = re.sub(r"[^A-Za-z0-9]", "_", f"{dataset.name}_{dataset.version}")
    # Each author in braces: BibTeX must not split a group's name into first and last.
    authors = " and ".join(f"{{{_bibtex_text(a.name)}}}" for a in dataset.authors)
    fields = [
        *([f"  author = {{{authors}}}"] if authors else []),
        f"  title = {{{{{_bibtex_text(dataset.pretty_name)}}} ({_bibtex_text(dataset.name)})}}",
        *([f"  year = {{{day[:4]}}}"] if day else []),
        f"  version = {{{_bibtex_text(dataset.version)}}}",
        *([f"  url = {{{_url(dataset.url)}}}"] if dataset.url else []),
        f"  note = {{Dataset, released {day}}}" if day else "  note = {Dataset}",
    ]
    return f"@misc{{{key},\n" + ",\n".join(fields) + "\n}"


def _cff_author(author: Author) -> dict[str, str]:
    """A CFF entity (a group, or a person known by one name) or person (with a family
    name or an affiliation, which only a person has in CFF)."""
    if author.organization or not (author.family_names or author.affiliation):
        entity = {"name": author.name}
    elif author.family_names:
        entity = {
            **({"given-names": author.given_names} if author.given_names else {}),
            "family-names": author.family_names,
        }
    else:
        entity = {"alias": author.name}
    if author.affiliation and not author.organization:
        entity["affiliation"] = author.affiliation
    if author.email:
        entity["email"] = author.email
    if author.orcid:
        entity["orcid"] = author.orcid
    return entity


def citation_cff(released: str | None = None, identity: Identity | None = None) -> str:
    """CITATION.cff (Citation File Format 1.2.0) of this dataset version."""
    dataset = dataset_identity(identity)
    day = _released(dataset, released)
    # CFF needs an author: a dataset whose dataset.toml names none is credited to its
    # contributors, by its own name.
    authors = [_cff_author(a) for a in dataset.authors] or [
        {"name": f"{dataset.pretty_name} contributors"}
    ]
    with speaking_for(dataset):
        document: dict[str, Any] = {
            "cff-version": "1.2.0",
            "message": "If you use this dataset, please cite it as below.",
            "type": "dataset",
            "title": f"{dataset.pretty_name} ({dataset.name})",
            "version": dataset.version,
            **({"date-released": day} if day else {}),
            # `license` only for an SPDX licence: CFF takes one for the whole work, and a
            # dataset whose article texts it does not license says so in the abstract.
            **({"license": dataset.license} if dataset.spdx else {}),
            **({"url": dataset.url} if dataset.url else {}),
            **({"repository": dataset.repository} if dataset.repository else {}),
            "authors": authors,
            # What the dataset is, how it was made, and whose rights its parts are under.
            "abstract": " ".join([about(PLAIN), say("summary.method", PLAIN), licence_text(PLAIN)]),
            "keywords": keywords(),
        }
    if dataset.contact:
        key = "email" if "@" in dataset.contact and "://" not in dataset.contact else "website"
        document["contact"] = [{"name": dataset.pretty_name, key: dataset.contact}]
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
