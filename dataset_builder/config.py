"""Names, paths and settings shared by every stage of the build."""

from __future__ import annotations

from pathlib import Path

from dataset_builder import __version__

DATASET_NAME = "vietnam-japan-news"
PRETTY_NAME = "Vietnam–Japan Relations News"
VERSION = __version__

PACKAGE_DIR = Path(__file__).resolve().parent
# What a build reads besides its inputs ships inside the package. In a checkout, data/
# links to the sources: schema/ (the contract), CHANGELOG.md, benchmarks/results/.
DATA_DIR = PACKAGE_DIR / "data"
SCHEMA_DIR = DATA_DIR / "schema"
CHANGELOG = DATA_DIR / "CHANGELOG.md"
BENCHMARK_RESULTS = DATA_DIR / "benchmark-results"
RESOURCES_DIR = Path(__file__).resolve().parent / "resources"

DEFAULT_INPUT = Path("seeds")
DEFAULT_OUTPUT = Path("release")
DEFAULT_SPLITS = Path("splits")
DEFAULT_CACHE = Path(".cache") / "dataset-builder"

# The file that marks a folder as a release of this builder, with every file's checksum.
MANIFEST = "MANIFEST.json"

CONFIGS = ("default", "related")
SPLITS = ("train", "validation", "test")

# Languages the detector chooses between (ISO 639-1). Anything else, or text the
# detector is unsure about, is published as "und" with a warning.
LANGUAGES = ("zh", "sv", "vi", "en", "ja")
# Languages the detector also knows, only to recognise text that is in none of LANGUAGES
# (German would otherwise be forced into the nearest configured language).
GUARD_LANGUAGES = ("de", "fr", "es", "pt", "it", "nl", "ru", "ko", "th", "id")
# Below this confidence the detector's answer is not trusted.
MIN_LANGUAGE_CONFIDENCE = 0.5

# Largest input file accepted, in bytes; larger files are rejected with a message.
MAX_INPUT_BYTES = 5 * 1024 * 1024
