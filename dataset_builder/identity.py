"""A dataset's identity: its name, version, authors, licence and own statements, as data.

A corpus folder holds a `dataset.toml` that says what the dataset is called, which version
this is, who made it and under which licence, and what only this corpus can say about
itself (its `[card]` table: where its articles come from, its limitations). The builder
reads it once per build; the card, CITATION.cff, Croissant, the manifest and every
record's `citation` take the dataset's name, version and authors from it.

A folder built without a `dataset.toml` gets a neutral identity named after the folder
(version 0.0.0, no authors), and the build says so in a warning: it never presents itself
as another dataset.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

IDENTITY_FILE = "dataset.toml"
# The seed dataset's dataset.toml, as the package carries it (in a checkout, a link to the
# one at the root).
SEED_IDENTITY = Path(__file__).resolve().parent / "data" / IDENTITY_FILE
DEFAULT_ARTICLES = "articles"
DEFAULT_SPLITS = "splits"
DEFAULT_RELEASE = "release"
# The version of a dataset that has no dataset.toml.
NEUTRAL_VERSION = "0.0.0"

NAME = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
# Semantic versioning 2.0.0, with an optional pre-release part.
VERSION = re.compile(
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
# The shape of an SPDX licence identifier or expression (`CC-BY-4.0`, `MIT OR Apache-2.0`);
# `other` and `unknown` are the Hugging Face Hub's values for anything else.
SPDX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*(?: (?:AND|OR|WITH) [A-Za-z0-9][A-Za-z0-9.+-]*)*$")
NOT_SPDX = ("other", "unknown")
# The Hub's `license_name`: lower case words joined by hyphens or dots.
LICENSE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")
ORCID = re.compile(r"^(?:https://orcid\.org/)?([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X])$")
HTTP_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Keys of dataset.toml, each with what it must hold.
TOP_KEYS = {
    "name": "a lower-case name of letters, digits, '.', '_' and '-' (`my-news-corpus`)",
    "pretty_name": "a non-empty title",
    "version": "a semantic version MAJOR.MINOR.PATCH (`1.0.0`)",
    "description": "a non-empty text",
    "license": "an SPDX licence identifier (`CC-BY-4.0`), `other` or `unknown`",
    "license_name": "a lower-case name of letters, digits, '.' and '-'",
    "license_details": "a non-empty text",
    "url": "an http or https address",
    "repository": "an http or https address",
    "contact": "an e-mail address or an http or https address",
    "released": "a date (`2026-12-06`, without quotes)",
    "changelog": "the path of a Markdown changelog, relative to dataset.toml",
    "keywords": "a list of non-empty texts",
    "articles": "the folder of the articles, relative to dataset.toml",
    "splits": "the folder of the split assignment, relative to dataset.toml",
    "authors": "a list of [[authors]] tables",
    "card": "a [card] table",
}
REQUIRED = ("name", "pretty_name", "version", "license")
AUTHOR_KEYS = {
    "name": "a non-empty name",
    "given_names": "a non-empty text",
    "family_names": "a non-empty text",
    "affiliation": "a non-empty text",
    "orcid": "an ORCID iD (`0000-0002-1825-0097`, with or without https://orcid.org/)",
    "email": "an e-mail address",
    "organization": "true for a group or organisation, false for a person",
}
# What a [card] table may say; each replaces the general statement of the same name
# (`release/statements.yaml`), except `limitations`, which replace the general ones of the
# same title and add the others.
CARD_KEYS = {
    "configurations": "a table of texts by configuration (`default`, `related`)",
    "collection": "a non-empty text",
    "outlets": "a table of outlet facts by outlet name",
    "sides": 'a table of adjectives by side (`Japan = "Japanese"`)',
    "limitations": "a list of [[card.limitations]] tables with `title` and `text`",
    "personal_information": "a non-empty text",
    "uses": "a list of non-empty texts",
    "licences": "a list of [[card.licences]] tables with `name`, `text` and optional `url`",
    "maintenance": "a non-empty text",
    "measurements": "a table of texts by measurement",
}
# The counts a limitation's `when` may name: it is stated only when that count is not zero.
WHEN_COUNTS = ("articles", "inferred_dates")
OUTLET_KEYS = {
    "description": str,
    "country": str,
    "state": bool,
    "machine_translation": bool,
}


class IdentityError(ValueError):
    """A dataset.toml that cannot be used: the message names the file, the key and the rule."""


@dataclass(frozen=True)
class Author:
    name: str
    given_names: str | None = None
    family_names: str | None = None
    affiliation: str | None = None
    orcid: str | None = None  # the full https://orcid.org/ address
    email: str | None = None
    organization: bool = False


@dataclass(frozen=True)
class Identity:
    """What a dataset says about itself."""

    name: str
    pretty_name: str
    version: str
    license: str
    description: str | None = None
    license_name: str | None = None
    license_details: str | None = None
    url: str | None = None
    repository: str | None = None
    contact: str | None = None
    released: str | None = None  # ISO 8601 date
    changelog: Path | None = None
    keywords: tuple[str, ...] = ()
    authors: tuple[Author, ...] = ()
    # The [card] table, texts with runs of white space made one space.
    card: Mapping[str, Any] = field(default_factory=dict)
    source: Path | None = None  # the dataset.toml read; None for a neutral identity
    # The corpus's folders when dataset.toml names them (`corpus` has the defaults).
    articles: Path | None = None
    splits: Path | None = None

    @property
    def cited_as(self) -> str:
        """How a record's citation names the dataset version it was accessed through."""
        return f"{self.pretty_name} (Version {self.version})"

    @property
    def spdx(self) -> bool:
        """Whether `license` is an SPDX licence (not `other` or `unknown`)."""
        return self.license not in NOT_SPDX

    def changelog_text(self) -> str | None:
        if self.changelog is None:
            return None
        return self.changelog.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Corpus:
    """A corpus folder: its dataset.toml and the folders it names."""

    folder: Path
    identity: Identity
    articles: Path
    splits: Path

    @property
    def release(self) -> Path:
        return self.folder / DEFAULT_RELEASE


def _fail(source: Path, key: str, rule: str) -> IdentityError:
    return IdentityError(f"{source}: {key}: must be {rule}")


def _text(source: Path, key: str, value: object, rule: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, key, rule)
    return " ".join(value.split())


def _folded(value: Any) -> Any:
    """Texts of a [card] table as one line each: TOML keeps the line breaks of a long text."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_folded(item) for item in value]
    if isinstance(value, dict):
        return {key: _folded(item) for key, item in value.items()}
    return value


def _unknown(source: Path, where: str, table: Mapping[str, Any], known: Mapping[str, Any]) -> None:
    for key in table:
        if key not in known:
            raise IdentityError(
                f"{source}: {where}{key}: unknown key (known: {', '.join(sorted(known))})"
            )


def orcid_checksum_ok(identifier: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of an ORCID iD `0000-0002-1825-0097`."""
    digits = identifier.replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _author(source: Path, index: int, table: object) -> Author:
    where = f"authors[{index}]."
    if not isinstance(table, dict):
        raise _fail(source, f"authors[{index}]", "a table ([[authors]]) with at least `name`")
    _unknown(source, where, table, AUTHOR_KEYS)
    if "name" not in table:
        raise IdentityError(f"{source}: {where}name: missing (every author needs a name)")
    values: dict[str, Any] = {}
    for key, value in table.items():
        rule = AUTHOR_KEYS[key]
        if key == "organization":
            if not isinstance(value, bool):
                raise _fail(source, where + key, rule)
            values[key] = value
            continue
        text = _text(source, where + key, value, rule)
        if key == "orcid":
            match = ORCID.match(text)
            if match is None or not orcid_checksum_ok(match.group(1)):
                raise _fail(source, where + key, rule + " whose check digit is right")
            text = f"https://orcid.org/{match.group(1)}"
        if key == "email" and not EMAIL.match(text):
            raise _fail(source, where + key, rule)
        values[key] = text
    return Author(**values)


def _card(source: Path, table: object) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise _fail(source, "card", "a table ([card])")
    _unknown(source, "card.", table, CARD_KEYS)
    card: dict[str, Any] = _folded(table)
    for key, value in card.items():
        where, rule = f"card.{key}", CARD_KEYS[key]
        if key in ("collection", "personal_information", "maintenance"):
            _text(source, where, value, rule)
        elif key in ("configurations", "measurements", "sides"):
            if not isinstance(value, dict) or not all(
                isinstance(v, str) and v for v in value.values()
            ):
                raise _fail(source, where, rule)
        elif key == "uses":
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise _fail(source, where, rule)
        elif key == "outlets":
            if not isinstance(value, dict):
                raise _fail(source, where, rule)
            for outlet, facts in value.items():
                if not isinstance(facts, dict):
                    raise _fail(source, f"{where}.{outlet}", "a table of outlet facts")
                _unknown(source, f"{where}.{outlet}.", facts, OUTLET_KEYS)
                for fact, kind in OUTLET_KEYS.items():
                    if fact in facts and not isinstance(facts[fact], kind):
                        raise _fail(source, f"{where}.{outlet}.{fact}", f"a {kind.__name__}")
        elif key in ("limitations", "licences"):
            needed = ("title", "text") if key == "limitations" else ("name", "text")
            allowed = {*needed, "when"} if key == "limitations" else {*needed, "url"}
            if not isinstance(value, list):
                raise _fail(source, where, rule)
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    raise _fail(source, f"{where}[{i}]", "a table")
                _unknown(source, f"{where}[{i}].", item, dict.fromkeys(allowed))
                for name in needed:
                    if name not in item:
                        raise IdentityError(f"{source}: {where}[{i}].{name}: missing")
                for name, text in item.items():
                    _text(source, f"{where}[{i}].{name}", text, "a non-empty text")
                if item.get("when", WHEN_COUNTS[0]) not in WHEN_COUNTS:
                    raise _fail(source, f"{where}[{i}].when", f"one of {', '.join(WHEN_COUNTS)}")
    return card


# The `$name`s a text of dataset.toml may hold, by where it is; a measurement's are the
# benchmark's (`release/measurements.py`), checked when the card is made.
PLACEHOLDERS: dict[str, tuple[str, ...] | None] = {
    "description": ("pretty_name",),
    "card.limitations": WHEN_COUNTS,
    "card.measurements": None,
}


def _check_placeholders(source: Path, key: str, texts: Iterable[str], allowed: Any) -> None:
    """Every `$` of a text starts a name the builder fills in, or is written `$$`."""
    for text in texts:
        for match in Template.pattern.finditer(text):
            name = match.group("named") or match.group("braced")
            if match.group("invalid") is not None or (
                name is not None and allowed is not None and name not in allowed
            ):
                names = ", ".join(f"${n}" for n in allowed or ())
                raise _fail(
                    source,
                    key,
                    "a text whose `$` starts one of "
                    + (names or "no names")
                    + " (write `$$` for a dollar sign)",
                )


def _card_placeholders(source: Path, card: Mapping[str, Any]) -> None:
    for key, value in card.items():
        if key in ("outlets", "licences", "sides"):
            continue  # said as they are, never filled in
        allowed = PLACEHOLDERS.get(f"card.{key}", ())
        if key == "limitations":
            for i, item in enumerate(value):
                _check_placeholders(source, f"card.limitations[{i}].text", [item["text"]], allowed)
        elif isinstance(value, dict):
            for name, text in value.items():
                _check_placeholders(source, f"card.{key}.{name}", [text], allowed)
        else:
            texts = value if isinstance(value, list) else [value]
            _check_placeholders(source, f"card.{key}", texts, allowed)


def _relative(source: Path, key: str, value: object) -> Path:
    text = _text(source, key, value, TOP_KEYS[key])
    path = Path(text)
    if path.is_absolute():
        raise _fail(source, key, TOP_KEYS[key] + " (not an absolute path)")
    return source.parent / path


def changelog_date(changelog: Path, version: str) -> str | None:
    """The date of the heading `## [version] - YYYY-MM-DD` of a changelog, if it has one."""
    heading = re.compile(rf"## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})\s*")
    for line in changelog.read_text(encoding="utf-8").splitlines():
        if (dated := heading.fullmatch(line)) is not None:
            return dated[1]
    return None


def parse_identity(document: Mapping[str, Any], source: Path) -> Identity:
    """An Identity from the parsed TOML of `source`. Raises IdentityError."""
    _unknown(source, "", document, TOP_KEYS)
    for key in REQUIRED:
        if key not in document:
            raise IdentityError(f"{source}: {key}: missing (must be {TOP_KEYS[key]})")
    values: dict[str, Any] = {"source": source}
    for key, value in document.items():
        rule = TOP_KEYS[key]
        if key == "authors":
            if not isinstance(value, list):
                raise _fail(source, key, rule)
            values[key] = tuple(_author(source, i, table) for i, table in enumerate(value))
        elif key == "card":
            values[key] = _card(source, value)
        elif key == "keywords":
            if not isinstance(value, list):
                raise _fail(source, key, rule)
            values[key] = tuple(
                _text(source, f"keywords[{i}]", v, rule) for i, v in enumerate(value)
            )
        elif key == "released":
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise _fail(source, key, rule)
            values[key] = value.isoformat()
        elif key == "changelog":
            path = _relative(source, key, value)
            if not path.is_file():
                raise IdentityError(f"{source}: {key}: {path} is not a file")
            values[key] = path
        elif key in ("articles", "splits"):
            values[key] = _relative(source, key, value)
        else:
            text = _text(source, key, value, rule)
            patterns = {
                "name": NAME,
                "version": VERSION,
                "license_name": LICENSE_NAME,
                "url": HTTP_URL,
                "repository": HTTP_URL,
            }
            if key in patterns and not patterns[key].match(text):
                raise _fail(source, key, rule)
            if key == "license" and text not in NOT_SPDX and not SPDX.match(text):
                raise _fail(source, key, rule)
            if key == "contact" and not (EMAIL.match(text) or HTTP_URL.match(text)):
                raise _fail(source, key, rule)
            values[key] = text
    if "description" in values:
        _check_placeholders(
            source, "description", [values["description"]], PLACEHOLDERS["description"]
        )
    _card_placeholders(source, values.get("card", {}))
    if values["license"] == "other" and "license_name" not in values:
        raise IdentityError(
            f"{source}: license_name: missing (a licence `other` needs a `license_name`)"
        )
    changelog: Path | None = values.get("changelog")
    if changelog is not None:
        dated = changelog_date(changelog, values["version"])
        if dated is not None and values.setdefault("released", dated) != dated:
            raise IdentityError(
                f"{source}: released: {values['released']} differs from the date of version "
                f"{values['version']} in {changelog} ({dated})"
            )
    return Identity(**values)


def load_identity(path: Path) -> Identity:
    """Read and check a dataset.toml. Raises IdentityError naming the file, key and rule."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise IdentityError(f"{path}: cannot be read: {error.strerror}") from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise IdentityError(f"{path}: must be UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise IdentityError(f"{path}: not valid TOML: {error}") from None
    return parse_identity(document, path)


def corpus(folder: Path) -> Corpus | None:
    """The corpus whose dataset.toml is in `folder`, or None if it has none."""
    source = folder / IDENTITY_FILE
    if not source.is_file():
        return None
    identity = load_identity(source)
    return Corpus(
        folder=folder,
        identity=identity,
        articles=identity.articles or folder / DEFAULT_ARTICLES,
        splits=identity.splits or folder / DEFAULT_SPLITS,
    )


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def neutral_identity(input_dir: Path) -> Identity:
    """The identity of a folder built without a dataset.toml: named after the folder."""
    folder = input_dir.resolve().name or "dataset"
    name = re.sub(r"[^a-z0-9._-]+", "-", folder.lower()).strip("-._") or "dataset"
    pretty = re.sub(r"[-_]+", " ", folder).strip() or name
    return Identity(
        name=name,
        pretty_name=pretty[:1].upper() + pretty[1:],
        version=NEUTRAL_VERSION,
        license="unknown",
    )


def neutral_warning(input_dir: Path, identity: Identity) -> str:
    return (
        f"{input_dir}: no {IDENTITY_FILE} describes this dataset, so its card and citations "
        f"name it {identity.pretty_name!r} ({identity.name}), version {identity.version}, with "
        f"no authors or licence; run `dataset-builder init` for a new corpus, or add a "
        f"{IDENTITY_FILE} (see the README) [identity]"
    )


def resolve_identity(input_dir: Path, config: Path | None = None) -> tuple[Identity, str | None]:
    """The identity a build of `input_dir` publishes under, and a warning when it is neutral.

    `config` (`--config`) first; else a dataset.toml in the input folder; else the
    dataset.toml of the corpus folder the input folder is the articles folder of (the
    checkout's root for `seeds/`); else a neutral identity named after the folder.
    Raises IdentityError.
    """
    if config is not None:
        return load_identity(config), None
    own = input_dir / IDENTITY_FILE
    if own.is_file():
        return load_identity(own), None
    parent = input_dir.resolve().parent
    if (parent / IDENTITY_FILE).is_file():
        found = corpus(parent)
        if found is not None and _same_folder(found.articles, input_dir):
            return found.identity, None
    identity = neutral_identity(input_dir)
    return identity, neutral_warning(input_dir, identity)


@cache
def seed_identity() -> Identity:
    """The identity of the seed dataset (vietnam-japan-news), which the package carries.

    What cites a dataset outside a build (`dataset-builder cite` with nothing else to go
    on, a record cited without its dataset) cites this one.
    """
    return load_identity(SEED_IDENTITY)
