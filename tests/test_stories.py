"""Copies of one story from different outlets are published, linked and kept in one split;
exact copies and near copies from the same outlet are duplicates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest

from dataset_builder.build.dedup import NEAR_DUPLICATE_THRESHOLD
from dataset_builder.build.orchestrator import BuildOptions, build
from dataset_builder.build.report import BuildReport
from dataset_builder.build.splits import load_assignments, split_for
from dataset_builder.build.stories import HeldRows, StoryLinks
from dataset_builder.publish.parquet import arrow_row, rows_to_table
from dataset_builder.release.stats import dataset_statistics
from dataset_builder.validate.contract import load_schema

# An invented wire story (no real outlet printed it) and its headline in another outlet.
HEADLINE = "Vietnam and Japan agree to train port technicians"
OTHER_HEADLINE = "Japan to help train 1,200 Vietnamese port technicians"
STORY = (
    "Vietnam and Japan on Thursday signed an agreement to train 1,200 port technicians over "
    "the next three years, officials from both countries said after a meeting in Hanoi. "
    "Under the plan, instructors from the port of Yokohama will teach courses in crane "
    "maintenance, cargo scheduling and harbour safety at three vocational colleges in Hai "
    "Phong, Da Nang and Ba Ria-Vung Tau. Japan's development agency will fund training "
    "equipment worth about 900 million yen, while Vietnam will provide classrooms and pay "
    "the living costs of the trainees. The first courses are due to start in September. "
    "The deputy transport minister said the programme would help Vietnamese ports handle "
    "larger container ships and cut waiting times for exporters. A spokesperson for the "
    "Japanese embassy said the two countries planned to review the programme in 2027 and "
    "could extend it to inland river ports if it proved successful."
)
UNRELATED = (
    "A photography exhibition on daily life in Hue and Kyoto opened at a cultural centre "
    "in Ho Chi Minh City on Saturday. Two photographers, one from each city, spent a year "
    "recording markets, temples, river boats and family kitchens, and their 80 prints hang "
    "side by side so that visitors can compare the two former imperial capitals."
)
WIRE = {"outlet": "Mekong Wire Service", "url": "https://wire.example.org/port-technicians"}
DAILY = {"outlet": "Harbour Daily", "url": "https://harbour-daily.example.com/2025/training"}


def _ids_in_two_splits() -> tuple[str, str]:
    """Two ids, the first smaller, whose own splits (by the rule) differ."""
    for n in range(100):
        first, second = f"story-a{n:02d}", f"story-b{n:02d}"
        if split_for(first) != split_for(second):
            return first, second
    raise AssertionError("no two ids in different splits")


FIRST, SECOND = _ids_in_two_splits()


def _article(folder: Path, name: str, title: str, body: str, meta: dict[str, str] | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    if meta is not None:
        (folder / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _pair(folder: Path) -> None:
    """The wire story, its copy in another outlet, and an unrelated article."""
    _article(folder, FIRST, HEADLINE, STORY, WIRE)
    _article(folder, SECOND, OTHER_HEADLINE, STORY, DAILY)
    _article(folder, "unrelated", "Hue and Kyoto in pictures", UNRELATED, DAILY)


def _build(tmp: Path, inputs: Path, **options: Any) -> tuple[pl.DataFrame, BuildReport]:
    splits = tmp / "splits"
    splits.mkdir(parents=True, exist_ok=True)
    release = tmp / "release"
    report = build(BuildOptions(input_dir=inputs, output_dir=release, splits_dir=splits, **options))
    rows = pl.read_parquet(release / "data" / "default" / "*.parquet")
    return rows.sort("id"), report


def _row(rows: pl.DataFrame, record_id: str) -> dict[str, Any]:
    return rows.filter(pl.col("id") == record_id).row(0, named=True)


def test_copies_from_two_outlets_are_kept_linked_both_ways_and_in_one_split(
    tmp_path: Path,
) -> None:
    _pair(tmp_path / "in")
    rows, report = _build(tmp_path, tmp_path / "in")
    first, second, unrelated = (_row(rows, i) for i in (FIRST, SECOND, "unrelated"))
    assert first["story_id"] == second["story_id"] == FIRST  # the smallest id
    assert first["story_copies"] == [SECOND] and second["story_copies"] == [FIRST]
    # The story's split is its id's, though the copy's own id would go elsewhere.
    assert first["split"] == second["split"] == split_for(FIRST) != split_for(SECOND)
    assert load_assignments(tmp_path / "splits")[SECOND] == split_for(FIRST)
    assert unrelated["story_id"] == "unrelated" and unrelated["story_copies"] == []
    totals = report.totals()
    assert (totals["published"], report.stories(), totals["duplicates"]) == (3, 2, 0)
    assert report.summary()["stories"] == 2
    # The report's counts per split follow the copy into its story's split.
    assert dict(report.published["default"]) == dict(rows.group_by("split").len().iter_rows())
    stories = dataset_statistics(tmp_path / "release")["stories"]
    assert stories == {
        "stories": 2,
        "with_copies": 1,
        "articles_with_copies": 2,
        "sizes": {1: 1, 2: 1},
    }
    card = (tmp_path / "release" / "README.md").read_text(encoding="utf-8")
    assert "3 articles tell 2 stories; 1 of the stories" in card


def test_near_copy_from_the_same_outlet_is_a_duplicate(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    _article(inputs, FIRST, HEADLINE, STORY, WIRE)
    updated = STORY.replace("over the next three years", "over the coming three years")
    _article(inputs, SECOND, HEADLINE, updated, {**WIRE, "url": WIRE["url"] + "?amp=1"})
    rows, report = _build(tmp_path, inputs)
    assert rows["id"].to_list() == [FIRST]
    (duplicate,) = list(report.duplicates)
    assert (duplicate["id"], duplicate["duplicate_of"], duplicate["kind"]) == (
        SECOND,
        FIRST,
        "near",
    )
    assert duplicate["similarity"] >= NEAR_DUPLICATE_THRESHOLD


def test_near_copies_without_outlets_are_duplicates(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    _article(inputs, FIRST, HEADLINE, STORY, None)
    _article(inputs, SECOND, OTHER_HEADLINE, STORY, DAILY)  # one outlet, nothing to compare
    rows, report = _build(tmp_path, inputs)
    assert rows["id"].to_list() == [FIRST]
    assert [d["kind"] for d in report.duplicates] == ["near"]


def test_exact_copy_from_another_outlet_is_a_duplicate(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    _article(inputs, FIRST, HEADLINE, STORY, WIRE)
    _article(inputs, SECOND, HEADLINE, STORY, DAILY)
    rows, report = _build(tmp_path, inputs)
    assert rows["id"].to_list() == [FIRST] and rows["story_copies"].to_list() == [[]]
    assert [(d["id"], d["kind"]) for d in report.duplicates] == [(SECOND, "exact")]


def test_drop_near_duplicates_drops_the_second_copy(tmp_path: Path) -> None:
    _pair(tmp_path / "in")
    rows, report = _build(tmp_path, tmp_path / "in", drop_near_duplicates=True)
    assert rows["id"].to_list() == [FIRST, "unrelated"]
    assert rows["story_id"].to_list() == rows["id"].to_list()
    assert rows["story_copies"].to_list() == [[], []]
    assert [(d["id"], d["duplicate_of"], d["kind"]) for d in report.duplicates] == [
        (SECOND, FIRST, "near")
    ]


def test_new_copy_joins_its_storys_committed_split_and_id(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    _article(inputs, SECOND, OTHER_HEADLINE, STORY, DAILY)
    _build(tmp_path, inputs)
    committed = load_assignments(tmp_path / "splits")[SECOND]
    # A copy arrives later under a smaller id: the story keeps its id and its split.
    _article(inputs, FIRST, HEADLINE, STORY, WIRE)
    rows, report = _build(tmp_path, inputs)
    assert rows["story_id"].to_list() == [SECOND, SECOND]
    assert rows["split"].to_list() == [committed, committed] != [split_for(FIRST)] * 2
    assert list(report.new_assignments) == [[FIRST, committed]]
    assert load_assignments(tmp_path / "splits") == {FIRST: committed, SECOND: committed}


def test_copies_committed_to_different_splits_keep_them_with_a_warning(tmp_path: Path) -> None:
    _pair(tmp_path / "in")
    splits = tmp_path / "splits"
    splits.mkdir()
    (splits / "assignments.tsv").write_text(
        f"id\tsplit\n{FIRST}\ttest\n{SECOND}\ttrain\nunrelated\ttrain\n", encoding="utf-8"
    )
    rows, report = _build(tmp_path, tmp_path / "in")
    assert (_row(rows, FIRST)["split"], _row(rows, SECOND)["split"]) == ("test", "train")
    assert _row(rows, SECOND)["story_id"] == FIRST
    (warning,) = [w for w in report.warnings if "[story-split]" in w]
    assert f"{SECOND} (train) and {FIRST} (test)" in warning
    assert load_assignments(splits) == {FIRST: "test", SECOND: "train", "unrelated": "train"}


def test_a_story_of_three_is_the_same_whatever_the_workers_batches_and_cache(
    tmp_path: Path,
) -> None:
    inputs = tmp_path / "in"
    _pair(inputs)
    third = STORY.replace("on Thursday", "on Thursday 13 March")
    _article(
        inputs, "story-c", "Port technicians to train in Yokohama", third, {"outlet": "Delta Post"}
    )
    for n in range(5):  # articles between the copies, so that batches cut across them
        _article(inputs, f"story-filler{n}", f"Notice {n}", f"{UNRELATED} Item {n}.", WIRE)

    def parquet(folder: Path) -> dict[str, bytes]:
        data = folder / "release" / "data"
        return {p.relative_to(data).as_posix(): p.read_bytes() for p in data.rglob("*.parquet")}

    rows, _ = _build(tmp_path / "one", inputs, workers=1, batch_size=256)
    _build(tmp_path / "two", inputs, workers=2, batch_size=1, cache_dir=tmp_path / "cache")
    _build(tmp_path / "three", inputs, workers=1, batch_size=2, cache_dir=tmp_path / "cache")
    assert parquet(tmp_path / "one") == parquet(tmp_path / "two") == parquet(tmp_path / "three")
    story = rows.filter(pl.col("story_id") == FIRST).sort("id")
    assert story["id"].to_list() == [FIRST, SECOND, "story-c"]
    assert story["story_copies"].to_list() == [
        [SECOND, "story-c"],
        [FIRST, "story-c"],
        [FIRST, SECOND],
    ]
    assert story["split"].unique().to_list() == [split_for(FIRST)]


class _ListSink:
    def __init__(self) -> None:
        self.written: list[tuple[str, str, list[dict[str, Any]]]] = []

    def write(self, config: str, split: str, rows: pa.Table) -> None:
        self.written.append((config, split, rows.to_pylist()))

    def close(self) -> dict[str, dict[str, list[str]]]:
        return {}

    def abort(self) -> None:
        pass


def test_held_rows_are_released_with_their_story_and_teasers_follow_their_article() -> None:
    articles = [
        {"id": i, "story_id": i, "story_copies": [], "split": split_for(i)}
        for i in (FIRST, "unrelated", SECOND)
    ]
    teasers = [{"id": f"{SECOND}-r01", "parent_id": SECOND, "split": split_for(SECOND)}]
    held, links, sink = HeldRows(), StoryLinks(), _ListSink()
    held.write("default", rows_to_table([arrow_row(a, "default") for a in articles], "default"))
    held.write("related", rows_to_table([arrow_row(t, "related") for t in teasers], "related"))
    links.add(FIRST, {FIRST: split_for(FIRST), SECOND: split_for(FIRST)})
    held.release(sink, links)
    held.close()
    links.close()
    story = split_for(FIRST)
    released = {
        (config, row["id"]): (split, row.get("story_id"), row.get("story_copies"))
        for config, split, rows in sink.written
        for row in rows
    }
    assert released == {
        ("default", FIRST): (story, FIRST, [SECOND]),
        ("default", SECOND): (story, FIRST, [FIRST]),
        ("default", "unrelated"): (split_for("unrelated"), "unrelated", []),
        ("related", f"{SECOND}-r01"): (story, None, None),
    }
    # Within a split, rows keep their publication order.
    order = [row["id"] for config, split, rows in sink.written if split == story for row in rows]
    assert order.index(FIRST) < order.index(SECOND)


def test_the_schema_states_the_threshold_the_build_uses() -> None:
    description = load_schema("article.schema.json")["properties"]["story_id"]["description"]
    assert f"MinHash similarity of at least {NEAR_DUPLICATE_THRESHOLD:g}" in description


@pytest.mark.parametrize("field", ["story_id", "story_copies"])
def test_story_fields_follow_content_sha256(field: str) -> None:
    names = list(load_schema("article.schema.json")["properties"])
    assert names.index(field) - names.index("content_sha256") in (1, 2)
