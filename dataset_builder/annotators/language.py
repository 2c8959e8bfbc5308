"""Language and script of a text.

Language comes from lingua with the declared languages as candidates (models ship inside
the package; nothing is downloaded): those with a `detector` code in
`resources/languages.json`, and the guard languages that only tell that text is in none
of them. A language lingua has no model of is never detected, only used when named. The
script is the one the language's entry gives; lingua does not tell simplified from
traditional Chinese, so where the entry leaves the choice to the text, it is decided by
counting characters that exist only in one of the two writing systems.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from dataset_builder.annotators.languages import UNDETERMINED, scan_languages
from dataset_builder.config import LANGUAGES, MIN_LANGUAGE_CONFIDENCE, RESOURCES_DIR

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

VERSION = "3"
# Long articles are identified from their title and the first characters of their text:
# the detector's cost grows linearly with the text, and past this length more text no
# longer changes the language it finds. Much shorter, it would use its models for short
# text, which are slower and less sure.
MAX_DETECTION_CHARS = 300

# Ideographs lingua's rules count as Chinese (blocks of the Han script only).
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
# Kana letters (the katakana middle dot, which Chinese also writes between the parts of a
# foreign name, is punctuation and left out).
_KANA = re.compile(
    "[\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f]"
)
# Japanese writes its grammar in kana, so kana are a large share of any Japanese sentence;
# ideographs with kana below this share are Chinese quoting a Japanese name or title, which
# lingua's rules (any kana means Japanese) would call Japanese.
STRAY_KANA_SHARE = 0.05
# Latin script with no letter particular to one language, as long as the detection window:
# to tell it apart, lingua loads the models of every candidate written in Latin script
# that it uses for text of that length.
_MODEL_SAMPLE = ("Vietnam and Japan signed agreements on trade, culture and education. " * 8)[
    :MAX_DETECTION_CHARS
]


class LanguageResult(NamedTuple):
    language: str
    script: str | None
    confidence: float


@cache
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    candidates = []
    for code in languages:
        iso_code = getattr(IsoCode639_1, code.upper(), None)
        if iso_code is None:
            raise ValueError(f"the language detector has no model of {code!r}")
        candidates.append(Language.from_iso_code_639_1(iso_code))
    return LanguageDetectorBuilder.from_languages(*candidates).build()


@cache
def detector_candidates(
    languages: tuple[str, ...], root: Path = RESOURCES_DIR
) -> tuple[tuple[str, ...], Mapping[str, str]]:
    """The codes lingua is asked to choose between for `languages` (declared under
    `root`), and the declared language each of their own codes stands for.

    Languages without a detector model are left out; the guard languages are added.
    """
    declared = scan_languages(root)
    undeclared = [code for code in languages if code not in declared]
    if undeclared:
        raise ValueError(f"not declared languages: {', '.join(undeclared)}")
    detected_as = {
        detector: code for code in languages if (detector := declared[code].detector) is not None
    }
    candidates = tuple(dict.fromkeys([*detected_as, *declared.guard_languages]))
    return candidates, detected_as


def _decided_as_chinese(text: str) -> bool:
    """Whether every letter of `text` is an ideograph: lingua's rules then call it Chinese
    with confidence 1.0 before looking at any model.

    Deciding it here spares most Chinese text the call into lingua. A Latin word, kana or
    hangul leaves the decision to lingua, whose rules then weigh the words of each script.
    """
    return not any(ch.isalpha() for ch in _HAN.sub("", text))


def _without_stray_kana(text: str) -> str | None:
    """`text` without its kana when they are too few among its ideographs to be Japanese
    (see STRAY_KANA_SHARE), else None."""
    kana = len(_KANA.findall(text))
    if not kana or kana >= STRAY_KANA_SHARE * (kana + len(_HAN.findall(text))):
        return None
    return _KANA.sub("", text)


def load_models(languages: Sequence[str] = LANGUAGES, root: Path = RESOURCES_DIR) -> None:
    """Have lingua load the models it tells `languages` apart by in an article's text,
    now rather than at the first such text in Latin script, and read the Chinese script
    tables.

    lingua loads a language's models the first time a text could be in it, and only
    texts in Latin script need them (other scripts are decided by its rules). Text of an
    article's length is told apart by one n-gram size; a short text (a headline alone)
    uses all sizes, whose models take many times longer to load, and they are left to
    the first short text in Latin script. Called in the process that worker processes
    are forked from, so that they share one copy.
    """
    candidates, _ = detector_candidates(tuple(languages), root)
    _detector(candidates).compute_language_confidence_values(_MODEL_SAMPLE)
    chinese_script("")  # and the characters that tell the Chinese scripts apart


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


# Classes of a character in `_chinese_script_table`: bit 1 simplified only, bit 2
# traditional only (both bits would mean the resource lists it under both).
_SIMPLIFIED, _TRADITIONAL = 1, 2


@cache
def _chinese_script_table() -> npt.NDArray[np.uint8]:
    """The class of every code point up to the highest listed one, and one more entry
    (class 0) that stands for every code point above it."""
    import numpy as np  # here, so that annotating text that is not Chinese never loads it

    simplified_only, traditional_only = _chinese_script_sets()
    highest = max(map(ord, simplified_only | traditional_only), default=0)
    table = np.zeros(highest + 2, dtype=np.uint8)
    table[[ord(ch) for ch in simplified_only]] |= _SIMPLIFIED
    table[[ord(ch) for ch in traditional_only]] |= _TRADITIONAL
    return table


def chinese_script(text: str) -> str:
    """Hans or Hant: whichever script's exclusive characters are more frequent (Hans on a tie)."""
    import numpy as np

    table = _chinese_script_table()
    # Counting over the code points as an array: a loop over the characters in Python
    # costs more than the rest of the language step for a Chinese article.
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = np.bincount(table[np.minimum(codes, len(table) - 1)], minlength=4)
    simplified = int(classes[_SIMPLIFIED] + classes[_SIMPLIFIED | _TRADITIONAL])
    traditional = int(classes[_TRADITIONAL] + classes[_SIMPLIFIED | _TRADITIONAL])
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


def script_for(language: str, text: str, root: Path = RESOURCES_DIR) -> str | None:
    """The script of `text` in `language`, as the language's entry gives it; for a
    language not declared under `root`, the most frequent script of the text."""
    declared = scan_languages(root)
    script = declared[language].script if language in declared else None
    if isinstance(script, str):
        return script
    if script == ("Hans", "Hant"):
        return chinese_script(text)
    return dominant_script(text)


def detect_language(
    texts: Sequence[str], languages: Sequence[str] = LANGUAGES, root: Path = RESOURCES_DIR
) -> LanguageResult:
    """Language of the joined texts (title and body, never a lone token), one of
    `languages` (declared under `root`) or "und"."""
    text = "\n".join(t for t in texts if t)[:MAX_DETECTION_CHARS]
    if not any(ch.isalpha() for ch in text):
        return LanguageResult(UNDETERMINED, None, 0.0)
    candidates, detected_as = detector_candidates(tuple(languages), root)
    chinese = detected_as.get("zh")
    if chinese is not None:
        if _decided_as_chinese(text):
            return LanguageResult(chinese, script_for(chinese, text, root), 1.0)
        quoting = _without_stray_kana(text)
        if quoting is not None and _decided_as_chinese(quoting):
            return LanguageResult(chinese, script_for(chinese, text, root), 1.0)
        text = quoting or text
    values = _detector(candidates).compute_language_confidence_values(text)
    best = values[0] if values else None
    confidence = round(best.value, 4) if best else 0.0
    found = best.language.iso_code_639_1.name.lower() if best else UNDETERMINED
    code = detected_as.get(found)
    if code is None or confidence < MIN_LANGUAGE_CONFIDENCE:
        return LanguageResult(UNDETERMINED, dominant_script(text), confidence)
    return LanguageResult(code, script_for(code, text, root), confidence)
