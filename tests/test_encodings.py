"""Legacy encodings decode to exactly the original text, or are refused with a hint: never mojibake."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_builder.ingest.decode import FIX_HINT, UndecodableError, decode

VI = (
    "Quan hệ Việt Nam – Nhật Bản bước vào giai đoạn mới\n\n"
    "Thủ tướng hai nước đã gặp nhau tại Hà Nội và thống nhất mở rộng hợp tác về thương mại, "
    "đầu tư, giáo dục và đào tạo nguồn nhân lực. Những dự án hạ tầng quan trọng như tuyến "
    "đường sắt đô thị sẽ được đẩy nhanh tiến độ trong năm tới, theo Bộ Ngoại giao."
)
JA = (
    "日本とベトナム、経済協力を強化\n\n"
    "両国の首脳は二十七日にハノイで会談し、貿易と投資の拡大、人材育成での協力を進めることで"
    "合意した。関係者によると、新しい鉄道や港湾の建設計画も話し合われたという。"
)
ZH_HANS = (
    "越南与日本加强经济合作\n\n"
    "两国领导人于2025年4月27日在河内举行会谈，双方同意扩大贸易和投资合作，推动人力资源培训。"
    "专家认为，这次会谈将为两国关系带来新的发展机遇。"
)
ZH_HANT = (
    "越南與日本加強經濟合作\n\n"
    "兩國領導人於2025年4月27日在河內舉行會談，雙方同意擴大貿易和投資合作，推動人力資源培訓。"
    "專家認為，這次會談將為兩國關係帶來新的發展機遇。"
)
SV = (
    "Vietnam och Japan stärker samarbetet\n\n"
    "Ledarna för de två länderna träffades i Hanoi och kom överens om att öka handeln. Båda "
    "sidor vill också förbättra utbytet av studenter och lärare – en ”ny era”, säger källor."
)
EN = (
    "Vietnam and Japan deepen cooperation\n\n"
    "The leaders of the two countries met in Hanoi and agreed to expand trade, investment "
    "and the exchange of students and engineers."
)
# Without typographic quotes and dashes, so that ISO-8859-1 can hold it too.
SV_PLAIN = SV.replace("–", "-").replace("”", '"')
TEXTS = {
    "vi": VI,
    "ja": JA,
    "zh-Hans": ZH_HANS,
    "zh-Hant": ZH_HANT,
    "sv": SV,
    "sv-plain": SV_PLAIN,
    "en": EN,
}

ENCODINGS = (
    "cp1252",
    "latin-1",
    "cp1258",
    "shift_jis",
    "cp932",
    "euc_jp",
    "iso2022_jp",
    "gbk",
    "gb18030",
    "big5",
    "cp950",
    "utf-16",
    "utf-8",
)

# Names decode may report for bytes written in each encoding (supersets and the
# ASCII-only case, where UTF-8 is the exact answer).
SENSIBLE_NAMES = {
    "cp1252": {"cp1252", "iso-8859-1"},
    "latin-1": {"iso-8859-1", "cp1252"},
    "cp1258": {"cp1258", "cp1252", "iso-8859-1"},  # Swedish is the same bytes in all three
    "shift_jis": {"shift_jis", "cp932"},
    "cp932": {"shift_jis", "cp932"},
    "euc_jp": {"euc-jp"},
    "iso2022_jp": {"iso-2022-jp", "iso-2022-jp-2"},
    "gbk": {"gb18030"},
    "gb18030": {"gb18030"},
    "big5": {"big5", "cp950"},
    "cp950": {"big5", "cp950"},
    "utf-16": {"utf-16"},
    "utf-8": {"utf-8"},
}

# Cases the builder must read; the remaining (text, encoding) pairs may be refused.
MUST_DECODE = {
    ("vi", "cp1258"),
    ("ja", "shift_jis"),
    ("ja", "cp932"),
    ("ja", "euc_jp"),
    ("ja", "iso2022_jp"),
    ("zh-Hans", "gbk"),
    ("zh-Hans", "gb18030"),
    ("zh-Hant", "big5"),
    ("zh-Hant", "cp950"),
    ("sv", "cp1252"),
    ("sv", "utf-16"),
    ("sv-plain", "latin-1"),
    ("en", "cp1252"),
}

CP1258_TONES = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str) -> bytes:
    """Vietnamese as Windows writes it in cp1258: a precomposed base letter, then the tone mark.

    Python's cp1258 codec maps single code points only, so "ệ" must be split into "ê" and
    a combining dot below first.
    """
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in CP1258_TONES))
            out += (base + "".join(c for c in parts if c in CP1258_TONES)).encode("cp1258")
    return bytes(out)


def encoded(text: str, encoding: str) -> bytes | None:
    """The text in that encoding, or None when the encoding cannot hold it."""
    try:
        return encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    except UnicodeEncodeError:
        return None


CASES = [
    pytest.param(language, encoding, id=f"{language}-{encoding}")
    for language, text in TEXTS.items()
    for encoding in ENCODINGS
    if encoded(text, encoding) is not None
]


def test_the_required_cases_are_encodable() -> None:
    assert {(c.values[0], c.values[1]) for c in CASES} >= MUST_DECODE


@pytest.mark.parametrize(("language", "encoding"), CASES)
def test_decodes_exactly_or_refuses_with_the_fix(language: str, encoding: str) -> None:
    text = TEXTS[language]
    data = encoded(text, encoding)
    assert data is not None
    try:
        decoded, name = decode(data)
    except UndecodableError as error:
        assert (language, encoding) not in MUST_DECODE, str(error)
        assert FIX_HINT in str(error)
        return
    assert decoded == text
    assert unicodedata.is_normalized("NFC", decoded)
    # Bytes identical to the UTF-8 form are UTF-8, whatever encoding wrote them.
    expected = {"utf-8"} if data == text.encode("utf-8") else SENSIBLE_NAMES[encoding]
    assert name in expected


def test_vietnamese_tone_marks_are_stored_composed() -> None:
    data = encode_cp1258(VI)
    assert "\u0323".encode("cp1258") in data  # the file really holds combining marks
    decoded, name = decode(data)
    assert (decoded, name) == (VI, "cp1258")
    assert not any(unicodedata.combining(ch) for ch in decoded)


def test_the_windows_1258_article_from_the_issue_is_not_mojibake() -> None:
    text = "Việt Nam và Nhật Bản"
    decoded, name = decode(encode_cp1258(text + "\n\n" + VI))
    assert decoded.startswith(text) and name == "cp1258"
    assert "Viêòt" not in decoded


# Every byte string any of the texts becomes, under any encoding.
ALL_INPUTS = [
    (language, encoding, data)
    for language, text in TEXTS.items()
    for encoding in ENCODINGS
    if (data := encoded(text, encoding)) is not None
]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(ALL_INPUTS))
def test_no_input_ever_comes_back_garbled(case: tuple[str, str, bytes]) -> None:
    language, encoding, data = case
    try:
        decoded, _ = decode(data)
    except UndecodableError:
        return
    assert decoded == TEXTS[language], (language, encoding)


@pytest.mark.parametrize(("language", "encoding", "data"), ALL_INPUTS)
def test_misreadings_as_latin_are_never_chosen(language: str, encoding: str, data: bytes) -> None:
    """The mojibake check of the issue: the Latin-1/cp1252 reading of a multi-byte or
    cp1258 file is a different string, and decode must never return it."""
    for latin in ("cp1252", "latin-1"):
        try:
            misread = data.decode(latin)
        except UnicodeDecodeError:
            continue
        if misread == TEXTS[language]:
            continue  # the bytes are Latin text: the Latin reading is the right one
        try:
            decoded, _ = decode(data)
        except UndecodableError:
            continue
        assert decoded != misread, (language, encoding, latin)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (VI, "cp1258"),
        (JA, "euc_jp"),
        (JA, "shift_jis"),
        (JA, "iso2022_jp"),
        (ZH_HANS, "gbk"),
        (ZH_HANT, "big5"),
        (SV, "cp1252"),
        (SV, "utf-8"),
    ],
)
def test_a_declared_encoding_always_wins(text: str, encoding: str) -> None:
    data = encoded(text, encoding)
    assert data is not None
    decoded, _ = decode(data, declared=encoding)
    assert decoded == text


def test_a_declared_encoding_wins_over_detection() -> None:
    # These bytes are plausible Swedish in cp1252; a sidecar saying cp1250 is obeyed.
    data = "Vietnam och Japan stärker samarbetet i Hanoi".encode("cp1252")
    decoded, name = decode(data, declared="iso-8859-15")
    assert decoded == data.decode("iso-8859-15") and name == "iso8859-15"


def test_a_wrong_declared_encoding_is_named_in_the_error() -> None:
    with pytest.raises(UndecodableError, match='declared encoding "shift_jis"'):
        decode(ZH_HANS.encode("gbk"), declared="shift_jis")
    with pytest.raises(UndecodableError, match='declared encoding "klingon-8"'):
        decode(b"text", declared="klingon-8")


def test_refusals_name_the_candidates_and_the_fix() -> None:
    with pytest.raises(UndecodableError) as raised:
        decode(SV.encode("gb18030"))
    message = str(raised.value)
    assert "gb18030" in message and FIX_HINT in message


def test_the_sidecar_schema_allows_an_encoding() -> None:
    schema = json.loads(
        (Path(__file__).parents[1] / "schema" / "metadata.schema.json").read_text("utf-8")
    )
    prop = schema["properties"]["encoding"]
    assert prop["type"] == "string" and prop["description"]


# Bytes that look like legacy text (letters, spaces and high bytes) but say nothing.
LEGACY_LOOKING = st.lists(
    st.one_of(
        st.sampled_from(list(b"abcdefghijklmnopqrstuvwxyz      ")),
        st.integers(min_value=0x80, max_value=0xFF),
    ),
    min_size=40,
    max_size=400,
).filter(lambda xs: sum(x >= 0x80 for x in xs) * 3 >= len(xs))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(LEGACY_LOOKING)
def test_random_high_bytes_are_refused(values: list[int]) -> None:
    with pytest.raises(UndecodableError):
        decode(bytes(values))


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.binary(min_size=1))
def test_arbitrary_bytes_are_refused_or_read_losslessly(data: bytes) -> None:
    try:
        text, name = decode(data)
    except UndecodableError:
        return
    # Whatever is accepted is the exact content of the bytes under the reported encoding
    # (normalised to NFC where the encoding writes accents as combining characters).
    raw = data.decode(name)
    assert text in {raw, unicodedata.normalize("NFC", raw)}
