"""The libraries that writing a release's card and statistics needs, loaded ahead.

Importing them takes longer than writing the card of a small build; a build loads them
in a thread while its workers start (`build.orchestrator`).
"""

from __future__ import annotations


def import_dependencies() -> None:
    """Import Matplotlib (the figure), Polars and Arrow's query engine (the statistics).

    One that cannot be imported is left for writing the card to report.
    """
    try:
        import matplotlib.backends.backend_agg
        import matplotlib.figure  # noqa: F401
        import polars  # noqa: F401
        import pyarrow.acero  # noqa: F401
    except ImportError:
        pass
