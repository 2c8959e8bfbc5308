"""The card's figure: event dates per year and language, drawn at build time."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dataset_builder.stats import event_date_rows, read_config

TIMELINE = Path("figures") / "event_dates_timeline.png"


def draw_timeline(root: Path) -> Path:
    """Write a PNG bar chart of event dates per start year, one colour per language."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = event_date_rows(read_config(root, "default"))
    figure, axes = plt.subplots(figsize=(9, 3.6), dpi=100)
    if rows.is_empty():
        axes.text(0.5, 0.5, "no event dates", ha="center", va="center")
    else:
        counts = (
            rows.with_columns(pl.col("start_date").dt.year().alias("year"))
            .group_by("language", "year")
            .len()
            .sort("language", "year")
        )
        languages = counts["language"].unique().sort().to_list()
        years = list(range(int(counts["year"].min()), int(counts["year"].max()) + 1))  # type: ignore[arg-type]
        bottom = [0] * len(years)
        for language in languages:
            per_year = dict(
                counts.filter(pl.col("language") == language).select("year", "len").iter_rows()
            )
            heights = [per_year.get(year, 0) for year in years]
            axes.bar(years, heights, bottom=bottom, label=language, width=0.8)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        axes.legend(title="language", frameon=False)
        axes.set_xlabel("year of the event date's start")
        axes.set_ylabel("event dates")
    axes.set_title("Event dates mentioned in the articles, per year and language")
    figure.tight_layout()
    path = root / TIMELINE
    path.parent.mkdir(parents=True, exist_ok=True)
    # No software or date metadata, so the same data always gives the same bytes.
    figure.savefig(path, format="png", metadata={"Software": None})
    plt.close(figure)
    return path
