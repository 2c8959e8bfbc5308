"""Decode the bytes of an input into text, or refuse to guess.

Legacy 8-bit and multi-byte encodings accept most byte strings, so "decodes without error"
proves little: Windows-1258 Vietnamese is valid cp1252, and EUC-JP Japanese is valid GBK.
Each candidate reading is therefore checked for being plausible text in a language that
encoding is used for; exactly one plausible reading (or several that agree) is returned,
anything else is refused with a message that names the candidates and the fix.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from itertools import pairwise

# Byte-order marks identify an encoding with certainty.
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

FIX_HINT = 're-save the file as UTF-8, or set "encoding" in its sidecar <id>.meta.json'


class UndecodableError(ValueError):
    """The bytes are not text in any encoding that can be told apart with certainty."""


# File signatures of common binary formats.
BINARY_MAGIC = (
    b"\x89PNG",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x7fELF",
)

# ISO-2022-JP is 7-bit, so it is also valid UTF-8; its escape sequences give it away.
ISO2022_JP_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(I", b"\x1b$(D", b"\x1b$(Q")

# Python's canonical codec names, shown in the IANA spelling where the two differ, so that
# a declared and a detected encoding are reported alike.
DISPLAY_NAMES = {
    "iso8859-1": "iso-8859-1",
    "euc_jp": "euc-jp",
    "iso2022_jp": "iso-2022-jp",
    "iso2022_jp_2": "iso-2022-jp-2",
    "euc_kr": "euc-kr",
}

# Non-ASCII characters Western prose uses on their own; anything else non-ASCII in a
# cp1252 reading that is not a letter is a sign of mis-decoded multi-byte text.
WESTERN_PUNCTUATION = frozenset("–—‘’‚“”„…«»‹›•·€£¥©®°§×÷¡¿\u00a0")

QUOTES_DASHES = frozenset("–—‘’‚“”„…«»‹›")

# cp1258 tone marks as a cp1252 reading shows them: a vowel followed by one of these is
# the signature of Vietnamese mojibake ("Viêòt", "BaÒn").
CP1258_TONES_AS_CP1252 = frozenset("ÌìÒòÞ")
VOWELS = frozenset("aeiouyAEIOUYâêôăơưÂÊÔĂƠƯàáèéíóúýÀÁÈÉÍÓÚÝ")

# Letters only Vietnamese (among the languages cp1258 and cp1252 serve) writes.
VIETNAMESE_ONLY = frozenset("ăđơưĂĐƠƯĩũĨŨ")


def _display(name: str) -> str:
    canonical = codecs.lookup(name).name
    return DISPLAY_NAMES.get(canonical, canonical)


def _is_kana(ch: str) -> bool:
    # Full-width hiragana and katakana only: half-width katakana (U+FF61-FF9F) are what
    # EUC-JP or GBK bytes turn into when read as Shift_JIS, and rare in real text.
    return "\u3041" <= ch <= "\u30ff"


def _is_ideograph(ch: str) -> bool:
    return (
        "\u4e00" <= ch <= "\u9fff"
        or "\u3400" <= ch <= "\u4dbf"
        or "\uf900" <= ch <= "\ufaff"
        or "\U00020000" <= ch <= "\U0002fa1f"
        or ch in "々〆〇"
    )


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _is_cjk_neutral(ch: str) -> bool:
    """Punctuation and symbols every CJK encoding carries and CJK prose uses."""
    return (
        "\u3000" <= ch <= "\u303f"  # CJK punctuation
        or "\uff01" <= ch <= "\uff60"  # full-width ASCII
        or "\uffe0" <= ch <= "\uffef"
        or "\u2010" <= ch <= "\u205e"  # general punctuation
        or "\u2190" <= ch <= "\u21ff"  # arrows
        or "\u25a0" <= ch <= "\u26ff"  # shapes
        or ch in "×÷°§¶±·"
    )


def _lead_byte(ch: str, encoding: str) -> int | None:
    try:
        encoded = ch.encode(encoding)
    except UnicodeEncodeError:
        return None
    return encoded[0] if len(encoded) == 2 else None


@lru_cache(maxsize=65536)
def _common_kanji(ch: str) -> bool:
    # JIS X 0208 level 1 (EUC-JP rows 0xB0-0xCF): the ~3,000 kanji of everyday Japanese.
    lead = _lead_byte(ch, "euc_jp")
    return ch in "々〆〇" or (lead is not None and 0xB0 <= lead <= 0xCF)


@lru_cache(maxsize=65536)
def _common_hanzi(ch: str) -> bool:
    # GB 2312 level 1 (rows 0xB0-0xD7) or Big5's "frequently used" block (0xA440-0xC67E):
    # together they cover everyday Simplified and Traditional Chinese.
    gb = _lead_byte(ch, "gb2312")
    big5 = _lead_byte(ch, "big5")
    return (
        ch == "〇"
        or (gb is not None and 0xB0 <= gb <= 0xD7)
        or (big5 is not None and 0xA4 <= big5 <= 0xC6)
    )


def _clean(text: str) -> bool:
    """No control characters (C0 beyond whitespace, C1), replacement, private-use or unassigned code points."""
    for ch in text:
        if ch in "\t\n\r\f":
            continue
        if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"):
            return False
    return True


def _mostly_letters(text: str) -> bool:
    # A few letters among whitespace is not an article, whatever it decodes as.
    letters = sum(ch.isalpha() for ch in text)
    # ASCII symbols prose hardly uses, common in bytes that are not text.
    odd = sum(ch in "\\^`{|}~" for ch in text)
    return (
        odd * 50 <= len(text)
        and letters >= 3
        and letters * 2 >= len(text) - sum(ch.isspace() for ch in text)
    )


def _plausible_western(text: str) -> bool:
    """Latin-script prose in cp1252/Latin-1, and not the mojibake of another encoding."""
    if not _mostly_letters(text):
        return False
    non_ascii = [ch for ch in text if ord(ch) > 0x7F]
    if any(ch.isalpha() and "LATIN" not in unicodedata.name(ch, "") for ch in non_ascii):
        return False
    suspicious = sum(
        1
        for ch in non_ascii
        if not ch.isalpha() and ch not in WESTERN_PUNCTUATION and not ch.isspace()
    )
    for a, b, c in zip(text, text[1:], text[2:], strict=False):
        # Symbols and punctuation sit between words, not inside them (bar the apostrophe):
        # "a€a" is a multi-byte character's trail byte, not prose.
        if b in WESTERN_PUNCTUATION and b != "’" and a.isalpha() and c.isalpha():
            suspicious += 1
    for a, b in pairwise(text):
        # Two non-ASCII characters in a row: rare in Western words ("Größe"), the norm
        # when the two bytes of one CJK character are read as two characters. Closing
        # quotes after an ellipsis and the like are the exception.
        both_high = ord(a) > 0x7F and ord(b) > 0x7F
        quotes = a.isspace() or b.isspace() or (a in QUOTES_DASHES and b in QUOTES_DASHES)
        cp1258_tone = a in VOWELS and b in CP1258_TONES_AS_CP1252
        case_flip = a.islower() and b.isupper() and ord(b) > 0x7F
        if (both_high and not quotes) or cp1258_tone or case_flip:
            suspicious += 1
    return suspicious <= max(1, len(non_ascii) // 5)


def _plausible_vietnamese(text: str) -> bool:
    """NFC Vietnamese: tone marks all sit on letters, Vietnamese-only letters abound, and
    words are syllables of at most seven letters ("nghiêng")."""
    if not _mostly_letters(text):
        return False
    letters = 0
    vietnamese = 0
    for ch in text:
        if unicodedata.combining(ch):
            return False  # a tone mark that composed with nothing: not Vietnamese
        if ch.isalpha():
            letters += 1
            if ord(ch) > 0x7F and "LATIN" not in unicodedata.name(ch, ""):
                return False
            if ch in VIETNAMESE_ONLY or "\u1ea0" <= ch <= "\u1ef9":
                vietnamese += 1
        elif ord(ch) > 0x7F and not ch.isspace() and ch not in WESTERN_PUNCTUATION | {"₫"}:
            return False  # a stray symbol: bytes that are not prose
    words = ["".join(c for c in word if c.isalpha()) for word in text.split()]
    long_words = sum(len(word) > 7 for word in words)
    return vietnamese >= 2 and vietnamese * 12 >= letters and long_words * 20 <= len(words)


def _cjk_counts(text: str) -> tuple[int, int, int, int, int]:
    """(kana, ideographs, hangul, other non-ASCII, letters) of a text."""
    kana = ideographs = hangul = other = letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
        if ord(ch) <= 0x7F:
            continue
        if _is_kana(ch):
            kana += 1
        elif _is_ideograph(ch):
            ideographs += 1
        elif _is_hangul(ch):
            hangul += 1
        elif not _is_cjk_neutral(ch):
            other += 1
    return kana, ideographs, hangul, other, letters


def _mostly_cjk(text: str, script: int, other: int, letters: int) -> bool:
    non_ascii = sum(ord(ch) > 0x7F for ch in text)
    return script >= 2 and script * 2 >= letters and other * 20 <= non_ascii


def _plausible_japanese(text: str) -> bool:
    kana, ideographs, hangul, other, letters = _cjk_counts(text)
    if hangul or not _mostly_cjk(text, kana + ideographs, other, letters):
        return False
    # Japanese prose writes its particles and endings in kana; Chinese read as a Japanese
    # encoding has none.
    if kana * 10 < kana + ideographs:
        return False
    rare = sum(1 for ch in text if _is_ideograph(ch) and not _common_kanji(ch))
    return rare * 10 <= ideographs


def _plausible_chinese(text: str) -> bool:
    kana, ideographs, hangul, other, letters = _cjk_counts(text)
    if hangul or kana * 50 > ideographs or not _mostly_cjk(text, ideographs, other, letters):
        return False
    rare = sum(1 for ch in text if _is_ideograph(ch) and not _common_hanzi(ch))
    return rare * 10 <= ideographs


def _plausible_korean(text: str) -> bool:
    # Korean separates words with spaces and rarely writes hanja; Chinese read as EUC-KR
    # gives unspaced runs of Hangul mixed with hanja.
    kana, ideographs, hangul, other, letters = _cjk_counts(text)
    spaces = text.count(" ")
    # The 2,350 syllables of KS X 1001 (EUC-KR) are the everyday ones; cp949's other
    # 8,822 are what stray bytes turn into.
    rare = sum(1 for ch in text if _is_hangul(ch) and _lead_byte(ch, "euc_kr") is None)
    return (
        rare <= hangul // 20
        and not kana
        and _mostly_cjk(text, hangul, other, letters)
        and hangul * 10 >= (hangul + ideographs) * 9
        and spaces * 12 >= hangul
    )


def _plausible_chinese_or_japanese(text: str) -> bool:
    # GB18030 holds every character, and Japanese saved in it reads back correctly.
    return _plausible_chinese(text) or _plausible_japanese(text)


Check = Callable[[str], bool]

# (codecs tried in order, the first that decodes strictly names the reading; its check).
CANDIDATES: tuple[tuple[tuple[str, ...], Check], ...] = (
    (("cp1252",), _plausible_western),
    (("cp1258",), _plausible_vietnamese),
    (("shift_jis", "cp932"), _plausible_japanese),
    (("euc_jp",), _plausible_japanese),
    (("gb18030",), _plausible_chinese_or_japanese),
    (("big5", "cp950"), _plausible_chinese),
    (("euc_kr", "cp949"), _plausible_korean),
)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    # cp1258 writes most tone marks as combining characters; store the composed form.
    return unicodedata.normalize("NFC", text) if encoding == "cp1258" else text


def _refuse(reason: str) -> UndecodableError:
    return UndecodableError(f"{reason}; {FIX_HINT}")


def _decode_declared(data: bytes, declared: str) -> tuple[str, str]:
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise UndecodableError(
            f'declared encoding "{declared}" is not a known encoding; set "encoding" in the '
            "sidecar to an IANA or Python codec name, or re-save the file as UTF-8"
        ) from None
    if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise UndecodableError(
            f'declared encoding "{declared}" does not fit the bytes ({error.reason} at '
            f'byte {error.start}); correct "encoding" in the sidecar, or re-save the file '
            "as UTF-8"
        ) from None
    if codec == "cp1258":
        text = unicodedata.normalize("NFC", text)
    return text, _display(codec)


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Text and the encoding it was decoded from.

    A declared encoding (the sidecar's "encoding") always wins, decoded strictly. Otherwise,
    in order: a byte-order mark; ISO-2022-JP (7-bit, told by its escape sequences); strict
    UTF-8; then every legacy candidate (cp1252, cp1258, Shift_JIS, EUC-JP, GB18030, Big5,
    EUC-KR) that decodes strictly and reads as plausible text for its scripts. One plausible
    reading, or several identical ones, is returned; none, or two that differ, raise
    UndecodableError naming the candidates and the fix.
    """
    if declared is not None:
        return _decode_declared(data, declared)
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise _refuse(f"byte-order mark of {encoding}, but {error.reason}") from None
    if data.startswith(BINARY_MAGIC) or data.count(0) > max(1, len(data) // 100):
        raise UndecodableError("binary file (NUL bytes or a binary file signature)")
    if any(escape in data for escape in ISO2022_JP_ESCAPES) and data.isascii():
        for encoding in ("iso2022_jp", "iso2022_jp_2", "iso2022_jp_ext", "iso2022_jp_3"):
            text = _strict(data, encoding)
            if text is not None and _clean(text) and _plausible_japanese(text):
                return text, _display(encoding)
        raise _refuse("ISO-2022-JP escape sequences, but the bytes are not Japanese text in it")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass

    decoded: list[str] = []  # encodings under which the bytes decode at all
    plausible: dict[str, str] = {}  # text -> first encoding giving it
    for encodings, check in CANDIDATES:
        for encoding in encodings:
            text = _strict(data, encoding)
            if text is None:
                continue
            name = _display(encoding)
            if encoding == "cp1252" and not any(0x80 <= b <= 0x9F for b in data):
                name = "iso-8859-1"  # the two agree outside 0x80-0x9F
            decoded.append(name)
            if _clean(text) and check(text):
                plausible.setdefault(text, name)
            break
    if len(plausible) == 1:
        [(text, name)] = plausible.items()
        return text, name
    if plausible:
        raise _refuse(
            "not UTF-8, and the bytes read as plausible but different text in "
            + " and ".join(plausible.values())
        )
    tried = ", ".join(decoded) if decoded else "none of the supported legacy encodings"
    raise _refuse(
        f"not UTF-8 and no encoding detected with certainty (decodes as: {tried}, "
        "but none reads as plausible text)"
    )
