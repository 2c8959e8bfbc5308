"""Every fenced code block of README.md runs as a reader would run it.

- ```python blocks run each in a fresh interpreter, in a folder whose `release/` is a fresh
  build of the seeds (the folder a reader's `release/` is in after `nox -s build`).
- ```bash blocks run in order, with `bash -euo pipefail`, in one temporary copy of the
  repository, with this environment's `python`, `python3` and `dataset-builder` first on
  PATH. Before them, release/ is built in the copy by the command of `nox -s build`.
  `pip install` commands run with `--dry-run --no-index --no-deps --no-build-isolation`:
  they check that the package and the extras they name install, without changing this
  environment. The commands of SKIPPED do not run, for the reason given.
- Blocks in any other language (```text for example output) are not run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dataset_builder.build.report import BuildReport
from tests.conftest import ROOT

README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
BLOCK_TIMEOUT = 600

SKIPPED = {
    "python3 -m pip install nox && nox -s build": "makes nox's own environment and builds "
    "there; the build it runs is made in the copy with the same command before the blocks",
    "python3 -m pip install nox && nox -s tests": "runs this test suite itself",
    "python benchmarks/dates.py": "needs the bench extra (dateparser, JioNLP), which the "
    "test environment does not have, and the development corpus beside the checkout",
    "python benchmarks/topics.py": "reads the development corpus beside the checkout, "
    "which is not part of the repository",
    "python benchmarks/gold_agreement.py": "a measurement of the development gold that "
    "rewrites benchmarks/results; it is not a use of the dataset",
    "python benchmarks/build.py": "builds corpora of up to 100,000 articles (long)",
    "python benchmarks/compare.py --rev HEAD~1": "builds another revision from the git "
    "history (long)",
    "python benchmarks/compare.py --rev HEAD~1 --size 2000 --worker-cpu": "annotates "
    "2,000 articles three times with this checkout and with a revision from the git "
    "history (long)",
}
PIP_CHECK = ["--dry-run", "--no-index", "--no-deps", "--no-build-isolation"]


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int

    @property
    def name(self) -> str:
        return f"README.md:{self.line}:{self.language or 'plain'}"


def _blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    return [Block(m[1], m[2], text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


BLOCKS = _blocks()
PYTHON = [b for b in BLOCKS if b.language == "python"]
BASH = [b for b in BLOCKS if b.language in ("bash", "sh", "shell")]


def _command(line: str) -> str:
    """A shell line without its trailing comment."""
    return re.split(r"\s+#\s", line, maxsplit=1)[0].strip()


def _script(block: Block) -> str:
    lines = []
    for line in block.code.splitlines():
        command = _command(line)
        if command in SKIPPED:
            lines.append(f"# skipped: {command}")
        elif re.match(r"python3? -m pip install ", command):
            lines.append(command + " " + " ".join(PIP_CHECK))
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["HF_HUB_OFFLINE"] = env["HF_DATASETS_OFFLINE"] = "1"
    return env


def _copy_repository(target: Path) -> None:
    """The files of the checkout that git tracks or would track (what a clone has)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        ignored = shutil.ignore_patterns(".git", ".nox", ".cache", "release", "*.egg-info")
        shutil.copytree(ROOT, target, symlinks=True, ignore=ignored)
        return
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if not name or not (source.is_file() or source.is_symlink()):
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name, follow_symlinks=False)


@pytest.fixture(scope="session")
def bash_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[int, subprocess.CompletedProcess[str]]:
    """Every bash block run in document order in one copy of the repository."""
    copy = tmp_path_factory.mktemp("readme") / "repository"
    copy.mkdir()
    _copy_repository(copy)
    env = _environment()
    subprocess.run(
        [sys.executable, "-m", "dataset_builder", "build", "--card-dir", "."],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=BLOCK_TIMEOUT,
    )
    return {
        block.line: subprocess.run(
            ["bash", "-euo", "pipefail", "-c", _script(block)],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT,
        )
        for block in BASH
    }


def test_readme_has_blocks_of_both_kinds() -> None:
    assert len(PYTHON) >= 4
    assert len(BASH) >= 4
    for block in BLOCKS:
        assert block.language, f"{block.name}: give the block a language (```text if not code)"


def test_every_skipped_command_is_in_the_readme() -> None:
    """The skip list names README commands only: a stale entry would hide nothing."""
    commands = {_command(line) for block in BASH for line in block.code.splitlines()}
    assert set(SKIPPED) <= commands, set(SKIPPED) - commands


def _run_beside(release: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run Python `code` in the folder that holds `release`, as a reader of the docs would."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=release.parent,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    )


@pytest.mark.parametrize("block", PYTHON, ids=[b.name for b in PYTHON])
def test_python_block_runs(block: Block, seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    done = _run_beside(release, block.code)
    assert done.returncode == 0, f"{block.name}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert done.stdout.strip(), f"{block.name} printed nothing"


@pytest.mark.parametrize("block", BASH, ids=[b.name for b in BASH])
def test_bash_block_runs(
    block: Block, bash_runs: dict[int, subprocess.CompletedProcess[str]]
) -> None:
    done = bash_runs[block.line]
    assert done.returncode == 0, f"{block.name}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    # pip only warns when an extra does not exist.
    assert "does not provide the extra" not in done.stderr, done.stderr


def test_streaming_load_reads_every_article_of_a_split(
    seed_release: tuple[Path, BuildReport],
) -> None:
    from datasets import load_dataset

    release, _ = seed_release
    streamed = load_dataset(str(release), streaming=True)
    for split in ("train", "validation", "test"):
        files = sorted((release / "data" / "default").glob(f"{split}-*.parquet"))
        expected = [
            i for path in files for i in pq.read_table(path, columns=["id"])["id"].to_pylist()
        ]
        rows = list(streamed[split])
        assert [row["id"] for row in rows] == expected
        assert all(row["title"] for row in rows)


def _card_blocks(card: Path) -> list[Block]:
    text = card.read_text(encoding="utf-8")
    return [
        Block(m[1], m[2], text.count("\n", 0, m.start()) + 1)
        for m in FENCE.finditer(text)
        if m[1] == "python"
    ]


def test_the_cards_python_blocks_run(seed_release: tuple[Path, BuildReport]) -> None:
    """The card of a release (its README.md) shows how to load it; that code runs beside it."""
    release, _ = seed_release
    blocks = _card_blocks(release / "README.md")
    assert blocks, "the card shows no Python"
    for block in blocks:
        # Each block as written, then a look at what it loaded, so a block that loads
        # nothing fails.
        shown = "\nprint({k: v for k, v in globals().items() if not k.startswith('_')})\n"
        done = _run_beside(release, block.code + shown)
        assert done.returncode == 0, f"card:{block.line}\n{done.stderr[-3000:]}"
        assert "articles" in done.stdout, f"card:{block.line} loaded nothing"
