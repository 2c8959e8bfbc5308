"""Names, paths and settings shared by every stage of the build."""

from __future__ import annotations

import os
from pathlib import Path

from dataset_builder import __version__
from dataset_builder.annotators.languages import scan_languages

# What a dataset is called, its version and authors are its identity, read from its
# dataset.toml (`dataset_builder.identity`); the seed dataset's is the one at the
# repository's root. VERSION is the builder's own version.
VERSION = __version__

# What the hash that places a new id in a split starts with (`build/splits.py`). The seed
# dataset's name, for every corpus: the card states it, and a corpus renamed keeps its ids
# where they would have gone.
SPLIT_HASH_PREFIX = "vietnam-japan-news"

PACKAGE_DIR = Path(__file__).resolve().parent
# What a build reads besides its inputs ships inside the package. In a checkout, data/
# links to the sources: schema/ (the contract), CHANGELOG.md, benchmarks/results/.
DATA_DIR = PACKAGE_DIR / "data"
SCHEMA_DIR = DATA_DIR / "schema"
BENCHMARK_RESULTS = DATA_DIR / "benchmark-results"
RESOURCES_DIR = Path(__file__).resolve().parent / "resources"


def usable_cores() -> int:
    """The cores this process may run on (its affinity where the system tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


DEFAULT_INPUT = Path("seeds")
DEFAULT_OUTPUT = Path("release")
DEFAULT_SPLITS = Path("splits")
DEFAULT_CACHE = Path(".cache") / "dataset-builder"

# The file that marks a folder as a release of this builder, with every file's checksum.
MANIFEST = "MANIFEST.json"

CONFIGS = ("default", "related")
SPLITS = ("train", "validation", "test")

# The languages of the dataset, declared as data: a folder per language under
# resources/languages/ and an entry in resources/languages.json, found when this module
# is imported (`annotators/languages.py`); a language declared in part stops the builder
# here. Text the detector finds in none of them, or is unsure about, is published as
# "und" with a warning.
_DECLARED = scan_languages(RESOURCES_DIR)
LANGUAGES = _DECLARED.codes
# Languages the detector also knows, only to recognise text that is in none of LANGUAGES
# (German would otherwise be forced into the nearest declared language).
GUARD_LANGUAGES = _DECLARED.guard_languages
# Below this confidence the detector's answer is not trusted.
MIN_LANGUAGE_CONFIDENCE = 0.5

# Largest input file accepted, in bytes; larger files are rejected with a message.
MAX_INPUT_BYTES = 5 * 1024 * 1024
