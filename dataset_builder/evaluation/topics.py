"""Scoring the topic annotator against the hand-labelled gold (`tests/gold/topics.json`).

Shared by `tests/test_topics.py` and `benchmarks/topics.py`: per-code precision, recall
and F1 over the top-level IPTC codes, their macro average, and the accuracy of the
primary topic, overall and per language.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from dataset_builder.annotators.segments import (
    ARTICLE_FIELDS,
    RELATED_FIELDS,
    Segment,
    record_segments,
)
from dataset_builder.annotators.topics import TopicResult
from dataset_builder.ingest.layouts.detect import parse_text


class GoldItem(NamedTuple):
    id: str
    language: str
    codes: frozenset[str]  # top-level codes that apply
    primary: str


def load_gold(path: Path) -> list[GoldItem]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return [
        GoldItem(item["id"], item["language"], frozenset(item["codes"]), item["primary"])
        for item in document["items"]
    ]


def seed_item_segments(paths: Sequence[Path]) -> dict[str, list[Segment]]:
    """Segments of each parsed seed article and of its related teasers, by gold item id.

    Articles are named by file stem, teasers `<stem>-r01`, `-r02`, ... in page order.
    """
    items: dict[str, list[Segment]] = {}
    for path in paths:
        record = parse_text(path.read_text(encoding="utf-8"))
        items[path.stem] = record_segments(record, ARTICLE_FIELDS)
        for number, teaser in enumerate(record["related"], start=1):
            items[f"{path.stem}-r{number:02d}"] = record_segments(teaser, RELATED_FIELDS)
    return items


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _scores(gold: Sequence[GoldItem], predicted: Mapping[str, TopicResult]) -> dict[str, Any]:
    predicted_codes = {
        item.id: {t["code"] for t in predicted[item.id].topics if t["level"] == 1} for item in gold
    }
    codes = sorted(set().union(*(item.codes for item in gold), *predicted_codes.values()))
    per_code: dict[str, dict[str, float | int]] = {}
    for code in codes:
        true_positive = sum(
            code in item.codes and code in predicted_codes[item.id] for item in gold
        )
        predicted_count = sum(code in predicted_codes[item.id] for item in gold)
        support = sum(code in item.codes for item in gold)
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        per_code[code] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_f1(precision, recall), 4),
            "support": support,
        }
    macro_f1 = sum(float(s["f1"]) for s in per_code.values()) / len(per_code) if per_code else 0.0
    correct = sum(predicted[item.id].primary_topic == item.primary for item in gold)
    return {
        "macro_f1": round(macro_f1, 4),
        "primary_accuracy": round(correct / len(gold), 4) if gold else 0.0,
        "per_code": per_code,
    }


def evaluate_topics(
    gold: Sequence[GoldItem], predicted: Mapping[str, TopicResult]
) -> dict[str, Any]:
    """Per-code precision/recall/F1 over top-level codes, macro-F1 and primary accuracy.

    Macro-F1 averages over every code that is in the gold or was predicted, so a code the
    annotator assigns but the gold never uses counts against it.
    """
    missing = [item.id for item in gold if item.id not in predicted]
    if missing:
        raise KeyError(f"no prediction for gold items: {', '.join(missing)}")
    figures = _scores(gold, predicted)
    per_language = {}
    for language in sorted({item.language for item in gold}):
        subset = [item for item in gold if item.language == language]
        scores = _scores(subset, predicted)
        per_language[language] = {
            "macro_f1": scores["macro_f1"],
            "primary_accuracy": scores["primary_accuracy"],
            "n": len(subset),
        }
    mismatches = []
    for item in gold:
        result = predicted[item.id]
        codes = sorted(t["code"] for t in result.topics if t["level"] == 1)
        if set(codes) != item.codes or result.primary_topic != item.primary:
            mismatches.append(
                {
                    "id": item.id,
                    "gold_codes": sorted(item.codes),
                    "predicted_codes": codes,
                    "gold_primary": item.primary,
                    "predicted_primary": result.primary_topic,
                }
            )
    return {**figures, "per_language": per_language, "items": len(gold), "mismatches": mismatches}


def file_segments(path: Path) -> list[Segment]:
    """Segments of a plain article file (title on the first line, body after it)."""
    return record_segments(parse_text(path.read_text(encoding="utf-8")), ARTICLE_FIELDS)


def load_development_gold(path: Path) -> list[GoldItem]:
    """The topics of a development gold file (tests/gold/devcorpus/<lang>.json), by file."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return [
        GoldItem(
            item["file"],
            document["language"],
            frozenset(item["topics"]["codes"]),
            item["topics"]["primary"],
        )
        for item in document["items"]
    ]


def development_scores(
    gold: Sequence[GoldItem], predicted: Mapping[str, TopicResult]
) -> dict[str, Any]:
    """Primary accuracy, micro and macro F1 over top-level codes, and the share of items
    given no topic at all."""
    scores = _scores(gold, predicted)
    predicted_codes = [
        {t["code"] for t in predicted[item.id].topics if t["level"] == 1} for item in gold
    ]
    true_positive = sum(
        len(item.codes & codes) for item, codes in zip(gold, predicted_codes, strict=True)
    )
    guessed = sum(len(codes) for codes in predicted_codes)
    expected = sum(len(item.codes) for item in gold)
    return {
        "n": len(gold),
        "primary_accuracy": scores["primary_accuracy"],
        "micro_f1": round(2 * true_positive / (guessed + expected), 4)
        if guessed + expected
        else 0.0,
        "macro_f1": scores["macro_f1"],
        "no_topic": round(sum(not codes for codes in predicted_codes) / len(gold), 4)
        if gold
        else 0.0,
    }


def section_agreement(
    labels: Mapping[str, str | None], predicted: Mapping[str, str | None]
) -> dict[str, Any]:
    """Agreement of predicted primary topics with the source's section label, where the
    label maps to one IPTC topic (`labels`: file -> mapped code or None); the share of all
    files given no topic."""
    mapped = {name: code for name, code in labels.items() if code is not None}
    agreeing = sum(predicted[name] == code for name, code in mapped.items())
    return {
        "files": len(labels),
        "mapped": len(mapped),
        "agreement": round(agreeing / len(mapped), 4) if mapped else 0.0,
        "no_topic": round(sum(predicted[name] is None for name in labels) / len(labels), 4)
        if labels
        else 0.0,
    }
