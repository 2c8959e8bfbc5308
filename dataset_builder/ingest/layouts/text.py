"""Text clean-up and paragraph helpers shared by the page layouts."""

from __future__ import annotations

import re
import unicodedata

from dataset_builder.ingest.records import Record


class PageError(ValueError):
    """A page that cannot become an article, naming the rule it breaks and the field.

    `field` is a JSON path into the article (`$.published_date`); the build turns the
    error into a reject of the page's file. The arguments are kept in `args`, so the
    error survives the trip back from a worker process (pickling).
    """

    def __init__(self, rule: str, field: str, message: str) -> None:
        super().__init__(rule, field, message)
        self.rule = rule
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message} [{self.rule}]"


# Control characters (Unicode category Cc) other than tab and newline, byte-order marks
# and lone surrogates: never part of an article's text.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ud800-\udfff]")


# Characters that show nothing on their own: whitespace other than newline, format
# characters (category Cf: zero-width space and joiners, bidi controls, soft hyphen,
# tags, ...), the other default-ignorable code points of Unicode (combining grapheme
# joiner, Hangul fillers, variation selectors, ...) and the braille blank, which renders
# as a space.
# Listed rather than derived from `unicodedata`, which would mean a scan of every code
# point at each start; tests/test_parse_robustness.py checks the list against the Unicode
# data of the running Python.
BLANK_CHARACTER_RANGES = (
    (0x0009, 0x0009),
    (0x000B, 0x000D),
    (0x001C, 0x0020),
    (0x0085, 0x0085),
    (0x00A0, 0x00A0),
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x1680, 0x1680),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2000, 0x200F),
    (0x2028, 0x202F),
    (0x205F, 0x206F),
    (0x2800, 0x2800),
    (0x3000, 0x3000),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


_BLANK_CLASS = "".join(
    re.escape(chr(first)) + ("-" + re.escape(chr(last)) if last > first else "")
    for first, last in BLANK_CHARACTER_RANGES
)


# A line of nothing but such characters reads as empty: it is a blank line, so a title
# or body made of them is empty. Inside a line they are kept, because a joiner or
# non-joiner there shapes a word (Persian, Indic scripts) or an emoji sequence.
BLANK_LINE = re.compile(f"^[{_BLANK_CLASS}]+$", re.MULTILINE)


def normalise_text(text: str) -> str:
    """NFC, Unix line ends, no control characters except newline and tab; a line that
    shows nothing (only whitespace and invisible characters) is emptied."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", CONTROL_CHARACTERS.sub("", text))
    return BLANK_LINE.sub("", text)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in normalise_text(text).split("\n") if line.strip()]


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [item for item in items if not (item in seen or seen.add(item))]  # type: ignore[func-returns-value]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _drop_excerpts(paragraphs: list[str]) -> list[str]:
    """Drop paragraphs that reappear at the start of a later paragraph.

    Some pages print pull-quote excerpts of the article before its body; the full
    paragraph follows later, so the excerpt is a duplicate, not the article's text.
    Paragraphs are compared without whitespace.
    """
    # Excerpts may end in a full stop where the full paragraph goes on with a comma.
    keys = [_squeeze(p).rstrip("。.!?！？") for p in paragraphs]
    # Comparing each paragraph with every later one is quadratic, and a page may hold
    # hundreds of thousands of lines. In sorted order, the keys that start with a key
    # follow it in one run, so a stack of keys that are prefixes of one another finds,
    # for each key, the last paragraph (in page order) whose key starts with it.
    # A stable sort keeps equal keys in page order, so an equal later key counts.
    last = list(range(len(keys)))
    stack: list[int] = []

    def close() -> None:
        done = stack.pop()
        if stack:
            last[stack[-1]] = max(last[stack[-1]], last[done])

    for i in sorted(range(len(keys)), key=keys.__getitem__):
        while stack and not keys[i].startswith(keys[stack[-1]]):
            close()
        stack.append(i)
    while stack:
        close()
    return [p for i, p in enumerate(paragraphs) if last[i] == i]


def _set_lead_and_body(record: Record, paragraphs: list[str]) -> None:
    """The first paragraph is the lead and the rest the body; a lone paragraph is the body
    (an article always has one)."""
    if len(paragraphs) == 1:
        record["body"] = paragraphs[0]
    elif paragraphs:
        record["lead"] = paragraphs[0]
        record["body"] = "\n\n".join(paragraphs[1:])
