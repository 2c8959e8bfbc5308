"""Languages are data: found by scanning the resource folder, refused when declared in part."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from lingua import IsoCode639_1

from dataset_builder.annotators.dates import infer_document_date, tag_dates
from dataset_builder.annotators.language import (
    detect_language,
    detector_candidates,
    script_for,
)
from dataset_builder.annotators.languages import (
    DATES_FILE,
    LANGUAGES_FILE,
    LANGUAGES_FOLDER,
    TOPICS_FILE,
    LanguageDataError,
    scan_languages,
)
from dataset_builder.annotators.segments import Segment
from dataset_builder.annotators.topics import LexiconTopicAnnotator
from dataset_builder.config import GUARD_LANGUAGES, LANGUAGES, RESOURCES_DIR

# ISO 639-2 reserves qaa-qtz for local use: no real language has this code.
DUMMY = "qaa"
DUMMY_ENTRY = {
    "name": "Dummy",
    "detector": None,
    "script": "Latn",
    "list_words": ["e"],
    "topic_folding": None,
}
MONTHS = [
    "primo",
    "secundo",
    "tertio",
    "quarto",
    "quinto",
    "sexto",
    "septimo",
    "octavo",
    "nono",
    "decimo",
    "undecimo",
    "duodecimo",
]
DUMMY_DATES = {
    "language": DUMMY,
    "description": "A made-up language: day, month name and year ('5 duodecimo 2024').",
    "ignore_case": True,
    "vocab": {"MONTH": {name: number for number, name in enumerate(MONTHS, start=1)}},
    "macros": {"WB": "\\b"},
    "rules": [
        {"kind": "date", "pattern": "{WB}{D:d} {MONTH:m} {YN:y}{E}"},
        {"kind": "month", "pattern": "{WB}{MONTH:m} {YN:y}{E}"},
    ],
}
INTERNATIONAL_RELATIONS = "medtop:20000638"
DUMMY_TOPICS = {
    "language": DUMMY,
    "description": "A made-up lexicon.",
    "word_boundaries": True,
    "entries": [{"code": INTERNATIONAL_RELATIONS, "terms": ["ambassada*", "consilio"]}],
}


def write_json(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def resources(tmp_path: Path) -> Path:
    """A copy of the packaged resource folder, to declare languages in."""
    root = tmp_path / "resources"
    shutil.copytree(RESOURCES_DIR, root)
    return root


def declare(root: Path, code: str, entry: dict[str, Any]) -> None:
    data = read_json(root / LANGUAGES_FILE)
    data["languages"][code] = entry
    write_json(root / LANGUAGES_FILE, data)


def add_files(root: Path, code: str, *files: str) -> Path:
    folder = root / LANGUAGES_FOLDER / code
    folder.mkdir(parents=True)
    documents = {DATES_FILE: DUMMY_DATES, TOPICS_FILE: DUMMY_TOPICS}
    for name in files:
        write_json(folder / name, documents[name])
    return folder


@pytest.fixture
def with_dummy(resources: Path) -> Path:
    """The resource folder with the dummy language added, from data alone."""
    add_files(resources, DUMMY, DATES_FILE, TOPICS_FILE)
    declare(resources, DUMMY, DUMMY_ENTRY)
    return resources


# --- the packaged languages -----------------------------------------------------------


def test_the_configured_languages_are_the_declared_ones_in_order() -> None:
    declared = scan_languages(RESOURCES_DIR)
    assert declared.codes == LANGUAGES
    assert tuple(read_json(RESOURCES_DIR / LANGUAGES_FILE)["languages"]) == LANGUAGES
    folders = {path.name for path in (RESOURCES_DIR / LANGUAGES_FOLDER).iterdir()}
    assert folders == set(LANGUAGES)
    assert declared.guard_languages == GUARD_LANGUAGES
    assert not set(GUARD_LANGUAGES) & set(LANGUAGES)


def test_the_detector_is_asked_only_about_languages_it_knows() -> None:
    candidates, detected_as = detector_candidates(LANGUAGES)
    assert all(hasattr(IsoCode639_1, code.upper()) for code in candidates)
    assert set(detected_as.values()) == set(LANGUAGES)


# --- a language added from data alone --------------------------------------------------


def test_a_language_added_as_data_is_declared(with_dummy: Path) -> None:
    declared = scan_languages(with_dummy)
    assert declared.codes == (*LANGUAGES, DUMMY)
    assert declared[DUMMY].name == "Dummy"
    assert declared[DUMMY].dates_path == with_dummy / LANGUAGES_FOLDER / DUMMY / DATES_FILE


def test_the_date_tagger_tags_a_language_added_as_data(with_dummy: Path) -> None:
    text = "Le consilio se reuniva le 5 Duodecimo 2024, e de novo in primo 2025."
    mentions = tag_dates(text, DUMMY, None, root=with_dummy)
    assert [(m["text"], m["timex"], m["end_date"]) for m in mentions] == [
        ("5 Duodecimo 2024", "2024-12-05", "2024-12-05"),
        ("primo 2025", "2025-01", "2025-01-31"),
    ]
    assert mentions[0]["start_date"] == "2024-12-05"
    assert text[mentions[0]["span_start"] : mentions[0]["span_end"]] == "5 Duodecimo 2024"
    # Undetermined text is tried with every declared language's rules, the new one too.
    assert tag_dates(text, "und", None, root=with_dummy) == mentions
    inferred = infer_document_date([Segment("body", None, text)], DUMMY, root=with_dummy)
    assert inferred is not None and inferred.date == datetime.date(2024, 12, 1)
    # The packaged declaration does not know the language: its text is undetermined.
    assert tag_dates(text, DUMMY, None) == []


def test_the_topic_annotator_uses_a_language_added_as_data(with_dummy: Path) -> None:
    annotator = LexiconTopicAnnotator.from_resources(with_dummy)
    result = annotator.annotate([Segment("title", None, "Le consilio del ambassadas")], DUMMY)
    assert result.primary_topic is not None
    assert INTERNATIONAL_RELATIONS in {topic["code"] for topic in result.topics}
    # Adding a lexicon changes the annotator's version: cached topics are not reused.
    assert annotator.version != LexiconTopicAnnotator.from_resources().version


def test_a_language_without_a_detector_model_is_never_detected(with_dummy: Path) -> None:
    languages = scan_languages(with_dummy).codes
    candidates, detected_as = detector_candidates(languages, with_dummy)
    assert candidates == detector_candidates(LANGUAGES)[0]
    assert DUMMY not in detected_as.values()
    text = "Relations between Vietnam and Japan have grown in trade and culture."
    assert detect_language([text], languages, with_dummy).language == "en"
    # Named explicitly, its script is the declared one.
    assert script_for(DUMMY, "Le consilio", with_dummy) == "Latn"


def test_a_declared_language_is_no_guard_language(resources: Path) -> None:
    add_files(resources, "de", DATES_FILE, TOPICS_FILE)
    for name in (DATES_FILE, TOPICS_FILE):
        path = resources / LANGUAGES_FOLDER / "de" / name
        write_json(path, {**read_json(path), "language": "de"})
    declare(resources, "de", {**DUMMY_ENTRY, "name": "German", "detector": "de"})
    declared = scan_languages(resources)
    assert "de" in declared.codes and "de" not in declared.guard_languages
    candidates, detected_as = detector_candidates(declared.codes, resources)
    assert candidates.count("de") == 1 and detected_as["de"] == "de"


# --- languages declared in part --------------------------------------------------------


def refused(root: Path) -> str:
    with pytest.raises(LanguageDataError) as error:
        scan_languages(root)
    return str(error.value)


def test_dates_without_topics_is_refused(resources: Path) -> None:
    add_files(resources, DUMMY, DATES_FILE)
    declare(resources, DUMMY, DUMMY_ENTRY)
    assert f"language '{DUMMY}' has dates.json but no topics.json" in refused(resources)


def test_topics_without_dates_is_refused(resources: Path) -> None:
    add_files(resources, DUMMY, TOPICS_FILE)
    declare(resources, DUMMY, DUMMY_ENTRY)
    assert f"language '{DUMMY}' has topics.json but no dates.json" in refused(resources)


def test_resources_without_an_entry_are_refused(resources: Path) -> None:
    add_files(resources, DUMMY, DATES_FILE, TOPICS_FILE)
    assert f"language '{DUMMY}' has resources but no entry in" in refused(resources)


def test_an_entry_without_resources_is_refused(resources: Path) -> None:
    declare(resources, DUMMY, DUMMY_ENTRY)
    message = refused(resources)
    assert f"language '{DUMMY}' is declared in" in message
    assert "but has no folder" in message


def test_an_entry_with_a_key_missing_is_refused(resources: Path) -> None:
    add_files(resources, DUMMY, DATES_FILE, TOPICS_FILE)
    declare(resources, DUMMY, {k: v for k, v in DUMMY_ENTRY.items() if k != "detector"})
    assert f"language '{DUMMY}': no detector" in refused(resources)


def test_a_file_among_the_language_folders_is_refused(resources: Path) -> None:
    write_json(resources / LANGUAGES_FOLDER / "de.json", DUMMY_DATES)
    assert "de.json: not a language folder" in refused(resources)


def test_every_problem_is_named_at_once(resources: Path) -> None:
    add_files(resources, DUMMY, DATES_FILE)
    shutil.rmtree(resources / LANGUAGES_FOLDER / "sv")
    message = refused(resources)
    assert f"'{DUMMY}' has dates.json but no topics.json" in message
    assert "language 'sv' is declared in" in message


def test_bad_values_are_refused(resources: Path) -> None:
    add_files(resources, DUMMY, DATES_FILE, TOPICS_FILE)
    declare(resources, DUMMY, {**DUMMY_ENTRY, "script": ["Latn", "Cyrl"], "topic_folding": "x"})
    message = refused(resources)
    assert "'script' can only choose between" in message
    assert "'topic_folding' must be one of" in message


def test_a_resource_of_another_language_is_refused(resources: Path) -> None:
    add_files(resources, DUMMY, DATES_FILE, TOPICS_FILE)
    declare(resources, DUMMY, DUMMY_ENTRY)
    write_json(resources / LANGUAGES_FOLDER / DUMMY / DATES_FILE, {**DUMMY_DATES, "language": "sv"})
    with pytest.raises(LanguageDataError, match="'language' is 'sv', not 'qaa'"):
        tag_dates("5 primo 2024", DUMMY, None, root=resources)


def test_a_missing_languages_file_is_refused(resources: Path) -> None:
    (resources / LANGUAGES_FILE).unlink()
    assert "no languages data file" in refused(resources)
