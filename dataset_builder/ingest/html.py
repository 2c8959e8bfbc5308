"""Saved web pages (`.html`, `.htm`): the article's own text and metadata, via trafilatura.

Trafilatura finds the main text of a page (leaving out navigation, related lists,
comments and footers) and reads its metadata (JSON-LD, `<meta>`, `<time>`). It is
given the page as a string, so it never fetches anything.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import trafilatura

from dataset_builder.ingest.layouts.text import PageError, _set_lead_and_body, normalise_text
from dataset_builder.ingest.records import Record, new_record
from dataset_builder.validate.contract import load_schema

LAYOUT = "html"

# Where in trafilatura's XML of the main text the article's paragraphs are: a heading
# inside the article counts as a paragraph (the page's own title is dropped); a list
# gives one paragraph per item. Tables and images are not prose.
_PARAGRAPH_TAGS = ("p", "head", "quote", "list")

# Dates only from what the page states (its metadata and marked-up dates), never guessed
# from the URL or the text: a guess is not a publication date.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


@cache
def _http_url() -> re.Pattern[str]:
    # The published schema's own rule, so a URL kept here is never a reject later.
    pattern: str = load_schema("article.schema.json")["$defs"]["http_url"]["pattern"]
    return re.compile(pattern)


def _clean(text: str | None) -> str:
    """One line of text: HTML whitespace is not meaningful, so runs of it are one space."""
    return " ".join(normalise_text(text or "").split())


def parse_html_page(page: str) -> Record:
    """The article of a saved web page; a page with no article text is a `PageError`."""
    document = trafilatura.bare_extraction(
        page,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        date_extraction_params=_DATE_PARAMS,
    )
    # Trafilatura 1.x returns a dict, 2.x a Document unless asked for a dict.
    found: dict[str, Any] = {}
    if isinstance(document, dict):
        found = document
    elif document is not None:
        found = document.as_dict()
    record = new_record(LAYOUT)
    record["title"] = _clean(found.get("title"))
    body = found.get("body")
    paragraphs = _paragraphs(body, record["title"]) if body is not None else []
    if not paragraphs:
        raise PageError(
            "article-text",
            "$.body",
            "no article text found: the page holds only navigation, lists or other page chrome",
        )
    _set_lead_and_body(record, paragraphs)
    record["outlet"] = _clean(found.get("sitename")) or None
    url = _clean(found.get("url"))
    record["url"] = url if _http_url().search(url) else None
    if found.get("date"):
        record["published_date"] = found["date"]
        record["published_date_source"] = "explicit"
    return record


def _paragraphs(body: Any, title: str) -> list[str]:
    """The text of the article's paragraphs in trafilatura's XML, in page order."""
    paragraphs: list[str] = []
    for element in body:
        if element.tag not in _PARAGRAPH_TAGS:
            continue
        items = element.iterfind("item") if element.tag == "list" else [element]
        paragraphs.extend(_clean("".join(item.itertext())) for item in items)
    # The page's headline is repeated at the top of its main text.
    if paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    return [paragraph for paragraph in paragraphs if paragraph]
