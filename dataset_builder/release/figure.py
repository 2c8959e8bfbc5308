"""The card's figure: event dates per year and language, drawn at build time."""

from __future__ import annotations

from pathlib import Path

TIMELINE = Path("figures") / "event_dates_timeline.png"
MAX_BARS = 40


def draw_timeline(root: Path, timeline: dict[tuple[str, int], int]) -> Path:
    """Write a PNG bar chart of event dates per start year, one colour per language.

    `timeline` maps (language, start year) to a number of event dates
    (`dataset_statistics(root)["event_dates"]["timeline"]`).
    """
    # The object-oriented API with the Agg canvas: no pyplot, no GUI backend to import.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    if not timeline:
        axes.text(0.5, 0.5, "no event dates", ha="center", va="center")
    else:
        # One bar per year that has event dates; per decade when there are too many years
        # for readable labels. Empty periods are left out, so centuries-old mentions do
        # not squeeze the recent ones into a sliver.
        unit = "year" if len({year for _, year in timeline}) <= MAX_BARS else "decade"
        counts: dict[tuple[str, int], int] = {}
        for (language, year), n in timeline.items():
            period = year if unit == "year" else year // 10 * 10
            counts[(language, period)] = counts.get((language, period), 0) + n
        periods = sorted({period for _, period in counts})
        labels = [str(p) if unit == "year" else f"{p}s" for p in periods]
        positions = list(range(len(periods)))
        bottom = [0] * len(periods)
        for language in sorted({language for language, _ in counts}):
            heights = [counts.get((language, period), 0) for period in periods]
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
    return path
