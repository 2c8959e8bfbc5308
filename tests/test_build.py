"""The seeds build into a folder that datasets and Polars load, the same bytes every time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import datasets
import polars as pl
import pytest

from dataset_builder.build.report import BuildError, BuildReport
from dataset_builder.build.splits import load_assignments, split_for
from dataset_builder.cli import main
from dataset_builder.validate.contract import arrow_schema, hf_features_dict, hf_yaml_features
from tests.conftest import ROOT, SEEDS, build_copy

SEED_IDS = sorted(p.name.removesuffix(".txt") for p in SEEDS.glob("*.txt"))


def test_load_dataset_gives_three_splits_with_schema_features(
    seed_release: tuple[Path, BuildReport],
) -> None:
    release, _ = seed_release
    loaded = datasets.load_dataset(str(release))
    assert set(loaded) == {"train", "validation", "test"}
    ids = [i for split in loaded.values() for i in split["id"]]
    assert sorted(ids) == SEED_IDS
    for split in loaded.values():
        assert split.features == datasets.Features.from_dict(hf_features_dict("default"))


@pytest.mark.parametrize("config", ["default", "related"])
def test_written_out_features_are_what_datasets_derives_from_the_arrow_schema(
    config: str,
) -> None:
    expected = datasets.Features.from_arrow_schema(arrow_schema(config))
    assert hf_features_dict(config) == expected.to_dict()
    yaml_dict = datasets.DatasetInfo(features=expected)._to_yaml_dict()
    assert hf_yaml_features(config) == yaml_dict["features"]


def test_related_configuration_loads(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    related = datasets.load_dataset(str(release), "related")
    assert set(related) == {"train", "validation", "test"}
    rows = [row for split in related.values() for row in split]
    assert rows and all(row["parent_id"] in SEED_IDS for row in rows)
    assert len({row["id"] for row in rows}) == len(rows)
    parents = load_assignments(ROOT / "splits")
    for split_name, split in related.items():
        for row in split:
            assert row["split"] == split_name == parents[row["parent_id"]]


def test_polars_reads_typed_columns(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    frame = pl.read_parquet(release / "data" / "default" / "*.parquet")
    assert frame.schema["published_date"] == pl.Date
    assert frame.schema["language"] == pl.String
    assert frame.schema["captions"] == pl.List(pl.String)
    event = frame.schema["event_dates"]
    assert isinstance(event, pl.List) and isinstance(event.inner, pl.Struct)
    assert dict(event.inner.to_schema())["start_date"] == pl.Date
    swedish = frame.filter(pl.col("id") == "004_33f5a66664a9c512").row(0, named=True)
    assert str(swedish["published_date"]) == "2025-11-27"
    assert swedish["published_date_source"] == "explicit"
    assert swedish["original_url"].startswith("https://baotintuc.vn/")
    assert swedish["translated_from"] == "vi"


def test_language_of_each_seed(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    frame = pl.read_parquet(release / "data" / "default" / "*.parquet").sort("id")
    languages = dict(
        zip(frame["id"], zip(frame["language"], frame["script"], strict=True), strict=True)
    )
    assert languages == {
        "000_7e4abb51d367e3c2": ("zh", "Hans"),
        "001_595f845f27c271e1": ("zh", "Hans"),
        "002_5a876704dde407d5": ("zh", "Hans"),
        "003_74631ee4741cf324": ("zh", "Hans"),
        "004_33f5a66664a9c512": ("sv", "Latn"),
    }


def test_splits_follow_the_committed_assignment(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    committed = load_assignments(ROOT / "splits")
    frame = pl.read_parquet(release / "data" / "default" / "*.parquet")
    for record_id, split in zip(frame["id"], frame["split"], strict=True):
        assert committed[record_id] == split


def test_build_report_accounts_for_every_input(seed_release: tuple[Path, BuildReport]) -> None:
    release, report = seed_release
    data = json.loads((release / "build_report.json").read_text(encoding="utf-8"))
    assert [i["file"] for i in data["inputs"]] == [f"{i}.txt" for i in SEED_IDS]
    for item in data["inputs"]:
        digest = __import__("hashlib").sha256((SEEDS / item["file"]).read_bytes()).hexdigest()
        assert item["sha256"] == digest
        assert item["outcomes"] == {"published": 1}
    assert data["totals"]["published"] == len(SEED_IDS)
    assert data["version"] == __import__("dataset_builder").__version__
    assert report.totals()["rejected"] == 0


def test_two_builds_give_identical_bytes(
    tmp_path: Path, seed_release: tuple[Path, BuildReport]
) -> None:
    first, _ = seed_release
    second, _ = build_copy(tmp_path)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_dataset_card_is_up_to_date(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    committed = (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")
    built = (release / "README.md").read_text(encoding="utf-8")
    assert committed == built, "DATASET_CARD.md is out of date: run `nox -s build`"


def _bad_input(tmp_path: Path) -> Path:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(SEEDS / "004_33f5a66664a9c512.txt", inputs / "good.txt")
    (inputs / "articles.jsonl").write_text(
        json.dumps({"id": "Bad id!", "title": "A title", "body": "Some body text."}) + "\n",
        encoding="utf-8",
    )
    return inputs


def test_record_breaking_the_schema_is_rejected_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as failure:
        build_copy(tmp_path, _bad_input(tmp_path), prune=True)
    report = failure.value.report
    assert report is not None
    [reject] = report.rejects
    assert reject.one_line().startswith("articles.jsonl:1: $.id: 'Bad id!' does not match")
    assert reject.one_line().endswith("[pattern]")
    assert "\n" not in reject.one_line()
    assert not (tmp_path / "release").exists()


def test_allow_rejects_publishes_the_rest_and_lists_rejects(tmp_path: Path) -> None:
    release, report = build_copy(tmp_path, _bad_input(tmp_path), prune=True, allow_rejects=True)
    assert report.totals()["published"] == 1
    rejects = [json.loads(line) for line in (release / "rejects.jsonl").read_text().splitlines()]
    assert [(r["file"], r["field"], r["rule"]) for r in rejects] == [
        ("articles.jsonl", "$.id", "pattern")
    ]


def test_validate_command_reports_without_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = _bad_input(tmp_path)
    status = main(
        ["validate", "--input", str(inputs), "--splits", str(tmp_path / "s"), "--workers", "1"]
    )
    assert status == 1
    out = capsys.readouterr().out
    assert "articles.jsonl:1: $.id:" in out and "[pattern]" in out
    assert not (tmp_path / "s").exists()


def test_added_article_keeps_existing_splits(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(SEEDS, inputs)
    (inputs / "new-article.txt").write_text(
        "Vietnam and Japan open a new air route\n\nThe two countries agreed on 3 March 2026 "
        "to open a direct route between Da Nang and Osaka.\n",
        encoding="utf-8",
    )
    before = load_assignments(ROOT / "splits")
    _, report = build_copy(tmp_path, inputs)
    after = load_assignments(tmp_path / "splits")
    assert {k: after[k] for k in before} == before
    assert after["new-article"] == split_for("new-article")
    assert dict(report.new_assignments) == {"new-article": split_for("new-article")}


def test_missing_id_fails_unless_pruned(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(SEEDS / "004_33f5a66664a9c512.txt", inputs)
    with pytest.raises(BuildError, match="lists 4 id"):
        build_copy(tmp_path, inputs)
    build_copy(tmp_path, inputs, prune=True)
    assert set(load_assignments(tmp_path / "splits")) == {"004_33f5a66664a9c512"}


def test_validate_accepts_prune_and_leaves_the_assignment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs, splits = tmp_path / "inputs", tmp_path / "splits"
    inputs.mkdir()
    shutil.copy(SEEDS / "004_33f5a66664a9c512.txt", inputs)
    shutil.copytree(ROOT / "splits", splits)
    before = (splits / "assignments.tsv").read_bytes()
    command = ["validate", "--input", str(inputs), "--splits", str(splits), "--workers", "1"]
    assert main(command) == 1
    assert "--prune" in capsys.readouterr().err
    assert main([*command, "--prune"]) == 0
    assert (splits / "assignments.tsv").read_bytes() == before
    out = capsys.readouterr().out
    assert "1 publishable" in out and "published" not in out and "(nothing written)" in out


def test_annotate_command_prints_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "Relationerna mellan Vietnam och Japan har stärkts under året.", encoding="utf-8"
    )
    assert main(["annotate", str(path)]) == 0
    [line] = capsys.readouterr().out.splitlines()
    result = json.loads(line)
    assert result["file"] == str(path)
    assert (result["language"], result["script"]) == ("sv", "Latn")
    assert {"topics", "primary_topic", "event_dates", "language_confidence"} <= set(result)


def test_fast_check_never_accepts_what_jsonschema_rejects(
    seed_release: tuple[Path, BuildReport],
) -> None:
    from dataset_builder.release.stats import find_record
    from dataset_builder.validate.contract import is_valid, validator

    record = find_record(seed_release[0], "004_33f5a66664a9c512")
    assert record is not None
    record["event_dates"] = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in e.items()}
        for e in record["event_dates"]
    ]
    assert is_valid("article.schema.json", record)
    assert not list(validator("article.schema.json").iter_errors(record))
    broken = [
        {**record, "title": ""},
        {**record, "split": "dev"},
        {**record, "published_date": "2025-02-30"},
        {**record, "language": "swe"},
        {**record, "extra": 1},
        {**record, "id": record["id"] + "\n"},  # `$` in the pattern is the very end
        {**record, "topics": [{**record["topics"][0], "code": "medtop:99999999"}]},
        {**record, "event_dates": [{**record["event_dates"][0], "granularity": "era"}]},
    ]
    for instance in broken:
        assert not is_valid("article.schema.json", instance)
        assert list(validator("article.schema.json").iter_errors(instance))
