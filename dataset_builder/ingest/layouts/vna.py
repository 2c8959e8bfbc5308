"""Vietnam News Agency, Chinese service: the page layout."""

from __future__ import annotations

import re

from dataset_builder.ingest.layouts.base import Layout
from dataset_builder.ingest.layouts.text import (
    _drop_excerpts,
    _lines,
    _set_lead_and_body,
    _unique,
)
from dataset_builder.ingest.records import Record, new_record

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


def parse_vna_page(text: str) -> Record:
    record = new_record("vna")
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


def _is_vna_page(text: str, lines: list[str]) -> bool:
    return VNA_AGENCY in text and (
        VNA_RELATED_HEADER in lines or any(VNA_END_MARK in line for line in lines)
    )


LAYOUT = Layout("vna", _is_vna_page, parse_vna_page)
