"""Streaming, parallel, sharded and incremental builds give the same data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import datasets
import polars as pl
import pytest

from dataset_builder.build.orchestrator import BuildOptions
from dataset_builder.build.report import BuildReport
from tests.conftest import ROOT, build_copy

sys.path.insert(0, str(ROOT))
from benchmarks.corpus import write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated pages, a JSON Lines file longer than a batch, and an input to reject."""
    folder = write_corpus(tmp_path_factory.mktemp("corpus") / "inputs", 60, seed=3)
    lines = [
        json.dumps(
            {
                "id": f"line-{n:02d}",
                "title": f"Artikel {n}",
                "body": f"Vietnam och Japan undertecknade avtal nummer {n} den {n % 28 + 1} mars 2025 "
                f"om {'handel' if n % 2 else 'utbildning'} och investeringar i provins {n}.",
            }
        )
        for n in range(25)
    ]
    (folder / "m-lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "n-empty.txt").write_bytes(b"")
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _build(tmp: Path, corpus: Path, **options: object) -> tuple[Path, BuildReport]:
    return build_copy(tmp, corpus, prune=True, allow_rejects=True, **options)


def test_output_is_the_same_whatever_the_workers_and_batches(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small row groups, so batches of 7 cut across them.
    monkeypatch.setattr("dataset_builder.publish.parquet.ROW_GROUP_SIZE", 10)
    one, report = _build(tmp_path / "one", corpus, workers=1, batch_size=256)
    two, _ = _build(tmp_path / "two", corpus, workers=2, batch_size=7)
    assert report.totals()["rejected"] == 1 and report.totals()["duplicates"] > 0
    assert _files(one) == _files(two)


def test_unchanged_articles_come_from_the_cache(tmp_path: Path, corpus: Path) -> None:
    cache = tmp_path / "cache"
    first, _ = _build(tmp_path / "a", corpus, cache_dir=cache)
    builder_options = BuildOptions(
        input_dir=corpus,
        output_dir=tmp_path / "b" / "release",
        splits_dir=tmp_path / "a" / "splits",
        prune=True,
        allow_rejects=True,
        cache_dir=cache,
    )
    from dataset_builder.build.orchestrator import Build

    second = Build(builder_options)
    second.run()
    assert second.cache is not None
    totals = second.report.totals()
    # Every article that reached annotation the first time (all but the empty file).
    assert second.cache.hits == totals["published"] + totals["duplicates"]
    # Everything but the report (and the manifest that hashes it), which differs only in
    # listing no new split assignments the second time.
    different = {
        name
        for name, data in _files(first).items()
        if _files(tmp_path / "b" / "release").get(name) != data
    }
    assert different == {"build_report.json", "MANIFEST.json"}
    assert len(second.report.new_assignments) == 0


def test_large_build_is_sharded_and_every_shard_listed(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shards turn over at row-group boundaries; small groups make a small corpus shard.
    monkeypatch.setattr("dataset_builder.publish.parquet.ROW_GROUP_SIZE", 4)
    release, report = _build(tmp_path, corpus, shard_bytes=20_000, batch_size=8)
    shards = sorted((release / "data" / "default").glob("train-*.parquet"))
    assert len(shards) > 1
    count = len(shards)
    assert [p.name for p in shards] == [
        f"train-{i:05d}-of-{count:05d}.parquet" for i in range(count)
    ]
    card = (release / "README.md").read_text(encoding="utf-8")
    manifest = json.loads((release / "MANIFEST.json").read_text(encoding="utf-8"))
    for shard in shards:
        name = shard.relative_to(release).as_posix()
        assert f"- {name}" in card
        assert name in manifest["files"]
    loaded = datasets.load_dataset(str(release))
    assert (
        loaded["train"].num_rows
        == pl.read_parquet(shards).height
        == report.published["default"]["train"]
    )


def test_memory_holds_only_inputs_in_flight(tmp_path: Path, corpus: Path) -> None:
    from dataset_builder.build.orchestrator import Build

    builder = Build(
        BuildOptions(
            input_dir=corpus,
            output_dir=tmp_path / "release",
            splits_dir=tmp_path / "s",
            prune=True,
            allow_rejects=True,
            batch_size=5,
            workers=1,
        )
    )
    seen_open: list[int] = []
    original = builder._publish

    def watch(pending: object) -> None:
        original(pending)  # type: ignore[arg-type]
        seen_open.append(len(builder.report.inputs._open))

    builder._publish = watch  # type: ignore[method-assign]
    builder.run()
    # Two batches of five in flight, plus the JSON Lines file that spans several batches.
    assert max(seen_open) <= 2 * 5 + 1
    logged = list(builder.report.inputs)
    assert [i["file"] for i in logged] == sorted(p.name for p in corpus.iterdir())
    lines = next(i for i in logged if i["file"] == "m-lines.jsonl")
    assert sum(lines["outcomes"].values()) == 25


WORKER_PROBE = """
import sys
from pathlib import Path
import dataset_builder.build.worker_preload
from dataset_builder.build.worker import process_chunk
from dataset_builder.ingest.read import read_input
folder = Path(sys.argv[1])
records = []
for path in sorted(folder.iterdir()):
    for item in read_input(path, folder, parse=False)[1]:
        records.append({**item, "split": "train"})
imported = set(sys.modules)
done = process_chunk(records)
print(sorted(set(sys.modules) - imported))
print(sorted({item.language for item in done}))
"""


def test_worker_server_leaves_nothing_to_import_after_the_fork(tmp_path: Path) -> None:
    # Workers are forked from the server that imported `worker_preload`: what it left
    # unimported, every worker would import again (pandas among them, which pyarrow
    # imports the first time it converts rows).
    folder = write_corpus(tmp_path / "inputs", 8, seed=5)
    done = subprocess.run(
        [sys.executable, "-c", WORKER_PROBE, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert done.stdout.splitlines() == ["[]", "['sv', 'zh']"]
