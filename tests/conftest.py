from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from dataset_builder.build.orchestrator import BuildOptions, build
from dataset_builder.build.report import BuildReport

# The same examples on every run: a test suite that gates a submission must not fail by
# chance. Longer explorations with other seeds are run by hand (HYPOTHESIS_PROFILE=explore).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SPLITS = ROOT / "splits"


def build_copy(tmp: Path, input_dir: Path = SEEDS, **options: object) -> tuple[Path, BuildReport]:
    """Build `input_dir` into `tmp/release` with a copy of the committed splits."""
    splits = tmp / "splits"
    if not splits.exists():
        shutil.copytree(SPLITS, splits)
    output = tmp / "release"
    report = build(
        BuildOptions(input_dir=input_dir, output_dir=output, splits_dir=splits, **options)  # type: ignore[arg-type]
    )
    return output, report


@pytest.fixture(scope="session")
def seed_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """The seeds, built once for the whole session."""
    return build_copy(tmp_path_factory.mktemp("seed-build"))


@pytest.fixture(autouse=True)
def _isolated_hf_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # load_dataset writes a cache; keep it out of the user's home and away from the hub.
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path_factory.getbasetemp() / "hf-cache"))
