"""Sessions: tests, lint, typecheck, wheel, build (and distributed on demand)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "wheel"]
nox.options.reuse_existing_virtualenvs = True

OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite offline."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs, env=OFFLINE)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, tests and benchmarks."""
    session.install("-e", ".[test,bench,typecheck,distributed]")
    session.run("mypy")


@nox.session
def distributed(session: nox.Session) -> None:
    """Run the Dask example (examples/dask_annotate.py) in local mode on the seeds."""
    session.install("-e", ".[test,distributed]")
    session.run("pytest", "-m", "distributed", "tests/distributed", *session.posargs, env=OFFLINE)


@nox.session
def browser(session: nox.Session) -> None:
    """Open `dataset-builder show` pages in headless Chromium (Debian's, installed if missing)."""
    if shutil.which("chromium") is None:
        if os.geteuid() != 0:
            session.error("chromium is missing: install it as root (apt-get install chromium)")
        session.run("apt-get", "update", external=True)
        session.run(
            "apt-get", "install", "-y", "--no-install-recommends", "chromium", external=True
        )
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "browser", "tests/test_show.py", *session.posargs, env=OFFLINE)


@nox.session
def notebooks(session: nox.Session) -> None:
    """Execute the course notebooks on a fresh build of the seeds and check the solutions."""
    session.install("-e", ".[test,notebooks]")
    session.run(
        "pytest", "-m", "notebooks", "tests/test_notebooks.py", *session.posargs, env=OFFLINE
    )


@nox.session
def build(session: nox.Session) -> None:
    """Build release/ from seeds/ and refresh DATASET_CARD.md, CITATION.cff and figures/."""
    session.install("-e", ".")
    session.run("dataset-builder", "build", "--card-dir", ".", *session.posargs, env=OFFLINE)


@nox.session
def wheel(session: nox.Session) -> None:
    """Build a wheel, install it (not editable) and build, check and cite the seeds with it;
    then make a corpus of one's own with `dataset-builder init` and build that."""
    work = Path(session.create_tmp()).resolve()
    dist = work / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist), ".")
    (built,) = dist.glob("dataset_builder-*.whl")
    session.install(str(built))
    # Again, whatever the environment holds: a wheel of an unchanged version number would
    # otherwise leave an earlier build of the package in place.
    session.install("--force-reinstall", "--no-deps", str(built))
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree("seeds", corpus / "seeds")
    shutil.copytree("splits", corpus / "splits")
    # The seed dataset's identity and the changelog it dates its version from: this folder
    # builds as the seed dataset, not as a corpus named after the folder.
    shutil.copy("dataset.toml", corpus / "dataset.toml")
    shutil.copy("CHANGELOG.md", corpus / "CHANGELOG.md")
    session.chdir(corpus)
    session.run("dataset-builder", "validate", "--workers", "1", env=OFFLINE)
    session.run("dataset-builder", "build", "--no-cache", env=OFFLINE)
    session.run("dataset-builder", "verify", "release", env=OFFLINE)
    session.run("dataset-builder", "cite", "--format", "bibtex", env=OFFLINE)
    session.run("dataset-builder", "annotate", "seeds/004_33f5a66664a9c512.txt", env=OFFLINE)
    # A corpus of one's own, from the installed wheel alone.
    own = work / "own-corpus"
    shutil.rmtree(own, ignore_errors=True)
    session.run("dataset-builder", "init", str(own), env=OFFLINE)
    for article in Path("seeds").glob("004_33f5a66664a9c512.*"):
        shutil.copy(article, own / "articles")
    session.run("dataset-builder", "build", "--input", str(own), "--no-cache", env=OFFLINE)
    session.run("dataset-builder", "verify", str(own / "release"), env=OFFLINE)
    session.chdir(own)
    session.run("dataset-builder", "cite", "--format", "cff", env=OFFLINE)
