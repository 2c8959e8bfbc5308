"""Turn the text of one input into a structured article.

Three layouts are recognised: Vietnam News Agency Chinese-service pages, Vietnam.vn
pages (machine translations of Vietnamese articles) and plain article text (title on the
first non-empty line, body after it). Page chrome and related-article lists never reach
the title or body; related teasers are kept apart in `related`.

A page that cannot become an article (an impossible byline date) raises `PageError`,
which names the rule and the field; no other exception leaves `parse_text`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

Record = dict[str, Any]


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


# --- Vietnam News Agency, Chinese service -------------------------------------------
VNA_AGENCY = "越通社"
VNA_OUTLET = "Vietnam News Agency (越通社), Chinese service"
VNA_END_MARK = "(完)"
VNA_RELATED_HEADER = "更多"
# Photo credits close a caption: "...。图自越通社", "...。越通社发", "附图。图自Radio ...".
VNA_CAPTION = re.compile(r"(图自\S.*|越通社发)$")
# The page repeats the headline and an image marker before some captions:
# "<headline> ảnh 1<caption>".
VNA_IMAGE_MARKER = re.compile(r"^.*?\s?ảnh \d+\s*")
VNA_DATELINE = re.compile(r"^越通社[^\s——]{0,12}\s*——\s*")

# --- Vietnam.vn ---------------------------------------------------------------------
VIETNAMVN_HEADER = re.compile(r"^Vietnam\.vn\b")
VIETNAMVN_OUTLET = "Vietnam.vn"
# Byline: the source paper's name (printed twice) glued to the date, "Báo Tin Tức...27/11/2025".
VIETNAMVN_BYLINE = re.compile(
    r"^(?P<source>.+?)(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$"
)
VIETNAMVN_CAPTION_LABEL = "Bildtext"
VIETNAMVN_SOURCE = re.compile(r"^Källa:\s*(?P<url>https?://\S+)\s*$")


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


def detect_layout(text: str) -> str:
    lines = _lines(text)
    if lines and VIETNAMVN_HEADER.match(lines[0]):
        return "vietnamvn"
    if VNA_AGENCY in text and (
        VNA_RELATED_HEADER in lines or any(VNA_END_MARK in x for x in lines)
    ):
        return "vna"
    return "plain"


def parse_text(text: str) -> Record:
    """Parse the text of one article in whichever layout it is in."""
    layout = detect_layout(text)
    if layout == "vna":
        return parse_vna_page(text)
    if layout == "vietnamvn":
        return parse_vietnamvn_page(text)
    return parse_plain_text(text)


def _empty_record(layout: str) -> Record:
    return {
        "layout": layout,
        "title": "",
        "lead": None,
        "body": "",
        "captions": [],
        "outlet": None,
        "url": None,
        "original_url": None,
        "published_date": None,
        "published_date_source": "unknown",
        "related": [],
    }


def parse_vna_page(text: str) -> Record:
    record = _empty_record("vna")
    record["outlet"] = VNA_OUTLET
    lines = _lines(text)
    if not lines:
        return record
    record["title"] = lines[0]
    related_at = lines.index(VNA_RELATED_HEADER) if VNA_RELATED_HEADER in lines else len(lines)
    article, teasers = lines[1:related_at], lines[related_at + 1 :]

    captions: list[str] = []
    paragraphs: list[str] = []
    for line in article:
        if line == VNA_AGENCY:  # the agency signature after the end mark
            break
        if VNA_CAPTION.search(line):
            captions.append(VNA_IMAGE_MARKER.sub("", line).strip())
            continue
        ended = VNA_END_MARK in line
        line = line.split(VNA_END_MARK, 1)[0].strip()
        line = VNA_DATELINE.sub("", line)
        if line:
            paragraphs.append(line)
        if ended:
            break
    # The standfirst is dropped too when it is such an excerpt, or a copy of the first
    # paragraph without its dateline: the lead is then the first paragraph kept.
    _set_lead_and_body(record, _drop_excerpts(paragraphs))
    record["captions"] = _unique(captions)
    record["related"] = parse_vna_teasers(teasers)
    return record


def parse_vna_teasers(lines: list[str]) -> list[Record]:
    """Teasers of the `更多` list: [caption] headline [summary], repeated."""
    teasers: list[Record] = []
    i = 0
    while i < len(lines):
        caption = None
        if VNA_CAPTION.search(lines[i]):
            caption = lines[i]
            i += 1
        elif i + 1 < len(lines) and lines[i] == lines[i + 1]:
            i += 1  # the image's alt text repeats the headline: not a caption of its own
        if i >= len(lines):
            break
        headline = lines[i]
        summary = None
        if i + 1 < len(lines) and not VNA_CAPTION.search(lines[i + 1]):
            summary = lines[i + 1]
            i += 1
        i += 1
        teasers.append({"headline": headline, "summary": summary, "caption": caption})
    return teasers


def parse_vietnamvn_page(text: str) -> Record:
    record = _empty_record("vietnamvn")
    record["outlet"] = VIETNAMVN_OUTLET
    lines = _lines(text)[1:]  # the first line is the site header
    if not lines:
        return record
    record["title"] = lines[0]
    paragraphs: list[str] = []
    captions: list[str] = []
    expect_caption = False
    for line in lines[1:]:
        source = VIETNAMVN_SOURCE.match(line)
        if source:
            record["original_url"] = source.group("url")
            break  # comments and related headlines follow
        # The cheap tests first: a long line is never matched against the pattern.
        byline = (
            VIETNAMVN_BYLINE.match(line)
            if record["published_date"] is None and len(line) < 80
            else None
        )
        if byline:
            record["published_date"] = _byline_date(byline)
            record["published_date_source"] = "explicit"
            continue
        if line == VIETNAMVN_CAPTION_LABEL:
            expect_caption = True
            continue
        if expect_caption:
            captions.append(line)
            expect_caption = False
            continue
        paragraphs.append(line)
    _set_lead_and_body(record, paragraphs)
    record["captions"] = _unique(captions)
    return record


def _byline_date(byline: re.Match[str]) -> str:
    """The ISO date of a byline; a date that is not on the calendar is a `PageError`.

    A date in the future is a valid date here: the build rejects those itself.
    """
    year, month, day = (int(byline.group(k)) for k in ("year", "month", "day"))
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        written = f"{byline.group('day')}/{byline.group('month')}/{byline.group('year')}"
        raise PageError(
            "valid-date", "$.published_date", f"byline date {written} is not a calendar date"
        ) from None


def parse_plain_text(text: str) -> Record:
    record = _empty_record("plain")
    blocks = [b.strip() for b in re.split(r"\n\s*\n", normalise_text(text)) if b.strip()]
    if not blocks:
        return record
    first, *rest = blocks
    title, _, remainder = first.partition("\n")
    record["title"] = title.strip()
    paragraphs = [remainder.strip(), *rest] if remainder.strip() else rest
    record["body"] = "\n\n".join(paragraphs)
    return record
