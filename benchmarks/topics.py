"""Topic annotator against the hand-labelled gold: accuracy and speed.

The seed set is in-sample (the lexicons were written from it). The development corpus
(`../shared/devcorpus/<lang>/`) is not: its dated articles carry hand-labelled topics
(`tests/gold/devcorpus/<lang>.json`), and its topic sets carry the source's section label,
mapped to IPTC where a label means one topic (`tests/gold/devcorpus/sections.json`).

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
    development_scores,
    evaluate_topics,
    file_segments,
    load_development_gold,
    load_gold,
    section_agreement,
    seed_item_segments,
)

GOLD_PATH = PROJECT_ROOT / "tests" / "gold" / "topics.json"
SEEDS_DIR = PROJECT_ROOT / "seeds"
RESULTS_PATH = PROJECT_ROOT / "benchmarks" / "results" / "topics.json"
DEVELOPMENT_GOLD = PROJECT_ROOT / "tests" / "gold" / "devcorpus"
DEVELOPMENT_CORPUS = PROJECT_ROOT.parent / "shared" / "devcorpus"
LANGUAGES = ("en", "ja", "sv", "vi", "zh")
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


def development() -> dict[str, dict[str, Any]]:
    """Per language: scores on the hand-labelled dated articles, and agreement with the
    mapped section labels of the topic set."""
    annotator = default_topic_annotator()
    sections = json.loads((DEVELOPMENT_GOLD / "sections.json").read_text(encoding="utf-8"))
    results: dict[str, dict[str, Any]] = {}
    for language in LANGUAGES:
        if not (DEVELOPMENT_CORPUS / language).is_dir():
            print(f"{language}: no development corpus at {DEVELOPMENT_CORPUS}; skipped")
            continue
        row: dict[str, Any] = {}
        gold_path = DEVELOPMENT_GOLD / f"{language}.json"
        if gold_path.exists():
            gold = load_development_gold(gold_path)
            folder = DEVELOPMENT_CORPUS / language / "dates"
            predicted = {
                item.id: annotator.annotate(file_segments(folder / item.id), language)
                for item in gold
            }
            row["hand_labelled"] = development_scores(gold, predicted)
        folder = DEVELOPMENT_CORPUS / language / "topics"
        index = [
            json.loads(line)
            for line in (folder / "index.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        mapping = sections["labels"][language]
        labels = {entry["file"]: mapping.get(entry["source_label"]) for entry in index}
        primaries = {
            name: annotator.annotate(file_segments(folder / name), language).primary_topic
            for name in labels
        }
        row["sections"] = section_agreement(labels, primaries)
        results[language] = row
    return results


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
    figures["development"] = development()
    print("\ndevelopment corpus:")
    for language, row in figures["development"].items():
        hand = row.get("hand_labelled")
        sections = row["sections"]
        print(
            f"  {language}: "
            + (
                f"hand-labelled n={hand['n']} primary {hand['primary_accuracy']:.3f} "
                f"micro-F1 {hand['micro_f1']:.3f} macro-F1 {hand['macro_f1']:.3f} "
                f"no topic {hand['no_topic']:.1%}; "
                if hand
                else ""
            )
            + f"sections: {sections['agreement']:.3f} agreement on {sections['mapped']} mapped "
            f"of {sections['files']}, no topic {sections['no_topic']:.1%}"
        )
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(
        json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"\nwritten to {RESULTS_PATH.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
