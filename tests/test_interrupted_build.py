"""A build that fails, is interrupted or runs out of disk leaves the previous release intact."""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dataset_builder.cli import main
from dataset_builder.manifest import verify_release
from dataset_builder.publish import ParquetSink
from tests.conftest import build_copy

WORDS = [
    "Vietnam",
    "Japan",
    "samarbete",
    "handel",
    "investeringar",
    "energi",
    "utbildning",
    "hamn",
    "järnväg",
    "ministern",
    "besök",
    "avtal",
    "ekonomi",
    "teknik",
    "studenter",
    "forskning",
    "kultur",
    "turism",
    "export",
    "import",
    "bank",
    "lån",
    "miljö",
    "klimat",
    "halvledare",
    "innovation",
    "regeringen",
    "provinsen",
    "staden",
    "företag",
    "fabrik",
]


def _many_articles(folder: Path, count: int) -> Path:
    folder.mkdir()
    rng = random.Random(7)
    for n in range(count):
        title = " ".join(rng.choices(WORDS, k=6)).capitalize()
        body = "\n\n".join(" ".join(rng.choices(WORDS, k=60)) + "." for _ in range(6))
        (folder / f"article-{n:04d}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killed_build_leaves_previous_release_verifiable(tmp_path: Path, signum: int) -> None:
    release, _ = build_copy(tmp_path)
    before = _snapshot(release)
    inputs = _many_articles(tmp_path / "many", 600)
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
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    staged: list[Path] = []
    while time.monotonic() < deadline and process.poll() is None:
        staged = list(tmp_path.glob(".release-staging-*/data/default/.*.parquet"))
        if staged:
            break
        time.sleep(0.05)
    assert staged, "the build never started writing"
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


def test_out_of_disk_leaves_previous_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, _ = build_copy(tmp_path)
    before = _snapshot(release)

    def full_disk(
        self: ParquetSink, config: str, split: str, rows: list[dict[str, object]]
    ) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ParquetSink, "write", full_disk)
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
