"""The Dask example, run in local mode, publishes the same rows as the builder."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dataset_builder.build.report import BuildReport
from tests.conftest import ROOT, SEEDS

pytest.importorskip("dask.distributed")
pytestmark = pytest.mark.distributed


def test_dask_local_mode_matches_the_build(
    tmp_path: Path, seed_release: tuple[Path, BuildReport]
) -> None:
    from examples.dask_annotate import run

    published = run(
        SEEDS, tmp_path / "out", partitions=3, workers=2, scheduler=None, splits=ROOT / "splits"
    )
    release, _ = seed_release
    for config in ("default", "related"):
        expected = pq.read_table(sorted((release / "data" / config).glob("*.parquet"))).to_pylist()
        got = pq.read_table(sorted((tmp_path / "out" / config).glob("*.parquet"))).to_pylist()
        assert sorted(got, key=lambda r: r["id"]) == sorted(expected, key=lambda r: r["id"])
    assert published == len(list(SEEDS.glob("*.txt")))
    assert pq.read_table(tmp_path / "out" / "rejects").num_rows == 0
    assert len(list((tmp_path / "out" / "parsed").glob("*.parquet"))) == 3
