"""The card's figure: which years the articles speak of, on a true time axis."""

from __future__ import annotations

import datetime
from pathlib import Path

TIMELINE = Path("figures") / "event_dates_timeline.png"

# Marker areas (points squared): the largest count gets MARK_AREA + MIN_AREA.
MARK_AREA = 300
MIN_AREA = 20


def draw_timeline(root: Path, article_years: dict[tuple[str, int], int]) -> Path:
    """Write a PNG of the articles mentioning each year, one colour and marker per language.

    `article_years` maps (language, start year) to the number of articles with an event
    date starting in that year (`dataset_statistics(root)["event_dates"]["article_years"]`).
    """
    import numpy as np

    # Dates as datetime64: matplotlib places them on its date axis, to scale.
    # The object-oriented API with the Agg canvas: no pyplot, no GUI backend to import.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    if not article_years:
        axes.text(0.5, 0.5, "no event dates", ha="center", va="center")
        axes.set_axis_off()
    else:
        languages = sorted({language for language, _ in article_years})
        largest = max(article_years.values())
        for row, language in enumerate(languages):
            points = sorted(
                (year, n) for (code, year), n in article_years.items() if code == language
            )
            # The middle of the year, so a mark sits inside the year it stands for.
            dates = np.array([datetime.date(year, 7, 1) for year, _ in points], "datetime64[D]")
            # Area in proportion to the articles: a mark of one article is as large as any.
            sizes = [MARK_AREA * n / largest + MIN_AREA for _, n in points]
            axes.scatter(
                dates,
                [row] * len(dates),
                s=sizes,
                color=f"C{row}",
                alpha=0.6,
                edgecolors="black",
                linewidths=0.5,
            )
        for n in sorted({1, largest}):
            axes.scatter(
                [],
                [],
                s=MARK_AREA * n / largest + MIN_AREA,
                color="grey",
                alpha=0.6,
                edgecolors="black",
                linewidths=0.5,
                label=f"{n} article{'s' if n > 1 else ''}",
            )
        axes.set_yticks(range(len(languages)), languages)
        axes.set_ylim(-0.6, len(languages) - 0.4)
        axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), labelspacing=1.2)
        axes.set_xlabel("year in which an event date starts (calendar time, to scale)")
        axes.set_ylabel("language")
    axes.set_title("Years the articles speak of: articles per event-date year and language")
    figure.tight_layout()
    path = root / TIMELINE
    path.parent.mkdir(parents=True, exist_ok=True)
    # No software or date metadata, so the same data always gives the same bytes.
    figure.savefig(path, format="png", metadata={"Software": None})
    return path
