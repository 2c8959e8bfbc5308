from __future__ import annotations

import pytest

from dataset_builder.annotators.language import chinese_script, detect_language


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
