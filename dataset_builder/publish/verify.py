"""The check of a published folder against its manifest.

`verify_release` checks the whole manifest, not only the checksums in it: its layout
(every key and type), every file it lists (present, same size, same SHA-256) and none
it does not, and that what it says about the release -- dataset name, version, inputs --
agrees with the released files that say it too. A manifest can be anything someone put
there, so every value is checked before it is used, and a malformed one is a problem
in the list, never an exception.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from dataset_builder.config import MANIFEST
from dataset_builder.ingest.files import file_sha256
from dataset_builder.publish.manifest import published_files

REPORT = "build_report.json"
CARD = "README.md"
CITATION = "CITATION.cff"
CROISSANT = "croissant.json"
# Files every release holds that record its name, version or inputs: without them the
# manifest's own claims could not be checked.
REQUIRED_FILES = (REPORT, CARD)
MANIFEST_KEYS = ("dataset", "version", "files", "inputs")
FILE_ENTRY_KEYS = ("sha256", "bytes")
# Problems of one kind listed before the rest are counted: a manifest of another
# release would otherwise print a line for each of its hundred thousand inputs.
MAX_PROBLEMS_PER_KIND = 50

# Printed by `dataset-builder verify`: what a pass does not mean. Lines of at most 88
# characters, for a terminal.
VERIFY_DOES_NOT_PROVE = (
    "What verify does not prove: MANIFEST.json is not signed. A pass shows that the files\n"
    "match the manifest and agree with one another, which catches accidental change (a bad\n"
    "copy, a truncated download, a stray edit); it does not show who made the release.\n"
    "Someone who edits files and rewrites MANIFEST.json to match them passes. To trust a\n"
    "release, compare the SHA-256 of its MANIFEST.json with one from a source you trust."
)

_SHA256 = re.compile(r"[0-9a-f]{64}")

# -- reading what the release says ---------------------------------------------------------


class _Unreadable(Exception):
    """A file that cannot be read or parsed; the message says why."""


def _shown(value: object) -> str:
    """A name or value from the release, safe to print: control characters escaped."""
    text = str(value)
    return text if text.isprintable() else repr(text)


def _load_json(path: Path) -> tuple[Any, list[str]]:
    """The JSON value in `path`, and the keys that appear twice in one of its objects.

    Python keeps the last of repeated keys silently; a checker must not, since the
    first one is what another reader may see.
    """
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        counts = Counter(key for key, _ in items)
        repeated.extend(key for key, n in counts.items() if n > 1)
        return dict(items)

    def constant(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        text = path.read_text(encoding="utf-8")
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except (OSError, ValueError, RecursionError) as error:  # ValueError: bad UTF-8 too
        raise _Unreadable(str(error) or type(error).__name__) from None
    return value, repeated


class _NoAliasLoader(yaml.BaseLoader):
    """YAML of plain strings, lists and mappings, without aliases.

    BaseLoader builds no objects (everything is a string, so "1.10" stays "1.10"), and
    refusing aliases stops a small file from expanding into gigabytes.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases are not allowed")
        return super().compose_node(parent, index)


def _load_yaml(text: str) -> Any:
    try:
        # yaml.load, not safe_load: the loader above builds no objects at all.
        return yaml.load(text, Loader=_NoAliasLoader)
    except (yaml.YAMLError, RecursionError) as error:
        raise _Unreadable(str(error).splitlines()[0] if str(error) else "not YAML") from None


def _front_matter(path: Path) -> Any:
    """The YAML between the card's leading `---` lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as error:
        raise _Unreadable(str(error)) from None
    end = text.find("\n---\n", 4)
    if not text.startswith("---\n") or end < 0:
        raise _Unreadable("no YAML front matter")
    return _load_yaml(text[4:end])


def _valid_name(name: str) -> bool:
    """A file name as `published_files` writes it: relative, '/'-separated, inside."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and name.isprintable()
        and "\\" not in name
        and not path.is_absolute()
        and path.as_posix() == name
        and all(part not in ("", ".", "..") for part in path.parts)
        and name != MANIFEST
    )


def _is_count(value: object) -> bool:
    # bool is an int in Python; a size of `true` is not a size.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


class _Problems:
    """Problems in the order found, each kind listed up to MAX_PROBLEMS_PER_KIND times."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._counts: Counter[str] = Counter()

    def add(self, kind: str, text: str) -> None:
        self._counts[kind] += 1
        if self._counts[kind] <= MAX_PROBLEMS_PER_KIND:
            self.lines.append(f"{kind}: {text}")

    def result(self) -> list[str]:
        more = [
            f"{kind}: ... and {n - MAX_PROBLEMS_PER_KIND} more"
            for kind, n in self._counts.items()
            if n > MAX_PROBLEMS_PER_KIND
        ]
        return self.lines + more


# -- the checks ------------------------------------------------------------------------------


def _check_layout(
    manifest: Any, repeated: list[str], problems: _Problems
) -> tuple[dict[str, str], dict[str, dict[str, Any]], set[str], dict[str, str]]:
    """Check every key and type of the manifest.

    Returns its well-formed text fields (dataset, version), its well-formed file
    entries, every name it lists (well-formed or not, so none is called extra), and its
    well-formed inputs.
    """
    where = MANIFEST
    for key in sorted(set(repeated)):
        problems.add("malformed", f"{where}: key {key!r} appears more than once")
    if not isinstance(manifest, dict):
        problems.add("malformed", f"{where}: not a JSON object")
        return {}, {}, set(), {}
    for key in MANIFEST_KEYS:
        if key not in manifest:
            problems.add("malformed", f"{where}: no {key!r}")
    for key in sorted(set(manifest) - set(MANIFEST_KEYS)):
        problems.add("malformed", f"{where}: unexpected key {key!r}")

    texts: dict[str, str] = {}
    for key in ("dataset", "version"):
        value = manifest.get(key)
        if isinstance(value, str) and value.strip() and value.isprintable():
            texts[key] = value
        elif key in manifest:
            problems.add("malformed", f"{where}: {key!r} is not a non-empty line of text")

    files: dict[str, dict[str, Any]] = {}
    listed: set[str] = set()
    entries = manifest.get("files", {})
    if not isinstance(entries, dict):
        problems.add("malformed", f"{where}: 'files' is not an object")
        entries = {}
    for name, entry in entries.items():
        listed.add(name)
        label = f"{where}: files[{name!r}]"
        if not _valid_name(name):
            problems.add("malformed", f"{label}: not a file name inside the folder")
        elif not isinstance(entry, dict):
            problems.add("malformed", f"{label}: not an object with sha256 and bytes")
        elif set(entry) != set(FILE_ENTRY_KEYS):
            found = ", ".join(_shown(key) for key in sorted(entry)) or "none"
            problems.add("malformed", f"{label}: keys are {found}, expected sha256 and bytes")
        elif not _is_sha256(entry["sha256"]):
            problems.add("malformed", f"{label}.sha256: not 64 lowercase hexadecimal digits")
        elif not _is_count(entry["bytes"]):
            problems.add("malformed", f"{label}.bytes: not a whole number of bytes")
        else:
            files[name] = entry

    inputs: dict[str, str] = {}
    given = manifest.get("inputs", {})
    if not isinstance(given, dict):
        problems.add("malformed", f"{where}: 'inputs' is not an object")
        given = {}
    for name, sha256 in given.items():
        if not name:
            problems.add("malformed", f"{where}: inputs: an empty file name")
        elif not _is_sha256(sha256):
            problems.add(
                "malformed",
                f"{where}: inputs[{name!r}]: not 64 lowercase hexadecimal digits",
            )
        else:
            inputs[name] = sha256
    return texts, files, listed, inputs


def _check_files(
    root: Path, files: dict[str, dict[str, Any]], listed: set[str], problems: _Problems
) -> set[str]:
    """Every listed file present with its size and SHA-256, and no other; the ones that match."""
    present = set(published_files(root))
    matched: set[str] = set()
    for name, entry in sorted(files.items()):
        if name not in present:
            problems.add("missing", _shown(name))
            continue
        path = root / name
        try:
            size = path.stat().st_size
            # The size first: a cut-short file is found without reading it.
            if size != entry["bytes"]:
                problems.add(
                    "changed",
                    f"{_shown(name)} ({size} bytes, {entry['bytes']} in {MANIFEST})",
                )
            elif file_sha256(path) != entry["sha256"]:
                problems.add("changed", f"{_shown(name)} (SHA-256 differs from {MANIFEST})")
            else:
                matched.add(name)
        except OSError as error:
            problems.add("unreadable", f"{_shown(name)} ({error.strerror or error})")
    for name in sorted(present - listed):
        problems.add("extra", _shown(name))
    return matched


def _same(problems: _Problems, texts: dict[str, str], key: str, source: str, value: object) -> None:
    """Compare a name or version a released file records with the manifest's."""
    if key not in texts:
        return  # the manifest's own value is malformed, already reported
    if not isinstance(value, str):
        problems.add("malformed", f"{source}: no {key} recorded")
    elif value != texts[key]:
        problems.add(
            "inconsistent",
            f"{MANIFEST} says {key} {texts[key]!r}, {source} says {value!r}",
        )


def _check_report(
    report: Any,
    texts: dict[str, str],
    files: dict[str, dict[str, Any]],
    inputs: dict[str, str],
    problems: _Problems,
) -> None:
    """The manifest's name, version, inputs and data files against build_report.json."""
    if not isinstance(report, dict):
        problems.add("malformed", f"{REPORT}: not a JSON object")
        return
    _same(problems, texts, "dataset", REPORT, report.get("dataset"))
    _same(problems, texts, "version", REPORT, report.get("version"))

    entries = report.get("inputs")
    if not isinstance(entries, list):
        problems.add("malformed", f"{REPORT}: 'inputs' is not a list")
        entries = []
    reported: dict[str, str] = {}
    for position, entry in enumerate(entries):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("file"), str)
            and isinstance(entry.get("sha256"), str)
        ):
            problems.add("malformed", f"{REPORT}: inputs[{position}] has no file and sha256")
        elif entry["file"] in reported:
            problems.add("malformed", f"{REPORT}: input {entry['file']!r} listed twice")
        else:
            reported[entry["file"]] = entry["sha256"]
    for name in sorted(inputs.keys() - reported.keys()):
        problems.add("inconsistent", f"input {name!r} is in {MANIFEST}, not in {REPORT}")
    for name in sorted(reported.keys() - inputs.keys()):
        problems.add("inconsistent", f"input {name!r} is in {REPORT}, not in {MANIFEST}")
    for name in sorted(inputs.keys() & reported.keys()):
        if inputs[name] != reported[name]:
            problems.add(
                "inconsistent",
                f"input {name!r}: SHA-256 in {MANIFEST} differs from {REPORT}",
            )

    # The data files the build wrote (report["files"]: config -> split -> names) are the
    # ones the manifest lists under data/: a shard dropped from both is found here.
    shards = report.get("files")
    written: set[str] = set()
    if isinstance(shards, dict) and all(isinstance(s, dict) for s in shards.values()):
        for names in (n for splits in shards.values() for n in splits.values()):
            if isinstance(names, list) and all(isinstance(n, str) for n in names):
                written.update(names)
            else:
                problems.add("malformed", f"{REPORT}: 'files' is not lists of file names")
    else:
        problems.add("malformed", f"{REPORT}: 'files' is not an object of configurations")
    data = {name for name in files if name.startswith("data/")}
    for name in sorted(written - files.keys()):
        problems.add("inconsistent", f"{REPORT} lists {_shown(name)}, {MANIFEST} does not")
    for name in sorted(data - written):
        problems.add("inconsistent", f"{MANIFEST} lists {_shown(name)}, {REPORT} does not")


def _read_recorded(path: Path) -> tuple[Any, list[str]]:
    """The content of a released file that records the name or version, by its kind."""
    if path.suffix == ".json":
        return _load_json(path)
    if path.name == CARD:
        return _front_matter(path), []
    return _load_yaml(path.read_text(encoding="utf-8")), []


def _check_recorded(
    root: Path,
    texts: dict[str, str],
    files: dict[str, dict[str, Any]],
    listed: set[str],
    inputs: dict[str, str],
    matched: set[str],
    problems: _Problems,
) -> None:
    """What the manifest says against the released files that say it too.

    Only files whose SHA-256 matched are read: a changed one is reported as changed,
    and what it says is not evidence.
    """
    for name in REQUIRED_FILES:
        if name not in listed:
            problems.add("missing", f"{name} (every release holds it; {MANIFEST} does not list it)")
    for name in (REPORT, CROISSANT, CARD, CITATION):
        if name not in matched:
            continue
        try:
            value, repeated = _read_recorded(root / name)
        except (_Unreadable, OSError, ValueError) as error:
            problems.add("malformed", f"{name}: {_shown(error)}")
            continue
        for key in sorted(set(repeated)):
            problems.add("malformed", f"{name}: key {key!r} appears more than once")
        if name == REPORT:
            _check_report(value, texts, files, inputs, problems)
            continue
        if not isinstance(value, dict):
            problems.add("malformed", f"{name}: not a mapping")
            continue
        if name == CROISSANT:
            _same(problems, texts, "dataset", name, value.get("name"))
        _same(problems, texts, "version", name, value.get("version"))


def verify_release(root: Path) -> list[str]:
    """Problems found in `root` against its manifest; an empty list means it is intact.

    Each problem is one line, `<kind>: <what>`, kind one of missing, changed, extra,
    unreadable, malformed, inconsistent. See VERIFY_DOES_NOT_PROVE for what an empty
    list does not mean.
    """
    path = root / MANIFEST
    if not path.is_file():
        return [f"missing: {MANIFEST}"]
    try:
        manifest, repeated = _load_json(path)
    except _Unreadable as error:
        return [f"unreadable: {MANIFEST} ({_shown(error)})"]
    problems = _Problems()
    texts, files, listed, inputs = _check_layout(manifest, repeated, problems)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        # Without a list of files nothing else can be checked; every file would be
        # called extra.
        return problems.result()
    matched = _check_files(root, files, listed, problems)
    _check_recorded(root, texts, files, listed, inputs, matched, problems)
    return problems.result()
