"""Recognise a page's layout and parse it with that layout's parser.

A new layout is a module of this package defining a `LAYOUT` (see `base.Layout`), added
to `LAYOUTS`; a page no layout recognises is parsed as plain text.
"""

from __future__ import annotations

from dataset_builder.ingest.layouts import vietnamvn, vna
from dataset_builder.ingest.layouts.base import Layout
from dataset_builder.ingest.layouts.plain import parse_plain_text
from dataset_builder.ingest.layouts.text import _lines
from dataset_builder.ingest.records import Record

# Tried in order: the first that recognises a page parses it.
LAYOUTS: tuple[Layout, ...] = (vietnamvn.LAYOUT, vna.LAYOUT)
PLAIN = Layout("plain", lambda text, lines: True, parse_plain_text)


def detect_layout(text: str) -> Layout:
    lines = _lines(text)
    return next((layout for layout in LAYOUTS if layout.recognises(text, lines)), PLAIN)


def parse_text(text: str) -> Record:
    """Parse the text of one article in whichever layout it is in."""
    return detect_layout(text).parse(text)
