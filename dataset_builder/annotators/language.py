"""Language and script of a text.

Language comes from lingua with a configured set of candidates (models ship inside the
package; nothing is downloaded). Lingua does not tell simplified from traditional Chinese,
so the script of Chinese text is decided by counting characters that exist only in one of
the two writing systems.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from dataset_builder.config import (
    GUARD_LANGUAGES,
    LANGUAGES,
    MIN_LANGUAGE_CONFIDENCE,
    RESOURCES_DIR,
)

UNDETERMINED = "und"
VERSION = "1"
# Long articles are identified from their title and the first characters of their text:
# on the seeds the confidence is already 1.0 at 300 characters, and the detector's cost
# grows linearly with the text (about 1 ms per 1,000 Latin characters).
MAX_DETECTION_CHARS = 400


class LanguageResult(NamedTuple):
    language: str
    script: str | None
    confidence: float


@cache
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    candidates = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in languages
    ]
    return LanguageDetectorBuilder.from_languages(*candidates).build()


@cache
def _chinese_script_sets() -> tuple[frozenset[str], frozenset[str]]:
    with (RESOURCES_DIR / "script" / "chinese_scripts.json").open(encoding="utf-8") as handle:
        data = json.load(handle)
    return frozenset(data["simplified_only"]), frozenset(data["traditional_only"])


@cache
def _to_simplified_table() -> dict[int, str]:
    with (RESOURCES_DIR / "script" / "chinese_scripts.json").open(encoding="utf-8") as handle:
        mapping: dict[str, str] = json.load(handle)["traditional_to_simplified"]
    return str.maketrans(mapping)


def to_simplified(text: str) -> str:
    """Traditional characters replaced by simplified ones, one for one: offsets are kept.

    Lets resources written in simplified characters match traditional text.
    """
    return text.translate(_to_simplified_table())


def chinese_script(text: str) -> str:
    """Hans or Hant: whichever script's exclusive characters are more frequent (Hans on a tie)."""
    simplified_only, traditional_only = _chinese_script_sets()
    simplified = sum(map(simplified_only.__contains__, text))
    traditional = sum(map(traditional_only.__contains__, text))
    return "Hant" if traditional > simplified else "Hans"


def dominant_script(text: str) -> str | None:
    """ISO 15924 code of the most frequent script among the letters of `text`."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("CJK") or name.startswith("HIRAGANA") or name.startswith("KATAKANA"):
            script = "Jpan" if name.startswith(("HIRAGANA", "KATAKANA")) else "Hani"
        elif name.startswith("LATIN"):
            script = "Latn"
        elif name.startswith("CYRILLIC"):
            script = "Cyrl"
        elif name.startswith("ARABIC"):
            script = "Arab"
        elif name.startswith("HANGUL"):
            script = "Hang"
        else:
            script = "Zyyy"
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    best = max(sorted(counts), key=lambda s: counts[s])
    return None if best == "Hani" else best


def script_for(language: str, text: str) -> str | None:
    if language == "zh":
        return chinese_script(text)
    if language == "ja":
        return "Jpan"
    if language in {"sv", "vi", "en"}:
        return "Latn"
    return dominant_script(text)


def detect_language(texts: Sequence[str], languages: Sequence[str] = LANGUAGES) -> LanguageResult:
    """Language of the joined texts (title and body, never a lone token)."""
    text = "\n".join(t for t in texts if t)[:MAX_DETECTION_CHARS]
    if not any(ch.isalpha() for ch in text):
        return LanguageResult(UNDETERMINED, None, 0.0)
    candidates = tuple(dict.fromkeys([*languages, *GUARD_LANGUAGES]))
    values = _detector(candidates).compute_language_confidence_values(text)
    best = values[0] if values else None
    confidence = round(best.value, 4) if best else 0.0
    code = best.language.iso_code_639_1.name.lower() if best else UNDETERMINED
    if code not in languages or confidence < MIN_LANGUAGE_CONFIDENCE:
        return LanguageResult(UNDETERMINED, dominant_script(text), confidence)
    return LanguageResult(code, script_for(code, text), confidence)
