"""Event-date tagger against dateparser.search_dates (and JioNLP for Chinese) on the gold.

Two gold sets: the seed articles (in-sample: the tagger's rules were written from them) and
the development corpus (`../shared/devcorpus/<lang>/dates/`, gold in
`tests/gold/devcorpus/<lang>.json`), reported per language. All systems see the same
segments and reference dates. dateparser gets the language and
RELATIVE_BASE (the item's reference date); its spans are found by locating the substrings it
returns, in order, and its interval is the single day it returns (it has no notion of a
month or year interval). Scoring is the shared strict-span scoring in
`dataset_builder.evaluation.dates`.

On the development gold, span F1 counts exact spans; value F1 counts a span whose interval
is also right; optional gold items count neither way, and items without a value (the
reference date is too coarse) count for the span only (`evaluation.dates.score_development`).

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

from dataset_builder.evaluation.dates import (  # noqa: E402
    DevScores,
    GoldItem,
    Scores,
    load_development_gold,
    load_gold,
    score_development,
    score_mentions,
)

GOLD_PATH = ROOT / "tests" / "gold" / "dates.json"
DEVELOPMENT_GOLD = ROOT / "tests" / "gold" / "devcorpus"
DEVELOPMENT_CORPUS = ROOT.parent / "shared" / "devcorpus"
RESULTS_PATH = ROOT / "benchmarks" / "results" / "dates.json"

Tagger = Callable[[GoldItem], list[dict[str, Any]]]


def dateparser_mentions(item: GoldItem) -> list[dict[str, Any]]:
    from dateparser.search import search_dates

    settings: dict[str, Any] = {}
    if item.reference_date is not None:
        # A month-precision reference is anchored on the 15th, as the tagger anchors it.
        day = item.reference_date.replace(day=15) if item.reference_precision == "month" else None
        settings["RELATIVE_BASE"] = datetime.datetime.combine(
            day or item.reference_date, datetime.time()
        )
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


def jionlp_mentions(item: GoldItem) -> list[dict[str, Any]]:
    """JioNLP's time extraction (Chinese), its points and spans as intervals; durations
    and repeating times are not dates and are left out."""
    import jionlp

    base = item.reference_date or datetime.date.today()
    if item.reference_precision == "month":
        base = base.replace(day=15)
    found: list[dict[str, Any]] = []
    for segment in item.segments:
        results = jionlp.ner.extract_time(
            segment.text,
            time_base=time.mktime(base.timetuple()),
            with_parsing=True,
        )
        for result in results:
            detail = result.get("detail") or {}
            moments = detail.get("time")
            if detail.get("type") not in ("time_point", "time_span") or not isinstance(
                moments, list
            ):
                continue
            start, end = (str(moment)[:10] for moment in moments)
            if not (start[:4].isdigit() and end[:4].isdigit()):
                continue  # open-ended ("inf")
            found.append(
                {
                    "field": segment.field,
                    "field_index": segment.field_index,
                    "span_start": result["offset"][0],
                    "span_end": result["offset"][1],
                    "text": result["text"],
                    "start_date": start,
                    "end_date": end,
                }
            )
    return found


def development(languages: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per language: span and value F1 of the tagger and its peers on the development gold."""
    peers: dict[str, Tagger] = {"tagger": GoldItem.tagged, "dateparser": dateparser_mentions}
    results: dict[str, dict[str, Any]] = {}
    for language in languages:
        path = DEVELOPMENT_GOLD / f"{language}.json"
        if not path.exists() or not (DEVELOPMENT_CORPUS / language / "dates").is_dir():
            print(f"{language}: no development corpus at {DEVELOPMENT_CORPUS}; skipped")
            continue
        items = load_development_gold(path, DEVELOPMENT_CORPUS / language / "dates")
        systems = dict(peers)
        if language == "zh":
            systems["jionlp"] = jionlp_mentions
        row: dict[str, Any] = {
            "articles": len(items),
            "expressions": sum(
                1 for item in items for e in item.expressions if not e.get("optional")
            ),
        }
        for name, system in systems.items():
            scores = DevScores(0, 0, 0, 0, 0, 0)
            for item in items:
                scores += score_development(item.expressions, system(item))
            row[name] = {
                "span_f1": round(scores.span_f1, 3),
                "span_precision": round(scores.span_precision, 3),
                "span_recall": round(scores.span_recall, 3),
                "value_f1": round(scores.value_f1, 3),
            }
        results[language] = row
    return results


def evaluate(tagger: Tagger, items: Sequence[GoldItem], repeat: int) -> dict[str, float]:
    scores = Scores(0, 0, 0, 0)
    for item in items:
        scores += score_mentions(item.expressions, tagger(item))
    accuracy = {
        "strict_f1": round(scores.f1, 4),
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "interval_accuracy": round(scores.interval_accuracy, 4),
    }
    if repeat < 1:  # scored, not timed
        return accuracy
    characters = sum(len(segment.text) for item in items for segment in item.segments)
    started = time.perf_counter()
    for _ in range(repeat):
        for item in items:
            tagger(item)
    seconds = (time.perf_counter() - started) / repeat
    return {
        **accuracy,
        "articles_per_second": round(len(items) / seconds, 1),
        "ms_per_3000_chars": round(seconds * 1000 * 3000 / characters, 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timing rounds for the tagger")
    parser.add_argument(
        "--dateparser-repeat",
        type=int,
        default=2,
        help="timing rounds for dateparser; 0 scores it without timing it",
    )
    args = parser.parse_args(argv)

    items = load_gold(GOLD_PATH, ROOT)
    items[0].tagged()  # compile the patterns outside the timed loop
    tagger = evaluate(GoldItem.tagged, items, args.repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateparser's deprecation chatter
        dateparser_mentions(items[0])
        baseline = evaluate(dateparser_mentions, items, args.dateparser_repeat)
    if "articles_per_second" not in baseline:
        # dateparser scored but not timed (--dateparser-repeat 0): its speed is that of
        # the previous run's measurement, which this run does not replace.
        previous = json.loads(RESULTS_PATH.read_text("utf-8")) if RESULTS_PATH.exists() else {}
        timed = previous.get("dateparser", {})
        if "articles_per_second" not in timed:
            parser.error("--dateparser-repeat 0 needs a previous measurement of its speed")
        baseline["articles_per_second"] = timed["articles_per_second"]
        baseline["ms_per_3000_chars"] = timed["ms_per_3000_chars"]
        print("dateparser not timed: its speed is carried over from the previous results")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        developed = development(("en", "ja", "sv", "vi", "zh"))
    results = {
        "development": developed,
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
    print("\ndevelopment gold: span F1 / value F1")
    for language, row in developed.items():
        systems = [name for name in row if isinstance(row[name], dict)]
        print(
            f"{language} ({row['articles']} articles, {row['expressions']} expressions): "
            + "; ".join(
                f"{name} {row[name]['span_f1']:.3f} / {row[name]['value_f1']:.3f}"
                for name in systems
            )
        )
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
