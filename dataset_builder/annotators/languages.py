"""The resource scanner: which languages the builder knows, found in its resource folder.

A language is data, not code (as in HeidelTime's resource scanner). Under a resource
folder (`dataset_builder/resources/` unless told otherwise):

    languages.json               what is not a date or topic resource, for every language
    languages/<code>/dates.json  the date tagger's words and rules (`annotators/dates/`)
    languages/<code>/topics.json the topic lexicon (`annotators/topics/`)
    shared/dates.json            date resources every language shares

`languages.json` holds:

    {
      "description": "...",
      "guard_languages": ["de", "fr", ...],
      "languages": {
        "zh": {
          "name": "Chinese",
          "detector": "zh",
          "script": ["Hans", "Hant"],
          "list_words": [],
          "topic_folding": "to_simplified"
        },
        ...
      }
    }

- `languages`, in order: the order the dataset card lists the languages in and text of
  an undetermined language is tried in. Each code is lower-case ISO 639-1 (or 639-3),
  never "und". Every key of an entry must be given:
  - `name`: the English name;
  - `detector`: the ISO 639-1 code lingua (the language detector) knows the language by,
    or null for a language it has no model of: such a language is never detected, only
    used when a caller names it;
  - `script`: the ISO 15924 code of the script the language is written in; or
    `["Hans", "Hant"]`, decided from the text by counting characters that exist in only
    one of the two; or null, the most frequent script among the text's letters;
  - `list_words`: the conjunctions that end a list ("and", "or"): a topic term that is
    one item of a list is weak evidence;
  - `topic_folding`: how text is folded before the topic lexicon is matched: null, or
    "to_simplified" (traditional Chinese characters to simplified ones, one for one).
- `guard_languages`: ISO 639-1 codes of languages the detector also knows, only to tell
  that text is in none of the languages (German would otherwise be forced into the
  nearest declared one). A code that a declared language is detected as is left out.

The set of languages is the set of folders under `languages/`. A language declared in
part -- a folder without both files, a folder without an entry, an entry without a
folder, an entry with a key missing -- stops the builder when the declaration is read
(the configuration reads it on import), with a message naming every such problem.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

UNDETERMINED = "und"

LANGUAGES_FILE = "languages.json"
LANGUAGES_FOLDER = "languages"
SHARED_FOLDER = "shared"
DATES_FILE = "dates.json"
TOPICS_FILE = "topics.json"
RESOURCE_FILES = (DATES_FILE, TOPICS_FILE)

ENTRY_KEYS = ("name", "detector", "script", "list_words", "topic_folding")
# Scripts chosen from the text; the language detector knows how to choose between these.
SCRIPT_CHOICES = (("Hans", "Hant"),)
TOPIC_FOLDINGS = ("to_simplified",)

_CODE = re.compile(r"[a-z]{2,3}")
_DETECTOR_CODE = re.compile(r"[a-z]{2}")
_SCRIPT = re.compile(r"[A-Z][a-z]{3}")


class LanguageDataError(ValueError):
    """The languages are declared in part, or their data cannot be read."""


@dataclass(frozen=True)
class Language:
    """One declared language: its entry in `languages.json` and its resource folder."""

    code: str
    name: str
    detector: str | None
    script: str | tuple[str, ...] | None
    list_words: tuple[str, ...]
    topic_folding: str | None
    folder: Path

    @property
    def dates_path(self) -> Path:
        return self.folder / DATES_FILE

    @property
    def topics_path(self) -> Path:
        return self.folder / TOPICS_FILE


@dataclass(frozen=True)
class Languages:
    """The languages declared under one resource folder, in their declared order."""

    root: Path
    by_code: Mapping[str, Language]
    guard_languages: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.by_code)

    @property
    def shared_dates_path(self) -> Path:
        return self.root / SHARED_FOLDER / DATES_FILE

    def __getitem__(self, code: str) -> Language:
        return self.by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __iter__(self) -> Iterator[Language]:
        return iter(self.by_code.values())


@functools.cache
def scan_languages(root: Path) -> Languages:
    """The languages declared under the resource folder `root` (read once per folder).

    Raises `LanguageDataError` listing every language declared in part.
    """
    problems: list[str] = []
    document = _read_document(root / LANGUAGES_FILE)
    entries = _entries(document, problems)
    folders = _language_folders(root / LANGUAGES_FOLDER, problems)
    for code in folders.keys() - entries.keys():
        problems.append(
            f"{folders[code]}: language {code!r} has resources but no entry in "
            f"{root / LANGUAGES_FILE}"
        )
    for code in entries.keys() - folders.keys():
        problems.append(
            f"language {code!r} is declared in {root / LANGUAGES_FILE} but has no folder "
            f"{root / LANGUAGES_FOLDER / code} with {' and '.join(RESOURCE_FILES)}"
        )
    languages: dict[str, Language] = {}
    for code, entry in entries.items():
        language = _language(code, entry, folders.get(code), problems)
        if language is not None:
            languages[code] = language
    guards = _guard_languages(document, problems)
    if problems:
        raise LanguageDataError(
            "the languages are not fully declared:\n- " + "\n- ".join(sorted(problems))
        )
    detected_as = {language.detector for language in languages.values()}
    return Languages(
        root=root,
        by_code=languages,
        guard_languages=tuple(code for code in guards if code not in detected_as),
    )


def _read_document(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LanguageDataError(f"{path}: no languages data file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LanguageDataError(f"{path}: cannot be read ({error})") from None
    if not isinstance(document, dict):
        raise LanguageDataError(f"{path}: not a JSON object")
    unknown = document.keys() - {"description", "guard_languages", "languages"}
    if unknown:
        raise LanguageDataError(f"{path}: unknown keys {sorted(unknown)}")
    return document


def _entries(document: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    entries = document.get("languages")
    if not isinstance(entries, dict) or not entries:
        problems.append(f"{LANGUAGES_FILE}: 'languages' must map language codes to entries")
        return {}
    for code in entries:
        if not _CODE.fullmatch(code) or code == UNDETERMINED:
            problems.append(
                f"{LANGUAGES_FILE}: {code!r} is not a language code (lower-case ISO 639, "
                f"not {UNDETERMINED!r})"
            )
    return {code: entry for code, entry in entries.items() if _CODE.fullmatch(code)}


def _language_folders(folder: Path, problems: list[str]) -> dict[str, Path]:
    """The language folders under `folder` that hold every resource file, by code."""
    if not folder.is_dir():
        problems.append(f"{folder}: no folder of language resources")
        return {}
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if not path.is_dir():
            problems.append(
                f"{path}: not a language folder (a language is a folder <code>/ holding "
                f"{' and '.join(RESOURCE_FILES)})"
            )
            continue
        present = [name for name in RESOURCE_FILES if (path / name).is_file()]
        missing = [name for name in RESOURCE_FILES if name not in present]
        if missing:
            has = f"has {' and '.join(present)} but " if present else ""
            problems.append(
                f"{path}: language {path.name!r} {has}no {' and no '.join(missing)} "
                f"(a language needs {' and '.join(RESOURCE_FILES)})"
            )
        found[path.name] = path
    return found


def _language(code: str, entry: Any, folder: Path | None, problems: list[str]) -> Language | None:
    where = f"{LANGUAGES_FILE}: language {code!r}"
    if not isinstance(entry, dict):
        problems.append(f"{where}: the entry is not a JSON object")
        return None
    missing = [key for key in ENTRY_KEYS if key not in entry]
    unknown = sorted(entry.keys() - set(ENTRY_KEYS))
    if missing:
        problems.append(f"{where}: no {', '.join(missing)} (every entry gives {ENTRY_KEYS})")
    if unknown:
        problems.append(f"{where}: unknown keys {unknown}")
    if missing or unknown:
        return None
    name, detector, script = entry["name"], entry["detector"], entry["script"]
    list_words, folding = entry["list_words"], entry["topic_folding"]
    before = len(problems)
    if not isinstance(name, str) or not name:
        problems.append(f"{where}: 'name' must be a non-empty string")
    if detector is not None and not (
        isinstance(detector, str) and _DETECTOR_CODE.fullmatch(detector)
    ):
        problems.append(f"{where}: 'detector' must be an ISO 639-1 code or null")
    if isinstance(script, list):
        script = tuple(script)
        if script not in SCRIPT_CHOICES:
            problems.append(f"{where}: 'script' can only choose between {SCRIPT_CHOICES}")
    elif script is not None and not (isinstance(script, str) and _SCRIPT.fullmatch(script)):
        problems.append(f"{where}: 'script' must be an ISO 15924 code, a choice or null")
    if not isinstance(list_words, list) or not all(
        isinstance(word, str) and word.strip() == word and word for word in list_words
    ):
        problems.append(f"{where}: 'list_words' must be a list of words")
    if folding is not None and folding not in TOPIC_FOLDINGS:
        problems.append(f"{where}: 'topic_folding' must be one of {TOPIC_FOLDINGS} or null")
    if len(problems) > before or folder is None:
        return None
    return Language(code, name, detector, script, tuple(list_words), folding, folder)


def _guard_languages(document: Mapping[str, Any], problems: list[str]) -> tuple[str, ...]:
    guards = document.get("guard_languages", [])
    if not isinstance(guards, list) or not all(
        isinstance(code, str) and _DETECTOR_CODE.fullmatch(code) for code in guards
    ):
        problems.append(f"{LANGUAGES_FILE}: 'guard_languages' must be a list of ISO 639-1 codes")
        return ()
    return tuple(guards)
