"""Topic annotator against the hand-labelled seed set: accuracy and speed.

    python benchmarks/topics.py

Prints per-code precision/recall/F1 over IPTC top-level codes, macro-F1, primary-topic
accuracy, the same per language, and articles annotated per second; writes the figures to
`benchmarks/results/topics.json`, which the dataset card reads.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from dataset_builder.annotators.topics import default_topic_annotator  # noqa: E402
from dataset_builder.evaluation.topics import (  # noqa: E402
    evaluate_topics,
    load_gold,
    seed_item_segments,
)

GOLD_PATH = PROJECT_ROOT / "tests" / "gold" / "topics.json"
SEEDS_DIR = PROJECT_ROOT / "seeds"
RESULTS_PATH = PROJECT_ROOT / "benchmarks" / "results" / "topics.json"
# Long enough for a stable rate, short enough to run with the test suite's tools.
TIMING_SECONDS = 2.0

# Targets from the topics issue.
MIN_MACRO_F1 = 0.8
MIN_PRIMARY_ACCURACY = 0.9
MAX_LANGUAGE_GAP = 0.1


def run() -> dict[str, Any]:
    annotator = default_topic_annotator()
    gold = load_gold(GOLD_PATH)
    segments = seed_item_segments(sorted(SEEDS_DIR.glob("*.txt")))
    predicted = {item.id: annotator.annotate(segments[item.id], item.language) for item in gold}
    figures = evaluate_topics(gold, predicted)

    # Speed on the full seed articles (the teasers are far shorter), one core.
    articles = [
        (segments[item.id], item.language) for item in gold if item.id == item.id.split("-")[0]
    ]
    annotated = 0
    started = time.perf_counter()
    while time.perf_counter() - started < TIMING_SECONDS:
        for article_segments, language in articles:
            annotator.annotate(article_segments, language)
        annotated += len(articles)
    elapsed = time.perf_counter() - started
    characters = sum(len(s.text) for article_segments, _ in articles for s in article_segments)

    return {
        "annotator": annotator.name,
        "annotator_version": annotator.version,
        **figures,
        "articles_per_second": round(annotated / elapsed, 1),
        "mean_article_characters": round(characters / len(articles)),
    }


def report(figures: dict[str, Any]) -> str:
    lines = [f"{'code':<18}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    for code, scores in figures["per_code"].items():
        lines.append(
            f"{code:<18}{scores['precision']:>10.3f}{scores['recall']:>8.3f}"
            f"{scores['f1']:>8.3f}{scores['support']:>9}"
        )
    lines.append("")
    lines.append(f"items              {figures['items']}")
    lines.append(f"macro-F1           {figures['macro_f1']:.3f}  (target >= {MIN_MACRO_F1})")
    lines.append(
        f"primary accuracy   {figures['primary_accuracy']:.3f}  (target >= {MIN_PRIMARY_ACCURACY})"
    )
    for language, scores in figures["per_language"].items():
        lines.append(
            f"  {language:<4} n={scores['n']:<3} macro-F1 {scores['macro_f1']:.3f}"
            f"  primary {scores['primary_accuracy']:.3f}"
        )
    lines.append(f"articles/second    {figures['articles_per_second']:.0f} (one core)")
    if figures["mismatches"]:
        lines.append("")
        lines.append("items where the annotator and the gold differ:")
        for item in figures["mismatches"]:
            lines.append(
                f"  {item['id']}: gold {item['gold_codes']} primary {item['gold_primary']}; "
                f"annotator {item['predicted_codes']} primary {item['predicted_primary']}"
            )
    return "\n".join(lines)


def main() -> None:
    figures = run()
    print(report(figures))
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(
        json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"\nwritten to {RESULTS_PATH.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
