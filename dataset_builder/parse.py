"""Turn the text of one input into a structured article.

Three layouts are recognised: Vietnam News Agency Chinese-service pages, Vietnam.vn
pages (machine translations of Vietnamese articles) and plain article text (title on the
first non-empty line, body after it). Page chrome and related-article lists never reach
the title or body; related teasers are kept apart in `related`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

Record = dict[str, Any]

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


def normalise_text(text: str) -> str:
    """NFC, Unix line ends, no control characters except newline and tab."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", CONTROL_CHARACTERS.sub("", text))


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
    """
    # Excerpts may end in a full stop where the full paragraph goes on with a comma.
    squeezed = [_squeeze(p).rstrip("。.!?！？") for p in paragraphs]
    return [
        p
        for i, p in enumerate(paragraphs)
        if not any(later.startswith(squeezed[i]) for later in squeezed[i + 1 :])
    ]


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
        byline = VIETNAMVN_BYLINE.match(line)
        if byline and record["published_date"] is None and len(line) < 80:
            year, month, day = (int(byline.group(k)) for k in ("year", "month", "day"))
            record["published_date"] = f"{year:04d}-{month:02d}-{day:02d}"
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
