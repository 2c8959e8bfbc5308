"""`dataset-builder init`: a new corpus that builds as itself, and published files that
follow the user's umask."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import yaml

from dataset_builder.cli import main
from dataset_builder.identity import load_identity, seed_identity
from tests.conftest import SEEDS

ARTICLE = "004_33f5a66664a9c512"


def _init_with_one_article(folder: Path) -> None:
    assert main(["init", str(folder)]) == 0
    for path in SEEDS.glob(f"{ARTICLE}.*"):
        shutil.copy(path, folder / "articles")


def _build(folder: Path) -> int:
    return main(["build", "--input", str(folder), "--no-cache", "--workers", "1"])


def test_init_writes_a_corpus_that_builds_as_itself(tmp_path: Path) -> None:
    corpus = tmp_path / "History Class 2026"
    _init_with_one_article(corpus)
    identity = load_identity(corpus / "dataset.toml")
    assert identity.name == "history-class-2026"
    assert (corpus / "README.md").is_file() and (corpus / "splits").is_dir()
    assert _build(corpus) == 0
    release = corpus / "release"
    seed = seed_identity()

    card = (release / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("---\n", 2)[1])
    assert (front["pretty_name"], front["version"]) == (identity.pretty_name, identity.version)
    assert f"`{identity.name}`, version **{identity.version}**" in card
    cff = yaml.safe_load((release / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["version"] == identity.version and identity.name in cff["title"]
    croissant = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    assert (croissant["name"], croissant["version"]) == (identity.name, identity.version)
    manifest = json.loads((release / "MANIFEST.json").read_text(encoding="utf-8"))
    assert (manifest["dataset"], manifest["version"]) == (identity.name, identity.version)
    citations = pl.read_parquet(release / "data" / "default" / "*.parquet")["citation"]
    assert citations.to_list() and all(identity.cited_as in c for c in citations.to_list())
    # Nothing of the seed dataset: its name, its statements about its own sources.
    published = card + json.dumps(croissant, ensure_ascii=False) + json.dumps(cff)
    published += "".join(citations.to_list())
    for seed_says in (
        seed.pretty_name,
        seed.name + " (",
        "critical or Japanese-side",
        "Vietnamese state media",
        "Vietnam–Japan relations",
        "No private individuals' data was collected",
    ):
        assert seed_says not in published, seed_says
    # The split assignment is the corpus's own.
    assert (corpus / "splits" / "assignments.tsv").read_text(encoding="utf-8").count(ARTICLE) == 1


def test_init_inside_the_folder_then_build_with_no_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    _init_with_one_article(corpus)
    monkeypatch.chdir(corpus)
    assert main(["build", "--no-cache", "--workers", "1"]) == 0
    assert (corpus / "release" / "MANIFEST.json").is_file()


def test_init_never_writes_into_a_folder_that_holds_something(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(taken)]) == 1
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
    a_file = tmp_path / "file"
    a_file.write_text("mine", encoding="utf-8")
    assert main(["init", str(a_file)]) == 1
    assert a_file.read_text(encoding="utf-8") == "mine"


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    mask: int = request.param
    previous = os.umask(mask)
    try:
        yield mask
    finally:
        os.umask(previous)


@pytest.mark.parametrize("umask", [0o022, 0o002], indirect=True)
def test_published_files_follow_the_umask(tmp_path: Path, umask: int) -> None:
    corpus = tmp_path / "corpus"
    _init_with_one_article(corpus)
    assert _build(corpus) == 0
    release = corpus / "release"
    paths = [release, *release.rglob("*")]
    modes = {p.relative_to(corpus).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in paths}
    wrong = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o777 if (corpus / name).is_dir() else 0o666) & ~umask
    }
    assert wrong == {}
    assert any(name.endswith(".parquet") for name in modes)
    for written in (corpus / "dataset.toml", corpus / "splits" / "assignments.tsv"):
        assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~umask
