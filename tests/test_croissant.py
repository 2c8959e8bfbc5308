"""The Croissant metadata of a built folder validates offline and describes its files."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import mlcroissant
import pyarrow as pa
import pytest

from dataset_builder.build.report import BuildReport
from dataset_builder.config import CONFIGS
from dataset_builder.identity import seed_identity
from dataset_builder.release.card import release_date
from dataset_builder.release.croissant import croissant_metadata
from dataset_builder.release.stats import dataset_statistics, read_config
from dataset_builder.validate.contract import CONFIG_SCHEMAS, arrow_schema, load_schema
from tests.conftest import SEEDS

SEED_IDS = sorted(p.name.removesuffix(".txt") for p in SEEDS.glob("*.txt"))

JsonLd = dict[str, Any]


@pytest.fixture(scope="module")
def published(seed_release: tuple[Path, BuildReport]) -> tuple[Path, JsonLd]:
    """The seed release and the `croissant.json` its build wrote."""
    release, _ = seed_release
    return release, json.loads((release / "croissant.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dataset(published: tuple[Path, JsonLd]) -> Any:
    folder, _ = published
    return mlcroissant.Dataset(jsonld=folder / "croissant.json")


def _parquet_files(folder: Path) -> list[Path]:
    return sorted((folder / "data").rglob("*.parquet"))


def _text(value: Any) -> Any:
    # mlcroissant yields sc:Text values as UTF-8 bytes.
    return value.decode("utf-8") if isinstance(value, bytes) else value


def test_validates_without_errors_or_warnings(
    published: tuple[Path, JsonLd], caplog: pytest.LogCaptureFixture
) -> None:
    folder, _ = published
    with caplog.at_level(logging.WARNING):
        loaded = mlcroissant.Dataset(jsonld=folder / "croissant.json")
    issues = loaded.metadata.ctx.issues
    assert not issues.errors, issues.report()
    assert not issues.warnings, issues.report()
    # A non-standard @context is reported through logging, not through the issues.
    croissant_logs = [r.getMessage() for r in caplog.records if "mlcroissant" in r.pathname]
    assert not croissant_logs


def test_dataset_properties(published: tuple[Path, JsonLd]) -> None:
    folder, metadata = published
    stats = dataset_statistics(folder)
    assert metadata["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    assert metadata["name"] == seed_identity().name
    assert metadata["version"] == seed_identity().version
    assert metadata["inLanguage"] == [code for code in stats["languages"] if code != "und"]
    assert f"{stats['articles']} articles" in metadata["description"]
    for key in (
        "rai:dataCollection",
        "rai:dataCollectionType",
        "rai:dataBiases",
        "rai:dataLimitations",
        "rai:personalSensitiveInformation",
        "rai:dataUseCases",
        "rai:dataAnnotationProtocol",
    ):
        assert metadata[key], key


def test_lists_every_parquet_file_with_its_checksum(published: tuple[Path, JsonLd]) -> None:
    folder, metadata = published
    file_objects = [n for n in metadata["distribution"] if n["@type"] == "cr:FileObject"]
    expected = [path.relative_to(folder).as_posix() for path in _parquet_files(folder)]
    assert [n["contentUrl"] for n in file_objects] == expected
    for node in file_objects:
        content = (folder / node["contentUrl"]).read_bytes()
        assert node["sha256"] == hashlib.sha256(content).hexdigest()
        assert node["contentSize"] == f"{len(content)} B"
        assert node["encodingFormat"] == "application/x-parquet"


def test_is_the_same_for_the_same_data_anywhere(
    published: tuple[Path, JsonLd], seed_release: tuple[Path, BuildReport], tmp_path: Path
) -> None:
    folder, metadata = published
    _, report = seed_release
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(folder, elsewhere)
    again = croissant_metadata(
        elsewhere, report.summary(), dataset_statistics(elsewhere), release_date()
    )
    assert again == metadata
    assert str(folder) not in json.dumps(metadata, ensure_ascii=False)


@pytest.mark.parametrize("config", CONFIGS)
def test_record_set_has_one_field_per_schema_property(
    published: tuple[Path, JsonLd], config: str
) -> None:
    _, metadata = published
    (record_set,) = [rs for rs in metadata["recordSet"] if rs["@id"] == config]
    names = [field["name"] for field in record_set["field"]]
    assert names == list(load_schema(CONFIG_SCHEMAS[config])["properties"])
    for field, column in zip(record_set["field"], arrow_schema(config), strict=True):
        assert field["@id"] == f"{config}/{column.name}"
        assert field.get("isArray", False) == pa.types.is_list(column.type)
        if "subField" in field:
            members = column.type.value_type
            assert [sub["name"] for sub in field["subField"]] == [m.name for m in members]
        elif column.name == "split":  # read from the file name, so it can select files
            assert field["source"]["extract"] == {"fileProperty": "filename"}
        else:
            assert field["source"]["extract"] == {"column": column.name}


def test_record_set_types_follow_the_arrow_schema(published: tuple[Path, JsonLd]) -> None:
    _, metadata = published
    (articles,) = [rs for rs in metadata["recordSet"] if rs["@id"] == "default"]
    fields = {field["name"]: field for field in articles["field"]}
    assert fields["published_date"]["dataType"] == "sc:Date"
    assert fields["language_confidence"]["dataType"] == "sc:Float"
    assert fields["captions"]["dataType"] == "sc:Text"
    assert fields["captions"]["isArray"] is True
    topic = {sub["name"]: sub for sub in fields["topics"]["subField"]}
    assert topic["level"]["dataType"] == "sc:Integer"
    assert topic["evidence"]["isArray"] is True
    assert {sub["name"] for sub in topic["evidence"]["subField"]} >= {"term", "span_start"}
    event_date = {sub["name"]: sub for sub in fields["event_dates"]["subField"]}
    assert event_date["relative"]["dataType"] == "sc:Boolean"
    assert event_date["start_date"]["source"]["transform"] == {"jsonPath": "start_date"}


def test_records_of_default_yield_every_seed_id(
    published: tuple[Path, JsonLd], dataset: Any
) -> None:
    folder, _ = published
    records = list(dataset.records("default"))
    assert sorted(_text(record["default/id"]) for record in records) == SEED_IDS
    # Members of a list of structs are read back in order, so the topic codes match.
    expected_codes = {
        row["id"]: [topic["code"] for topic in row["topics"]]
        for row in read_config(folder, "default").iter_rows(named=True)
    }
    for record in records:
        codes = [_text(topic["default/topics/code"]) for topic in record["default/topics"]]
        assert codes == expected_codes[_text(record["default/id"])]


def test_records_of_related_match_the_parquet_files(
    published: tuple[Path, JsonLd], dataset: Any
) -> None:
    folder, _ = published
    ids = sorted(_text(record["related/id"]) for record in dataset.records("related"))
    assert ids == sorted(read_config(folder, "related")["id"].to_list())


def test_splits_are_a_split_record_set_the_split_fields_refer_to(
    published: tuple[Path, JsonLd], dataset: Any
) -> None:
    _, document = published
    record_sets = {node["@id"]: node for node in document["recordSet"]}
    splits = record_sets["splits"]
    assert splits["dataType"] == "cr:Split"
    meanings = {row["splits/name"]: row["splits/url"] for row in splits["data"]}
    assert meanings == {
        "train": "http://mlcommons.org/croissant/TrainingSplit",
        "validation": "http://mlcommons.org/croissant/ValidationSplit",
        "test": "http://mlcommons.org/croissant/TestSplit",
    }
    read = sorted(_text(record["splits/name"]) for record in dataset.records("splits"))
    assert read == sorted(meanings)
    for config in CONFIGS:
        [split] = [f for f in record_sets[config]["field"] if f["name"] == "split"]
        assert split["references"] == {"field": {"@id": "splits/name"}}


@pytest.mark.parametrize("config", CONFIGS)
def test_records_can_be_selected_by_split(
    published: tuple[Path, JsonLd], dataset: Any, config: str
) -> None:
    folder, _ = published
    frame = read_config(folder, config)
    for split in ("train", "validation", "test"):
        records = dataset.records(config, filters={f"{config}/split": split})
        ids = sorted(_text(record[f"{config}/id"]) for record in records)
        assert ids == sorted(frame.filter(frame["split"] == split)["id"].to_list())
