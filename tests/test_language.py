from __future__ import annotations

import random
import subprocess
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lingua import ConfidenceValue, IsoCode639_1, Language, LanguageDetectorBuilder

from dataset_builder.annotators import language as language_annotator
from dataset_builder.annotators.language import (
    MAX_DETECTION_CHARS,
    chinese_script,
    detect_language,
    detector_candidates,
    dominant_script,
    script_for,
)
from dataset_builder.config import LANGUAGES, MIN_LANGUAGE_CONFIDENCE
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("text", "language", "script"),
    [
        ("越南与日本的关系在经济、投资和文化领域不断发展。", "zh", "Hans"),
        ("越南與日本的關係在經濟、投資和文化領域不斷發展。", "zh", "Hant"),
        ("ベトナムと日本の関係は経済や文化の分野で発展している。", "ja", "Jpan"),
        ("Quan hệ Việt Nam - Nhật Bản phát triển mạnh mẽ trong năm nay.", "vi", "Latn"),
        ("Relations between Vietnam and Japan have grown in trade and culture.", "en", "Latn"),
        (
            "Relationerna mellan Vietnam och Japan har utvecklats inom handel och kultur.",
            "sv",
            "Latn",
        ),
    ],
)
def test_language_and_script(text: str, language: str, script: str) -> None:
    result = detect_language([text])
    assert (result.language, result.script) == (language, script)
    assert 0.5 <= result.confidence <= 1.0


def test_language_outside_the_configured_set_is_und() -> None:
    result = detect_language(["Die Beziehungen zwischen Vietnam und Japan sind sehr eng geworden."])
    assert result.language == "und"


def test_text_without_letters_is_und() -> None:
    assert detect_language(["2025-11-27 12:00"]).language == "und"


def test_one_stray_token_does_not_decide() -> None:
    # A Vietnamese image marker inside Chinese text does not change the language.
    text = (
        "日本外相上川阳子:友谊和信任是推动越日发展合作的动力 ảnh 1日本外相上川阳子。图自越通社" * 3
    )
    assert detect_language([text]).language == "zh"


def test_chinese_script_counts_exclusive_characters() -> None:
    assert chinese_script("国际关系") == "Hans"
    assert chinese_script("國際關係") == "Hant"
    assert chinese_script("日本") == "Hans"  # shared characters only: Hans by convention


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_chinese_script_agrees_with_counting_character_by_character(data: st.DataObject) -> None:
    simplified_only, traditional_only = language_annotator._chinese_script_sets()
    alphabet = st.sampled_from(
        sorted(simplified_only)[:40]
        + sorted(traditional_only)[:40]
        + ["日", "本", "a", " ", "\U00020000", "\U0010ffff", "\ud800"]
    )
    text = data.draw(st.text(alphabet, max_size=60) | st.text(max_size=30))
    simplified = sum(ch in simplified_only for ch in text)
    traditional = sum(ch in traditional_only for ch in text)
    assert chinese_script(text) == ("Hant" if traditional > simplified else "Hans")


def _lingua_result(text: str) -> tuple[str, str | None, float]:
    """What lingua itself makes of `text` (as far as the annotator reads it), with the
    candidates the annotator gives it."""
    text = text[:MAX_DETECTION_CHARS]
    candidates, detected_as = detector_candidates(tuple(LANGUAGES))
    detector = LanguageDetectorBuilder.from_languages(
        *(Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in candidates)
    ).build()
    best = detector.compute_language_confidence_values(text)[0]
    code = detected_as.get(best.language.iso_code_639_1.name.lower(), "und")
    confidence = round(best.value, 4)
    if code == "und" or confidence < MIN_LANGUAGE_CONFIDENCE:
        return "und", dominant_script(text), confidence
    return code, script_for(code, text), confidence


# Every block the annotator takes as ideographs: unified, extension A, compatibility,
# and the supplementary planes.
IDEOGRAPHS = st.one_of(
    *(
        st.characters(min_codepoint=low, max_codepoint=high, categories=["Lo"])
        for low, high in [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x3134F)]
    )
)
NOT_LETTERS = st.sampled_from([" ", "\n", "，", "。", "、", "(", ")", "-", "%", "2025", "·"])
LATIN_WORDS = st.sampled_from(["APEC", "Ishiba Shigeru", "ảnh", "Tokyo", "và", "och", "ß"])
KANA = st.characters(min_codepoint=0x3041, max_codepoint=0x30FA, categories=["Lo"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(IDEOGRAPHS, NOT_LETTERS), min_size=1, max_size=150))
def test_ideographs_alone_are_chinese_as_lingua_says(pieces: list[str]) -> None:
    text = "".join(pieces)
    assume(any(ch.isalpha() for ch in text))
    result = detect_language([text])
    assert (result.language, result.script, result.confidence) == _lingua_result(text)
    assert (result.language, result.confidence) == ("zh", 1.0)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(IDEOGRAPHS, NOT_LETTERS), max_size=30),
    st.lists(st.one_of(LATIN_WORDS, KANA), min_size=1, max_size=5),
    st.randoms(use_true_random=False),
)
def test_ideographs_among_other_letters_are_left_to_lingua(
    ideographs: list[str], others: list[str], rng: random.Random
) -> None:
    # A Latin word or kana among ideographs may make the text Japanese, another language
    # or undetermined (lingua weighs the words of each script): lingua is asked.
    pieces = ideographs + others
    rng.shuffle(pieces)
    text = "".join(pieces)
    # Kana too few to be Japanese are another rule's (test_stray_kana_among_ideographs...).
    assume(language_annotator._without_stray_kana(text[:MAX_DETECTION_CHARS]) is None)
    asked: list[str] = []
    detector = language_annotator._detector(detector_candidates(tuple(LANGUAGES))[0])

    class Recording:
        def compute_language_confidence_values(self, text: str) -> list[ConfidenceValue]:
            asked.append(text)
            return detector.compute_language_confidence_values(text)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(language_annotator, "_detector", lambda candidates: Recording())
        detect_language([text])
    assert asked == [text[:MAX_DETECTION_CHARS]]


MODELS_PROBE = """
import sys
from dataset_builder.annotators import language

def resident_mib():
    with open("/proc/self/status", encoding="ascii") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) // 1024

if sys.argv[1] == "load":
    language.load_models()
before = resident_mib()
for sentence in [
    "Relationerna mellan Vietnam och Japan har utvecklats inom handel och kultur. ",
    "Quan hệ Việt Nam - Nhật Bản phát triển mạnh mẽ trong năm nay. ",
    "Relations between Vietnam and Japan have grown in trade and culture. ",
    "Die Beziehungen zwischen Vietnam und Japan sind sehr eng geworden. ",
]:
    language.detect_language([sentence * 8])
print(resident_mib() - before)
"""


@pytest.mark.parametrize(
    "text",
    [
        # A Chinese report quoting a Japanese title that holds one kana.
        "日本首相在东京出席《日本の未来》论坛并发表讲话，表示将继续加强与越南在经济、"
        "贸易、投资和人力资源培训等领域的合作，推动两国全面战略伙伴关系深入发展。",
        # A Japanese brand with a katakana letter in a Chinese business report.
        "越南与日本企业签署协议，ソ尼公司将在河内建设新工厂，预计明年投产，"
        "项目总投资约五亿美元，将为当地创造两千多个就业岗位。",
    ],
)
def test_stray_kana_among_ideographs_are_chinese_quoting_japanese(text: str) -> None:
    assert detect_language([text]).language == "zh"


@pytest.mark.parametrize(
    "text",
    [
        "日越首脳会談で経済連携協定に署名へ",
        "日本とベトナムの首脳は二十七日にハノイで会談し、貿易と投資の拡大で合意した。",
    ],
)
def test_japanese_with_its_kana_stays_japanese(text: str) -> None:
    assert detect_language([text]).language == "ja"


def test_loaded_models_leave_nothing_to_load_for_articles_in_latin_script() -> None:
    # In a fresh process, as in the server worker processes are forked from: once
    # load_models has run, articles in each Latin-script language find lingua's models
    # in memory; without it, the first of them loads them.
    def growth(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", MODELS_PROBE, mode],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        return int(done.stdout)

    # The models are most of what the lazy process grows by; the rest is the allocator's
    # own, which varies from run to run: the smaller of two runs is the loaded figure.
    loaded, lazy = min(growth("load"), growth("load")), growth("lazy")
    assert lazy >= 10
    assert loaded * 2 < lazy
