"""The published folder describes and verifies itself: card, citation, manifest."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import polars as pl
import pytest
import yaml

import dataset_builder
from dataset_builder.build.report import BuildReport
from dataset_builder.cli import main
from dataset_builder.release.measurements import load_benchmark
from dataset_builder.release.statements import languages_and_outlets
from tests.conftest import ROOT

CARD_SECTIONS = [
    "# Vietnam–Japan Relations News",
    "## Key facts",
    "## Load it",
    "## Cite it",
    "## What is in a record",
    "### A worked example",
    "## Glossary",
    "## What you can teach with it",
    "## Limitations",
    "### How accurate the annotations are",
    "### Personal and sensitive information",
    "## Splits",
    "## How it was made",
    "## Files",
    "## Licensing",
    "## Maintenance",
    "## Citation",
]


def _card(release: Path) -> tuple[dict[str, object], str]:
    text = (release / "README.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def _table_after(body: str, heading: str, first_column: str) -> dict[str, int]:
    """The `| key | count | share |` rows of the first table whose header starts with `first_column`."""
    section = body.split(heading, 1)[1]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_column}"))
    rows: dict[str, int] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = int(cells[1])
    return rows


def test_card_has_every_section(seed_release: tuple[Path, BuildReport]) -> None:
    _, body = _card(seed_release[0])
    positions = [body.index(section + "\n") for section in CARD_SECTIONS]
    assert positions == sorted(positions)


def test_card_front_matter_matches_the_data(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    front, _ = _card(release)
    assert front["pretty_name"] == "Vietnam–Japan Relations News"
    assert front["version"] == dataset_builder.__version__
    infos = {info["config_name"]: info for info in front["dataset_info"]}  # type: ignore[attr-defined]
    for config in ("default", "related"):
        for split in infos[config]["splits"]:
            frame = pl.read_parquet(release / "data" / config / f"{split['name']}-*.parquet")
            assert split["num_examples"] == frame.height
    articles = pl.read_parquet(release / "data" / "default" / "*.parquet")
    languages = front["language"]
    assert isinstance(languages, list)
    assert sorted(languages) == sorted(articles["language"].unique().to_list())


def test_card_numbers_equal_the_data(seed_release: tuple[Path, BuildReport]) -> None:
    release, report = seed_release
    _, body = _card(release)
    articles = pl.read_parquet(release / "data" / "default" / "*.parquet")
    related = pl.read_parquet(release / "data" / "related" / "*.parquet")
    assert f"**{articles.height} articles**" in body
    assert f"**{related.height} related-article teasers**" in body

    languages = _table_after(body, "## Limitations", "language")
    expected_tags = articles.group_by("language", "script").len()
    assert {k.split(" ")[0]: v for k, v in languages.items()} == {
        f"{language}-{script}" if script else language: n
        for language, script, n in expected_tags.iter_rows()
    }
    outlets = _table_after(body, "## Limitations", "outlet")
    assert outlets == dict(articles.group_by("outlet").len().iter_rows())
    known_languages = articles.filter(pl.col("language") != "und")["language"].n_unique()
    known_outlets = articles["outlet"].drop_nulls().n_unique()
    assert f"in {known_languages} language(s) from {known_outlets} outlet(s)" in body

    split_section = body.split("## Splits", 1)[1]
    for config, frame in (("default", articles), ("related", related)):
        row = re.search(rf"^\| {config} \| (\d+) \| (\d+) \| (\d+) \|$", split_section, re.M)
        assert row is not None
        counts = dict(frame.group_by("split").len().iter_rows())
        assert [int(n) for n in row.groups()] == [
            counts.get(s, 0) for s in ("train", "validation", "test")
        ]

    years = _table_after(body, "## Limitations", "year of publication")
    expected_years: dict[str, int] = {}
    for date, source in articles.select("published_date", "published_date_source").iter_rows():
        key = (
            "unknown"
            if date is None
            else str(date.year) + (" (inferred)" if source == "inferred" else "")
        )
        expected_years[key] = expected_years.get(key, 0) + 1
    assert years == expected_years

    without_topic = articles.filter(pl.col("primary_topic").is_null()).height
    without_dates = articles.filter(pl.col("event_dates").list.len() == 0).height
    without_published = articles.filter(pl.col("published_date").is_null()).height
    assert (
        f"Of {articles.height} articles, {without_topic} have no topic, {without_dates} no "
        f"event date and {without_published} no publication date."
    ) in body

    totals = report.totals()
    assert (
        f"offered {totals['articles_offered']} article(s): {totals['published']} published, "
        f"{totals['rejected']} rejected, {totals['duplicates']} duplicate(s)"
    ) in body


def test_card_does_not_count_undetermined_language_or_missing_outlet() -> None:
    assert languages_and_outlets({"zh": 4, "und": 1}, {"VNA": 3, "unknown": 2}) == (
        "1 language(s) from 1 outlet(s) (1 article(s) in an undetermined language; "
        "2 with no outlet recorded)"
    )
    assert languages_and_outlets({"zh": 4, "sv": 1}, {"VNA": 5}) == (
        "2 language(s) from 1 outlet(s)"
    )


def test_card_accuracy_figures_come_from_the_benchmarks(
    seed_release: tuple[Path, BuildReport],
) -> None:
    _, body = _card(seed_release[0])
    topics = load_benchmark("topics")
    if topics is None:
        assert "Topic accuracy has not been measured" in body
    else:
        assert f"primary-topic accuracy **{topics['primary_accuracy']:.2f}**" in body
        assert f"macro-F1 over top-level codes **{topics['macro_f1']:.2f}**" in body
    dates = load_benchmark("dates")
    if dates is None:
        assert "Event-date accuracy has not been measured" in body
    else:
        assert f"| this tagger | {dates['tagger']['strict_f1']:.3f} |" in body
        assert f"| dateparser.search_dates | {dates['dateparser']['strict_f1']:.3f} |" in body
    accuracy = body.split("### How accurate the annotations are", 1)[1].split("\n### ", 1)[0]
    for language, row in ((dates or {}).get("development") or {}).items():
        tagger = row["tagger"]
        cell = f"{tagger['span_f1']:.2f} / {tagger['value_f1']:.2f} ({row['expressions']})"
        assert re.search(rf"^\| {language} \|.*\| {re.escape(cell)} \|$", accuracy, re.M)
    # Seed figures are said to be in-sample, development figures tuned on.
    assert "in-sample" in accuracy and "tuned on" in accuracy


def test_figure_is_a_valid_png(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    _, body = _card(release)
    [link] = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", body)
    data = (release / link).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data[12:16] == b"IHDR" and data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 100 and height > 100


def test_citation_cff_validates_and_matches_the_build(
    seed_release: tuple[Path, BuildReport],
) -> None:
    release, _ = seed_release
    schema = json.loads(
        (ROOT / "tests" / "schemas" / "citation-file-format-1.2.0.schema.json").read_text()
    )
    built = (release / "CITATION.cff").read_text(encoding="utf-8")
    document = yaml.safe_load(built)
    # YAML reads the release date as a date; CFF's schema wants the ISO string.
    document["date-released"] = str(document["date-released"])
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["type"] == "dataset"
    assert document["version"] == dataset_builder.__version__
    assert (ROOT / "CITATION.cff").read_text(encoding="utf-8") == built


def test_verify_passes_then_names_a_changed_file(
    tmp_path: Path, seed_release: tuple[Path, BuildReport], capsys: pytest.CaptureFixture[str]
) -> None:
    release = tmp_path / "copy"
    shutil.copytree(seed_release[0], release)
    assert main(["verify", str(release)]) == 0
    parquet = release / "data" / "default" / "train-00000-of-00001.parquet"
    data = bytearray(parquet.read_bytes())
    data[len(data) // 2] ^= 0x01
    parquet.write_bytes(bytes(data))
    (release / "notes.txt").write_text("extra", encoding="utf-8")
    (release / "rejects.jsonl").unlink()
    capsys.readouterr()
    assert main(["verify", str(release)]) == 1
    out = capsys.readouterr().out
    assert "changed: data/default/train-00000-of-00001.parquet" in out
    assert "extra: notes.txt" in out
    assert "missing: rejects.jsonl" in out


def test_manifest_lists_every_file_and_input(seed_release: tuple[Path, BuildReport]) -> None:
    release, report = seed_release
    manifest = json.loads((release / "MANIFEST.json").read_text(encoding="utf-8"))
    files = sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())
    assert sorted([*manifest["files"], "MANIFEST.json"]) == files
    assert manifest["inputs"] == {i["file"]: i["sha256"] for i in report.inputs}
    assert manifest["version"] == dataset_builder.__version__


def test_cite_the_dataset_and_one_article(
    seed_release: tuple[Path, BuildReport], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cite", "--format", "bibtex"]) == 0
    bibtex = capsys.readouterr().out
    assert bibtex.startswith("@misc{") and f"version = {{{dataset_builder.__version__}}}" in bibtex
    assert main(["cite", "--format", "apa"]) == 0
    assert f"(Version {dataset_builder.__version__}) [Data set]." in capsys.readouterr().out
    release, _ = seed_release
    assert main(["cite", "--id", "004_33f5a66664a9c512", "--release", str(release)]) == 0
    out = capsys.readouterr().out
    assert "Vietnam.vn. (2025, November 27). Det omfattande strategiska partnerskapet" in out
    assert "@article{004_33f5a66664a9c512," in out and "year = {2025}" in out
    assert main(["cite", "--id", "no-such-id", "--release", str(release)]) == 1


def test_every_record_carries_a_citation(seed_release: tuple[Path, BuildReport]) -> None:
    articles = pl.read_parquet(seed_release[0] / "data" / "default" / "*.parquet")
    for record_id, citation in articles.select("id", "citation").iter_rows():
        assert citation.endswith(f"record {record_id}.")
        assert f"Version {dataset_builder.__version__}" in citation


def test_version_is_the_same_everywhere(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    version = dataset_builder.__version__
    report = json.loads((release / "build_report.json").read_text(encoding="utf-8"))
    assert report["version"] == version
    assert (
        yaml.safe_load((release / "CITATION.cff").read_text(encoding="utf-8"))["version"] == version
    )
    assert f"version **{version}**" in (release / "README.md").read_text(encoding="utf-8")
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
