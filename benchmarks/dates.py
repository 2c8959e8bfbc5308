"""Event-date tagger against dateparser.search_dates on the hand-checked seed gold.

Both systems see the same segments and reference dates. dateparser gets the language and
RELATIVE_BASE (the item's reference date); its spans are found by locating the substrings it
returns, in order, and its interval is the single day it returns (it has no notion of a
month or year interval). Scoring is the shared strict-span scoring in
`dataset_builder.evaluation.dates`.

Usage: python benchmarks/dates.py [--repeat N]
Writes benchmarks/results/dates.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dataset_builder.evaluation.dates import GoldItem, Scores, load_gold, score_mentions  # noqa: E402

GOLD_PATH = ROOT / "tests" / "gold" / "dates.json"
RESULTS_PATH = ROOT / "benchmarks" / "results" / "dates.json"

Tagger = Callable[[GoldItem], list[dict[str, Any]]]


def dateparser_mentions(item: GoldItem) -> list[dict[str, Any]]:
    from dateparser.search import search_dates

    settings: dict[str, Any] = {}
    if item.reference_date is not None:
        settings["RELATIVE_BASE"] = datetime.datetime.combine(item.reference_date, datetime.time())
    found: list[dict[str, Any]] = []
    for segment in item.segments:
        results = search_dates(segment.text, languages=[item.language], settings=settings) or []
        cursor = 0
        for substring, value in results:
            start = segment.text.find(substring, cursor)
            if start < 0:
                continue
            cursor = start + len(substring)
            day = value.date().isoformat()
            found.append(
                {
                    "field": segment.field,
                    "field_index": segment.field_index,
                    "span_start": start,
                    "span_end": cursor,
                    "text": substring,
                    "start_date": day,
                    "end_date": day,
                }
            )
    return found


def evaluate(tagger: Tagger, items: Sequence[GoldItem], repeat: int) -> dict[str, float]:
    scores = Scores(0, 0, 0, 0)
    for item in items:
        scores += score_mentions(item.expressions, tagger(item))
    characters = sum(len(segment.text) for item in items for segment in item.segments)
    started = time.perf_counter()
    for _ in range(repeat):
        for item in items:
            tagger(item)
    seconds = (time.perf_counter() - started) / repeat
    return {
        "strict_f1": round(scores.f1, 4),
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "interval_accuracy": round(scores.interval_accuracy, 4),
        "articles_per_second": round(len(items) / seconds, 1),
        "ms_per_3000_chars": round(seconds * 1000 * 3000 / characters, 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timing rounds for the tagger")
    parser.add_argument("--dateparser-repeat", type=int, default=2)
    args = parser.parse_args(argv)

    items = load_gold(GOLD_PATH, ROOT)
    items[0].tagged()  # compile the patterns outside the timed loop
    tagger = evaluate(GoldItem.tagged, items, args.repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateparser's deprecation chatter
        dateparser_mentions(items[0])
        baseline = evaluate(dateparser_mentions, items, args.dateparser_repeat)
    results = {
        "tagger": tagger,
        "dateparser": baseline,
        "speed_ratio": round(tagger["articles_per_second"] / baseline["articles_per_second"], 1),
        "gold_items": len(items),
        "gold_expressions": sum(len(item.expressions) for item in items),
    }
    print(f"{'':22}{'tagger':>12}{'dateparser':>12}")
    for key in tagger:
        print(f"{key:22}{tagger[key]:>12}{baseline[key]:>12}")
    print(
        f"speed ratio {results['speed_ratio']}x on {results['gold_items']} items, "
        f"{results['gold_expressions']} gold expressions"
    )
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
