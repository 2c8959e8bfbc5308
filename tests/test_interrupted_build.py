"""A build that fails, is interrupted or runs out of disk leaves the previous release intact."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dataset_builder.cli import main
from dataset_builder.publish.parquet import ParquetSink
from dataset_builder.publish.verify import verify_release
from tests.conftest import ROOT, build_copy

sys.path.insert(0, str(ROOT))
from benchmarks.corpus import write_corpus


@pytest.fixture(scope="module")
def many_articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Enough distinct articles for the first shard to reach the disk well before the end.
    return write_corpus(tmp_path_factory.mktemp("many") / "inputs", 2000, seed=11)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killed_build_leaves_previous_release_verifiable(
    tmp_path: Path, signum: int, many_articles: Path
) -> None:
    release, _ = build_copy(tmp_path)
    before = _snapshot(release)
    inputs = many_articles
    command = [
        sys.executable,
        "-m",
        "dataset_builder",
        "build",
        "--input",
        str(inputs),
        "--output",
        str(release),
        "--splits",
        str(tmp_path / "splits"),
        "--prune",
        "--workers",
        "1",
        "--batch-size",
        "32",
        "--no-cache",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # Wait until the build is well into annotating: its staging folder exists and the
    # first shard has been started (rows reach the disk in groups of 1,000).
    deadline = time.monotonic() + 120
    staged: list[Path] = []
    while time.monotonic() < deadline and process.poll() is None:
        staged = list(tmp_path.glob(".release-staging-*/data/default/.*.parquet"))
        if staged:
            break
        time.sleep(0.05)
    assert staged, "the build never started writing"
    assert process.poll() is None, "the build finished before it could be interrupted"
    process.send_signal(signum)
    process.wait(timeout=60)
    assert process.returncode != 0
    assert _snapshot(release) == before
    assert main(["verify", str(release)]) == 0
    leftovers = list(tmp_path.glob(".release-staging-*"))
    if signum != signal.SIGKILL:
        assert leftovers == []  # cleaned up on the way out
    # The next build clears any debris and publishes normally.
    build_copy(tmp_path)
    assert list(tmp_path.glob(".release-staging-*")) == []
    assert verify_release(release) == []


@pytest.mark.parametrize("where", ["write", "_write_groups"])  # the build, a file's thread
def test_out_of_disk_leaves_previous_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    release, _ = build_copy(tmp_path)
    before = _snapshot(release)

    def full_disk(self: ParquetSink, *args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ParquetSink, where, full_disk)
    with pytest.raises(OSError, match="No space left"):
        build_copy(tmp_path)
    assert _snapshot(release) == before
    assert list(tmp_path.glob(".release-staging-*")) == []


def test_swap_cut_short_is_recovered(tmp_path: Path) -> None:
    release, _ = build_copy(tmp_path)
    before = _snapshot(release)
    # As if the process died between the two renames of the swap.
    release.rename(tmp_path / ".release-retired")
    build_copy(tmp_path)
    assert _snapshot(release) == before
    assert not (tmp_path / ".release-retired").exists()


def test_failed_build_publishes_nothing(tmp_path: Path) -> None:
    release, _ = build_copy(tmp_path)
    before = _snapshot(release)
    inputs = tmp_path / "bad"
    inputs.mkdir()
    (inputs / "empty.txt").write_bytes(b"")
    shutil.copy(tmp_path / "splits" / "assignments.tsv", tmp_path / "assignments.bak")
    status = main(
        [
            "build",
            "--input",
            str(inputs),
            "--output",
            str(release),
            "--splits",
            str(tmp_path / "splits"),
            "--prune",
            "--workers",
            "1",
        ]
    )
    assert status == 1
    assert _snapshot(release) == before
    assert (tmp_path / "splits" / "assignments.tsv").read_bytes() == (
        tmp_path / "assignments.bak"
    ).read_bytes()
