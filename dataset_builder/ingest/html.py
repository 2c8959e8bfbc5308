"""Saved web pages (`.html`, `.htm`): the article's own text and metadata, via trafilatura.

Trafilatura finds the main text of a page (leaving out navigation, related lists,
comments and footers) and reads its metadata (JSON-LD, `<meta>`, `<time>`). It is
given the page as a string, so it never fetches anything. It leaves out figure captions,
so those are read here from the part of the page that holds the article's paragraphs.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

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


# Parts of a page whose figures are not the article's: other articles, comments, menus,
# footers. Known by their tag, or by a word of their class or id ("more-stories").
_CHROME_TAGS = frozenset({"aside", "nav", "footer", "form"})
_CHROME_WORDS = frozenset(
    {
        "ad",
        "ads",
        "advert",
        "advertisement",
        "comment",
        "comments",
        "footer",
        "menu",
        "more",
        "nav",
        "navigation",
        "promo",
        "recommended",
        "related",
        "share",
        "sidebar",
        "social",
        "teaser",
        "teasers",
        "widget",
    }
)
_NAME_WORDS = re.compile(r"[a-z0-9]+")


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
    # Imported at the first page: importing trafilatura takes longer than starting the
    # rest of the builder, and a build of text files never needs it.
    import trafilatura

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
    record["captions"] = _captions(page, paragraphs)
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


def _captions(page: str, paragraphs: list[str]) -> list[str]:
    """The captions (`<figcaption>`) of the figures in the part of the page that holds the
    article's paragraphs, in page order; none from other articles, comments or footers."""
    if "<figcaption" not in page.lower():
        return []
    from trafilatura.utils import load_html

    tree = load_html(page)
    if tree is None:
        return []
    spans, text = _text_spans(tree)
    first = _innermost_holding(spans, text, paragraphs[0])
    last = _innermost_holding(spans, text, paragraphs[-1])
    if first is None or last is None:
        return []  # the text is not the page's as it stands: no part to take captions from
    article = _common_ancestor(first, last)
    if article is first is last and article.getparent() is not None:
        article = article.getparent()  # one paragraph: its figures sit beside it
    captions: list[str] = []
    for caption in article.iter("figcaption"):
        if _inside_chrome(caption, article):
            continue
        caption_text = _clean(caption.text_content())
        if caption_text and caption_text not in paragraphs and caption_text not in captions:
            captions.append(caption_text)
    return captions


# An element of a page, how deep it is, and where its text starts and ends in the text of
# the whole page.
_Span = tuple[Any, int, int, int]


def _text_spans(tree: Any) -> tuple[list[_Span], str]:
    """Every element of `tree` with the place of its text in the page's text, in one walk.

    One walk, so that finding a paragraph's element costs the length of the page once,
    not once per level of nesting. The text is normalised piece by piece (as the
    paragraphs are), which keeps the places right.
    """
    pieces: list[str] = []
    size = 0
    spans: list[list[Any]] = []
    # (element, depth, index of its span once opened; None before): a stack, not recursion.
    todo: list[tuple[Any, int, int | None]] = [(tree, 0, None)]
    while todo:
        element, depth, opened = todo.pop()
        if opened is None and isinstance(element.tag, str):
            spans.append([element, depth, size, size])
            todo.append((element, depth, len(spans) - 1))
            todo.extend((child, depth + 1, None) for child in reversed(element))
            added = normalise_text(element.text or "")
        else:  # an element closed, or a comment: what follows it is its parent's
            if opened is not None:
                spans[opened][3] = size
            added = normalise_text(element.tail or "") if depth else ""
        pieces.append(added)
        size += len(added)
    return [(e, depth, start, end) for e, depth, start, end in spans], "".join(pieces)


def _innermost_holding(spans: list[_Span], text: str, paragraph: str) -> Any:
    """The innermost element whose text holds `paragraph` (spaces as any whitespace)."""
    found = re.search(r"\s+".join(re.escape(word) for word in paragraph.split()), text)
    if found is None:
        return None
    holding = [
        (depth, element)
        for element, depth, start, end in spans
        if start <= found.start() and found.end() <= end
    ]
    return max(holding, key=lambda item: item[0])[1]


def _common_ancestor(first: Any, second: Any) -> Any:
    # The elements themselves are kept (not their id()): lxml makes a new Python object
    # for an element whose last one was freed, which may take a freed object's id.
    around_first = [first, *first.iterancestors()]
    element = second
    while not any(element is around for around in around_first):
        element = element.getparent()
    return element


def _inside_chrome(element: Any, top: Any) -> bool:
    """Whether `element`, or an element around it below `top`, is page chrome."""
    while element is not None and element is not top:
        names = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if element.tag in _CHROME_TAGS or not _CHROME_WORDS.isdisjoint(_NAME_WORDS.findall(names)):
            return True
        element = element.getparent()
    return False
