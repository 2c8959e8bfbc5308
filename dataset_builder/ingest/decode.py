"""Decode the bytes of an input into text, or refuse to guess."""

from __future__ import annotations

import codecs

# Byte-order marks identify an encoding with certainty.
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UndecodableError(ValueError):
    """The bytes are not text in any encoding that can be told apart with certainty."""


# Multi-byte encodings charset-normalizer tells apart reliably on Chinese text.
CJK_ENCODINGS = {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "cp936"}


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


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was decoded from.

    In order: a byte-order mark; strict UTF-8; a Chinese multi-byte encoding when
    charset-normalizer finds one with no mess; Windows-1252 (reported as ISO-8859-1 when
    no byte falls in 0x80-0x9F, where the two agree). Anything else raises
    UndecodableError rather than guess.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise UndecodableError(
                    f"byte-order mark of {encoding}, but {error.reason}"
                ) from None
    if data.startswith(BINARY_MAGIC) or data.count(0) > max(1, len(data) // 100):
        raise UndecodableError("binary file (NUL bytes or a binary file signature)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding in CJK_ENCODINGS and best.chaos == 0.0:
        return str(best), best.encoding
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise UndecodableError(
            f"not UTF-8 and no encoding detected with certainty ({error.reason})"
        ) from None
    letters = sum(ch.isalpha() for ch in text)
    if letters < len(text) // 2:
        raise UndecodableError("not UTF-8 and no encoding detected with certainty")
    return text, ("iso-8859-1" if not any(0x80 <= b <= 0x9F for b in data) else "cp1252")
