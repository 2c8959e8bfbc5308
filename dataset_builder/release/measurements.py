"""The card's reports of the benchmarks: accuracy of the annotators, build throughput.

Every number comes from a benchmark's result file (`benchmarks/results/<name>.json`); the
words around them are statements (`statements.yaml`, `measurements`).
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


def topics_accuracy() -> str:
    result = load_benchmark("topics")
    if result is None:
        return say("measurements.topics_missing", CARD)
    rows = [
        [code, f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}", v["support"]]
        for code, v in sorted(result["per_code"].items())
    ]
    per_language = [
        [lang, v["n"], f"{v['primary_accuracy']:.2f}", f"{v['macro_f1']:.2f}"]
        for lang, v in sorted(result["per_language"].items())
    ]
    summary = say(
        "measurements.topics",
        CARD,
        items=result["items"],
        primary_accuracy=f"{result['primary_accuracy']:.2f}",
        macro_f1=f"{result['macro_f1']:.2f}",
    )
    paragraphs = [
        summary,
        table(["code", "precision", "recall", "F1", "support"], rows),
        table(["language", "items", "primary accuracy", "macro-F1"], per_language),
    ]
    development = result.get("development")
    if development:
        header = ["language", "articles", "primary accuracy", "micro-F1", "no topic"]
        header += ["section-labelled", "agreement", "no topic"]
        rows = []
        for language, row in sorted(development.items()):
            hand, sections = row.get("hand_labelled"), row["sections"]
            rows.append(
                [
                    language,
                    *(
                        [
                            hand["n"],
                            f"{hand['primary_accuracy']:.2f}",
                            f"{hand['micro_f1']:.2f}",
                            f"{hand['no_topic']:.0%}",
                        ]
                        if hand
                        else ["", "", "", ""]
                    ),
                    f"{sections['mapped']} of {sections['files']}",
                    f"{sections['agreement']:.2f}",
                    f"{sections['no_topic']:.0%}",
                ]
            )
        paragraphs += [say("measurements.topics_development", CARD), table(header, rows)]
    return "\n\n".join(paragraphs)


def dates_accuracy() -> str:
    result = load_benchmark("dates")
    if result is None:
        return say("measurements.dates_missing", CARD)
    rows = [
        [
            name,
            f"{r['strict_f1']:.3f}",
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f"{r['interval_accuracy']:.3f}",
            f"{r['articles_per_second']:,.0f}",
        ]
        for name, r in (
            ("this tagger", result["tagger"]),
            ("dateparser.search_dates", result["dateparser"]),
        )
    ]
    header = ["tagger", "strict span F1", "precision", "recall", "interval accuracy", "items/s"]
    return "\n\n".join(
        [
            say(
                "measurements.dates",
                CARD,
                items=result["gold_items"],
                expressions=result["gold_expressions"],
            ),
            table(header, rows),
            say("measurements.dates_speed", CARD, speed_ratio=f"{result['speed_ratio']:,.0f}"),
            *_dates_development(result.get("development") or {}),
        ]
    )


def _dates_development(development: dict[str, Any]) -> list[str]:
    if not development:
        return []
    peers = ("tagger", "dateparser", "jionlp")
    header = ["language", "articles", "expressions"]
    header += [f"{name} span / value F1" for name in ("this tagger", "dateparser", "JioNLP")]
    rows = [
        [
            language,
            row["articles"],
            row["expressions"],
            *(
                f"{row[name]['span_f1']:.3f} / {row[name]['value_f1']:.3f}" if name in row else ""
                for name in peers
            ),
        ]
        for language, row in sorted(development.items())
    ]
    return [say("measurements.dates_development", CARD), table(header, rows)]


def performance() -> str:
    result = load_benchmark("build")
    if result is None:
        return say("measurements.build_missing", CARD)
    has_pss = all("peak_pss_mib" in run for run in result["runs"])
    rows = [
        [
            f"{run['articles']:,}",
            f"{run['seconds']:.1f}",
            f"{run['articles_per_second']:,.0f}",
            f"{run['ms_per_article']:.2f}",
            f"{run['peak_rss_mib']:,.0f}",
            *([f"{run['peak_pss_mib']:,.0f}"] if has_pss else []),
            f"{run['output_mib']:,.1f}",
        ]
        for run in result["runs"]
    ]
    header = ["articles", "seconds", "articles/s", "ms/article", "peak RSS (MiB)"]
    header += ["peak PSS (MiB)"] if has_pss else []
    intro = say(
        "measurements.build",
        CARD,
        cores=result["machine"]["cores"],
        workers=result["workers"],
        pss_note=say("measurements.build_pss", CARD) if has_pss else "",
    )
    paragraphs = [intro, table([*header, "output (MiB)"], rows)]
    fixed_costs = []
    if "marginal_ms_per_article" in result:
        fixed_costs.append(
            say(
                "measurements.build_fit",
                CARD,
                fixed_seconds=f"{result['fixed_seconds']:.1f}",
                marginal_ms=f"{result['marginal_ms_per_article']:.2f}",
            )
        )
    if "startup" in result:
        startup = result["startup"]
        fixed_costs.append(
            say(
                "measurements.build_startup",
                CARD,
                annotators_seconds=f"{startup['annotators_seconds']:.1f}",
                latin_seconds=f"{startup['latin_models_seconds']:.1f}",
            )
        )
    if fixed_costs:
        paragraphs.append(" ".join(fixed_costs))
    if "baseline" in result:
        base = result["baseline"]
        paragraphs.append(
            say(
                "measurements.build_baseline",
                CARD,
                articles=f"{base['articles']:,}",
                articles_per_second=f"{base['articles_per_second']:,.1f}",
                speed_ratio=f"{result['speed_ratio']:,.1f}",
            )
        )
    return "\n\n".join(paragraphs)
