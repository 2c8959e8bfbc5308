"""Agreement between two independent readings of the development gold.

For each language with a second reading (`tests/gold/devcorpus/<lang>.second.json`, a
sample of the files of `<lang>.json`), the first reading is scored as if it were the gold
and the second the prediction, with the scoring of the benchmarks: exact span F1 and value
F1 (optional items count neither way), primary-topic agreement and micro F1 of the topic
codes. Writes benchmarks/results/gold_agreement.json.

    python benchmarks/gold_agreement.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dataset_builder.evaluation.dates import DevScores, score_development  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "devcorpus"
RESULTS = ROOT / "benchmarks" / "results" / "gold_agreement.json"


def _mentions(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"field": "body", "field_index": None, **e} for e in item["expressions"]]


def agreement(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    firsts = {item["file"]: item for item in first["items"]}
    scores = DevScores(0, 0, 0, 0, 0, 0)
    primary = shared_codes = codes_first = codes_second = 0
    for item in second["items"]:
        reference = firsts[item["file"]]
        # Optional in either reading: a judgement call, which counts neither way.
        optional = {
            (e["span_start"], e["span_end"])
            for e in [*reference["expressions"], *item["expressions"]]
            if e.get("optional")
        }
        gold = [
            {**e, "optional": e.get("optional") or (e["span_start"], e["span_end"]) in optional}
            for e in _mentions(reference)
        ]
        predicted = [e for e in _mentions(item) if (e["span_start"], e["span_end"]) not in optional]
        scores += score_development(gold, predicted)
        a, b = set(reference["topics"]["codes"]), set(item["topics"]["codes"])
        shared_codes += len(a & b)
        codes_first += len(a)
        codes_second += len(b)
        primary += reference["topics"]["primary"] == item["topics"]["primary"]
    files = len(second["items"])
    return {
        "files": files,
        "expressions_first": scores.gold,
        "expressions_second": scores.predicted,
        "span_f1": round(scores.span_f1, 3),
        "value_f1": round(scores.value_f1, 3),
        "primary_topic_agreement": round(primary / files, 3) if files else 0.0,
        "topic_codes_f1": round(2 * shared_codes / (codes_first + codes_second), 3)
        if codes_first + codes_second
        else 0.0,
    }


def main() -> None:
    results: dict[str, Any] = {}
    for second_path in sorted(GOLD.glob("*.second.json")):
        language = second_path.name.split(".")[0]
        first = json.loads((GOLD / f"{language}.json").read_text(encoding="utf-8"))
        second = json.loads(second_path.read_text(encoding="utf-8"))
        results[language] = agreement(first, second)
        row = results[language]
        print(
            f"{language}: {row['files']} files; dates span F1 {row['span_f1']:.3f}, value F1 "
            f"{row['value_f1']:.3f} ({row['expressions_first']} / {row['expressions_second']} "
            f"non-optional expressions); topics primary {row['primary_topic_agreement']:.2f}, "
            f"codes F1 {row['topic_codes_f1']:.3f}"
        )
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
