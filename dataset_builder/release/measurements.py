"""The card's report of the benchmarks: how accurate the annotations are, per language.

Every number comes from a benchmark's result file (`benchmarks/results/<name>.json`); the
words around them are statements (`statements.yaml`, `measurements`). Two kinds of figure
are kept apart: on the seed pages, which the rules were written from (in-sample), and on a
development corpus of real news, which the rules were extended on after a first
measurement (tuned on, not unseen). The build's speed and memory are not the card's
business: `docs/performance.md` explains `benchmarks/results/build.json`.
"""

from __future__ import annotations

import json
from typing import Any

from dataset_builder.config import BENCHMARK_RESULTS
from dataset_builder.release.markdown import table
from dataset_builder.release.statements import CARD, say


def load_benchmark(name: str) -> dict[str, Any] | None:
    path = BENCHMARK_RESULTS / f"{name}.json"
    if not path.exists():
        return None
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return result


def topics_accuracy(result: dict[str, Any] | None) -> str:
    """The in-sample topic figures of the seed pages, in one statement."""
    if result is None:
        return say("measurements.topics_missing", CARD)
    return say(
        "measurements.topics",
        CARD,
        items=result["items"],
        primary_accuracy=f"{result['primary_accuracy']:.2f}",
        macro_f1=f"{result['macro_f1']:.2f}",
    )


def dates_accuracy(result: dict[str, Any] | None) -> str:
    """The in-sample event-date figures of the seed pages, beside dateparser's."""
    if result is None:
        return say("measurements.dates_missing", CARD)
    rows = [
        [
            name,
            f"{r['strict_f1']:.3f}",
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f"{r['interval_accuracy']:.3f}",
        ]
        for name, r in (
            ("this tagger", result["tagger"]),
            ("dateparser.search_dates", result["dateparser"]),
        )
    ]
    header = ["tagger", "strict span F1", "precision", "recall", "interval accuracy"]
    statement = say(
        "measurements.dates",
        CARD,
        items=result["gold_items"],
        expressions=result["gold_expressions"],
    )
    return f"{statement}\n\n{table(header, rows)}"


def _score(row: dict[str, Any] | None, *keys: str) -> str:
    return " / ".join(f"{row[key]:.2f}" for key in keys) if row else "–"


def per_language(topics: dict[str, Any] | None, dates: dict[str, Any] | None) -> str | None:
    """One row per language: the seed pages' topic accuracy (in-sample) and the
    development corpus's topic and date figures (tuned on); None when nothing is measured."""
    seed = (topics or {}).get("per_language", {})
    topics_development = (topics or {}).get("development") or {}
    dates_development = (dates or {}).get("development") or {}
    languages = sorted({*seed, *topics_development, *dates_development})
    if not languages:
        return None
    rows = []
    for language in languages:
        in_sample = seed.get(language)
        hand = (topics_development.get(language) or {}).get("hand_labelled")
        dated = dates_development.get(language)
        rows.append(
            [
                language,
                f"{_score(in_sample, 'primary_accuracy')} ({in_sample['n']})" if in_sample else "–",
                f"{_score(hand, 'primary_accuracy', 'micro_f1')} ({hand['n']})" if hand else "–",
                (
                    f"{_score(dated['tagger'], 'span_f1', 'value_f1')} ({dated['expressions']})"
                    if dated
                    else "–"
                ),
            ]
        )
    header = [
        "language",
        "topics, seed pages (in-sample): primary accuracy (items)",
        "topics, development corpus (tuned on): primary accuracy / micro-F1 (articles)",
        "event dates, development corpus (tuned on): span F1 / value F1 (expressions)",
    ]
    return f"{say('measurements.per_language', CARD)}\n\n{table(header, rows)}"


def accuracy() -> str:
    """The card's section on accuracy: the seed figures, then the table per language."""
    topics, dates = load_benchmark("topics"), load_benchmark("dates")
    paragraphs = [topics_accuracy(topics), dates_accuracy(dates)]
    languages = per_language(topics, dates)
    if languages:
        paragraphs.append(languages)
    return "\n\n".join(paragraphs)
