"""Vietnam.vn (machine translations of Vietnamese articles): the page layout."""

from __future__ import annotations

import datetime as dt
import re

from dataset_builder.ingest.layouts.base import Layout
from dataset_builder.ingest.layouts.text import (
    PageError,
    _lines,
    _set_lead_and_body,
    _unique,
)
from dataset_builder.ingest.records import Record, new_record

# --- Vietnam.vn ---------------------------------------------------------------------
VIETNAMVN_HEADER = re.compile(r"^Vietnam\.vn\b")


VIETNAMVN_OUTLET = "Vietnam.vn"


# Byline: the source paper's name (printed twice) glued to the date, "Báo Tin Tức...27/11/2025".
VIETNAMVN_BYLINE = re.compile(
    r"^(?P<source>.+?)(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$"
)


VIETNAMVN_CAPTION_LABEL = "Bildtext"


VIETNAMVN_SOURCE = re.compile(r"^Källa:\s*(?P<url>https?://\S+)\s*$")


def parse_vietnamvn_page(text: str) -> Record:
    record = new_record("vietnamvn")
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


def _is_vietnamvn_page(text: str, lines: list[str]) -> bool:
    return bool(lines) and VIETNAMVN_HEADER.match(lines[0]) is not None


LAYOUT = Layout("vietnamvn", _is_vietnamvn_page, parse_vietnamvn_page)
