"""The card for people: Hub metadata that validates offline, links that resolve inside the
release, a data dictionary and worked example from a real record, and a figure that counts
articles, not mentions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from huggingface_hub import DatasetCard, DatasetCardData

from dataset_builder.build.report import BuildReport
from dataset_builder.release.card import LICENSE_FILE, example_records, licence_file
from dataset_builder.release.statements import licences, speaking_for
from dataset_builder.release.stats import dataset_statistics

# The allowed values of the Hub's dataset card metadata enums (hub-docs `datasetcard.md`
# and huggingface_hub's `DatasetCardData`); `RepoCard.validate` checks them online only.
HUB_ENUMS = {
    "annotations_creators": {
        "found",
        "crowdsourced",
        "expert-generated",
        "machine-generated",
        "no-annotation",
        "other",
    },
    "language_creators": {
        "found",
        "crowdsourced",
        "expert-generated",
        "machine-generated",
        "other",
    },
    "multilinguality": {"monolingual", "multilingual", "translation", "other"},
    "size_categories": {
        "n<1K",
        "1K<n<10K",
        "10K<n<100K",
        "100K<n<1M",
        "1M<n<10M",
        "10M<n<100M",
        "100M<n<1B",
        "1B<n<10B",
        "10B<n<100B",
        "100B<n<1T",
        "n>1T",
        "other",
    },
    "source_datasets": {"original", "extended"},
}
# Every key the Hub reads from a dataset card, and `version`, which `dataset-builder verify`
# compares with the manifest.
HUB_KEYS = {
    "pretty_name",
    "license",
    "license_name",
    "license_link",
    "language",
    "language_details",
    "multilinguality",
    "language_creators",
    "annotations_creators",
    "source_datasets",
    "size_categories",
    "task_categories",
    "task_ids",
    "tags",
    "configs",
    "dataset_info",
}
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2}|-[0-9]{3})?$")


def _card_text(release: Path) -> str:
    return (release / "README.md").read_text(encoding="utf-8")


def _front(release: Path) -> dict[str, Any]:
    front: dict[str, Any] = yaml.safe_load(_card_text(release).split("---\n", 2)[1])
    return front


def test_front_matter_is_valid_hub_metadata_offline(
    seed_release: tuple[Path, BuildReport],
) -> None:
    release, _ = seed_release
    card = DatasetCard.load(release / "README.md")  # a path: nothing is fetched
    data = card.data
    assert isinstance(data, DatasetCardData)
    front = _front(release)
    assert set(front) <= HUB_KEYS | {"version"}, set(front) - HUB_KEYS
    # DatasetCardData takes every key the card holds and gives them back unchanged.
    read_back = DatasetCardData(**front).to_dict()  # type: ignore[no-untyped-call]
    assert read_back == data.to_dict()  # type: ignore[no-untyped-call]
    for key, allowed in HUB_ENUMS.items():
        values = front[key] if isinstance(front[key], list) else [front[key]]
        assert set(values) <= allowed, (key, values)
    assert "language_bcp47" not in front
    assert front["language_details"] and all(BCP47.match(tag) for tag in front["language_details"])
    articles = pl.read_parquet(release / "data" / "default" / "*.parquet")
    assert front["language_details"] == sorted(
        f"{language}-{script}" if script else language
        for language, script in articles.select("language", "script").unique().iter_rows()
        if language != "und"
    )
    # The release holds only machine-made annotations.
    assert front["annotations_creators"] == ["machine-generated"]
    assert front["license"] == "other"
    assert front["license_link"] == LICENSE_FILE
    assert (release / front["license_link"]).is_file()
    assert {config["config_name"] for config in front["configs"]} == {
        info["config_name"] for info in front["dataset_info"]
    }


def test_every_relative_link_resolves_inside_the_release(
    seed_release: tuple[Path, BuildReport],
) -> None:
    release, _ = seed_release
    text = _card_text(release)
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    relative = [link for link in links if not re.match(r"^[a-z]+:", link)]
    assert relative, "the card links no file of the release"
    for link in relative:
        if link.startswith("#"):
            heading = link[1:].replace("-", " ")
            assert re.search(rf"^#+ {heading}$", text, re.M | re.I), link
            continue
        target = (release / link).resolve()
        assert target.is_relative_to(release.resolve()) and target.exists(), link


def test_licence_file_states_every_licence(seed_release: tuple[Path, BuildReport]) -> None:
    release, report = seed_release
    identity = report.identity
    assert identity is not None
    text = (release / LICENSE_FILE).read_text(encoding="utf-8")
    assert text == licence_file(identity)
    with speaking_for(identity):
        for licence in licences():
            assert licence["name"] in text
            assert licence.get("url", "") in text
    assert "CC BY 4.0" in text
    manifest = (release / "MANIFEST.json").read_text(encoding="utf-8")
    assert f'"{LICENSE_FILE}"' in manifest


def test_data_dictionary_shows_values_of_a_real_record(
    seed_release: tuple[Path, BuildReport],
) -> None:
    release, _ = seed_release
    article, teaser = example_records(release)
    assert article is not None and teaser is not None
    frame = pl.read_parquet(release / "data" / "default" / "*.parquet")
    lengths = frame.select("id", pl.col("body").str.len_chars().alias("n")).sort("n", "id")
    assert article["id"] == lengths["id"][0]
    assert teaser["parent_id"] == article["id"]
    text = _card_text(release)
    dictionary = text.split("## What is in a record", 1)[1].split("### A worked example", 1)[0]
    rows = {
        line.split(" | ")[0].strip("| `"): line.split(" | ")[2]
        for line in dictionary.splitlines()
        if line.startswith("| `")
    }
    assert rows["language"] == article["language"]
    assert rows["published_date"] == article["published_date"].isoformat()
    assert rows["split"] == article["split"]
    assert rows["topics[].code"] == article["topics"][0]["code"]
    example = text.split("### A worked example", 1)[1].split("\n## ", 1)[0]
    assert f'"id": "{article["id"]}"' in example
    assert '"body": "' + article["body"][:20] in example and "…" in example


def test_figure_counts_articles_not_mentions(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    stats = dataset_statistics(release)
    per_year = stats["event_dates"]["article_years"]
    frame = pl.read_parquet(release / "data" / "default" / "*.parquet")
    mentions = (
        frame.select("id", "language", "event_dates")
        .explode("event_dates")
        .drop_nulls("event_dates")
        .select("id", "language", pl.col("event_dates").struct.field("start_date").dt.year())
        .drop_nulls()
    )
    expected = mentions.unique().group_by("language", "start_date").len()
    assert per_year == {(lang, year): n for lang, year, n in expected.iter_rows()}
    # Some article names a year more than once, and counts once for it.
    assert mentions.height > sum(per_year.values())
    caption = _card_text(release).split("![Years the articles speak of]", 1)[1]
    assert "An article counts once per year" in caption.split("\n\n", 2)[1]


def test_figure_bytes_are_the_same_for_the_same_data(
    seed_release: tuple[Path, BuildReport], tmp_path: Path
) -> None:
    from dataset_builder.release.figure import TIMELINE, draw_timeline

    release, _ = seed_release
    per_year = dataset_statistics(release)["event_dates"]["article_years"]
    first = draw_timeline(tmp_path / "a", per_year).read_bytes()
    second = draw_timeline(tmp_path / "b", per_year).read_bytes()
    assert first == second == (release / TIMELINE).read_bytes()
