"""Recognise a page's layout and parse it with that layout's parser."""

from __future__ import annotations

from dataset_builder.ingest.layouts.plain import parse_plain_text
from dataset_builder.ingest.layouts.text import _lines
from dataset_builder.ingest.layouts.vietnamvn import VIETNAMVN_HEADER, parse_vietnamvn_page
from dataset_builder.ingest.layouts.vna import (
    VNA_AGENCY,
    VNA_END_MARK,
    VNA_RELATED_HEADER,
    parse_vna_page,
)
from dataset_builder.ingest.records import Record


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
