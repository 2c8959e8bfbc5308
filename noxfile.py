"""Sessions: tests, lint, typecheck, wheel, build (and distributed on demand)."""

from __future__ import annotations

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
def build(session: nox.Session) -> None:
    """Build release/ from seeds/ and refresh DATASET_CARD.md, CITATION.cff and figures/."""
    session.install("-e", ".")
    session.run("dataset-builder", "build", "--card-dir", ".", *session.posargs, env=OFFLINE)


@nox.session
def wheel(session: nox.Session) -> None:
    """Build a wheel, install it (not editable) and build, check and cite the seeds with it."""
    work = Path(session.create_tmp()).resolve()
    dist = work / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist), ".")
    (built,) = dist.glob("dataset_builder-*.whl")
    session.install(str(built))
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree("seeds", corpus / "seeds")
    shutil.copytree("splits", corpus / "splits")
    session.chdir(corpus)
    session.run("dataset-builder", "validate", "--workers", "1", env=OFFLINE)
    session.run("dataset-builder", "build", "--no-cache", env=OFFLINE)
    session.run("dataset-builder", "verify", "release", env=OFFLINE)
    session.run("dataset-builder", "cite", "--format", "bibtex", env=OFFLINE)
    session.run("dataset-builder", "annotate", "seeds/004_33f5a66664a9c512.txt", env=OFFLINE)
