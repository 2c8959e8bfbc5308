"""The card's figure: event dates per year and language, drawn at build time."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dataset_builder.stats import event_date_rows, read_config

TIMELINE = Path("figures") / "event_dates_timeline.png"
MAX_BARS = 40


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
        years = rows.with_columns(pl.col("start_date").dt.year().alias("year"))
        # One bar per year that has event dates; per decade when there are too many years
        # for readable labels. Empty periods are left out, so centuries-old mentions do
        # not squeeze the recent ones into a sliver.
        unit = "year" if years["year"].n_unique() <= MAX_BARS else "decade"
        if unit == "decade":
            years = years.with_columns((pl.col("year") // 10 * 10).alias("year"))
        counts = years.group_by("language", "year").len().sort("language", "year")
        periods = counts["year"].unique().sort().to_list()
        labels = [str(p) if unit == "year" else f"{p}s" for p in periods]
        positions = list(range(len(periods)))
        bottom = [0] * len(periods)
        for language in counts["language"].unique().sort().to_list():
            per_period = dict(
                counts.filter(pl.col("language") == language).select("year", "len").iter_rows()
            )
            heights = [per_period.get(period, 0) for period in periods]
            axes.bar(positions, heights, bottom=bottom, label=language, width=0.8)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        axes.set_xticks(positions, labels, rotation=60, ha="right", fontsize=8)
        axes.legend(title="language", frameon=False)
        axes.set_xlabel(f"{unit} of the event date's start (periods without event dates omitted)")
        axes.set_ylabel("event dates")
    axes.set_title("Event dates mentioned in the articles, per year and language")
    figure.tight_layout()
    path = root / TIMELINE
    path.parent.mkdir(parents=True, exist_ok=True)
    # No software or date metadata, so the same data always gives the same bytes.
    figure.savefig(path, format="png", metadata={"Software": None})
    plt.close(figure)
    return path
