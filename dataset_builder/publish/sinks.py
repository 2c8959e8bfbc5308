"""Output formats of a release: a sink receives each split's rows and names its files.

A new format is a class with these methods, registered in `SINKS`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from dataset_builder.publish.parquet import ParquetSink


class Sink(Protocol):
    def write(self, config: str, split: str, rows: pa.Table) -> None:
        """Append rows of a configuration's Arrow schema to a split."""

    def close(self) -> dict[str, dict[str, list[str]]]:
        """Finish writing; the files of each configuration's splits, relative to the root."""

    def abort(self) -> None:
        """Stop after a failure, with nothing left writing (what was written stays, for
        the build to remove with its staging folder)."""


# Each makes a sink writing under a release folder, starting a new file past a size.
SINKS: dict[str, Callable[[Path, int], Sink]] = {"parquet": ParquetSink}
