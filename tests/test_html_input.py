"""Saved web pages (`.html`, `.htm`) are articles: their own text and metadata, no chrome."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_builder.build.report import BuildReport
from dataset_builder.ingest.html import parse_html_page
from dataset_builder.ingest.layouts.text import PageError
from tests.conftest import build_copy

# A page with JSON-LD NewsArticle metadata and a canonical link.
JSON_LD_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Hanoi and Tokyo sign port deal | Harbour Daily</title>
<link rel="canonical" href="https://harbour-daily.example.com/news/hanoi-tokyo-port-deal">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Hanoi and Tokyo sign port deal",
 "datePublished": "2024-03-05T09:30:00+07:00",
 "url": "https://harbour-daily.example.com/news/hanoi-tokyo-port-deal",
 "publisher": {"@type": "Organization", "name": "Harbour Daily"}}
</script>
</head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main>
<article>
<h1>Hanoi and Tokyo sign port deal</h1>
<p>Vietnam and Japan signed an agreement on Tuesday to expand the container port at
Lach Huyen, officials in both capitals said.</p>
<figure><img src="/img/port.jpg" alt="Cranes at the port">
<figcaption>Cranes at the Lach Huyen container terminal in Hai Phong.</figcaption></figure>
<p>The deal covers two new berths and a rail link, and is expected to double the
terminal's capacity by the end of the decade.</p>
<p>Japanese lenders will finance most of the work through a long-term loan agreed by the
two governments last year.</p>
</article>
<aside class="related"><h2>Related articles</h2><ul>
<li><a href="/news/a">Shipping rates fall again across Asia this spring</a></li>
<li><a href="/news/b">New rail line opens between two northern provinces</a></li></ul></aside>
<section id="comments" class="comments"><h2>Comments</h2>
<div class="comment"><p>Great news for the whole region, finally some progress on this.</p></div>
<div class="comment"><p>I doubt the rail link will ever be finished on schedule.</p></div>
</section>
</main>
<footer><p>© 2024 Harbour Daily. All rights reserved.</p>
<a href="/about">About us</a> <a href="/contact">Contact</a></footer>
</body>
</html>
"""

# A page of another shape: Open Graph and `<meta name="date">` tags and a `<time>`, no
# JSON-LD, no semantic sections: the chrome is only told apart by its place and classes.
META_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Festival brings lanterns to Hoi An</title>
<meta property="og:title" content="Festival brings lanterns to Hoi An">
<meta property="og:site_name" content="Mekong Weekly">
<meta property="og:url" content="https://www.mekong-weekly.example.org/culture/lantern-festival">
<meta property="og:type" content="article">
<meta name="date" content="2023-09-28">
</head>
<body>
<div id="top-menu" class="menu"><a href="/">Front page</a> | <a href="/culture">Culture</a> |
<a href="/travel">Travel</a> | <a href="/login">Log in</a></div>
<div class="content">
<h1 class="headline">Festival brings lanterns to Hoi An</h1>
<div class="byline">By Staff writer,
<time datetime="2023-09-28T18:00:00+07:00">28 September 2023</time></div>
<div class="story">
<p>Thousands of visitors filled the old town of Hoi An on Thursday night as the
mid-autumn lantern festival began along the Thu Bon river.</p>
<p>A delegation from the Japanese city of Sakai, twinned with Hoi An, joined the parade
for the first time since 2019.</p>
<p>Organisers said the festival would run until Sunday, with craft markets and
performances each evening.</p>
</div>
<div class="more-stories"><h3>More stories</h3><ul>
<li><a href="/culture/x">Ten dishes to try in central Vietnam this year</a></li>
<li><a href="/culture/y">Museum reopens after a long renovation in Hue</a></li></ul></div>
<div class="comments-area"><h3>Reader comments</h3>
<p class="comment">What a beautiful evening it was, we loved every minute.</p></div>
</div>
<div class="site-footer">Mekong Weekly · Privacy policy · Terms of use · Advertise with us</div>
</body>
</html>
"""

# A page that is not an article: a search form between a menu and a footer.
NOT_AN_ARTICLE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Search</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<form><input name="q"></form><footer>© Example</footer></body></html>
"""

# Text of the pages' navigation, related lists, comments and footers, and the figure's
# caption: none of it is the article's text.
CHROME = (
    "Home",
    "Business",
    "Related articles",
    "Shipping rates",
    "Great news",
    "on schedule",
    "All rights reserved",
    "About us",
    "Cranes at",
    "Front page",
    "Log in",
    "More stories",
    "Ten dishes",
    "Museum reopens",
    "Reader comments",
    "beautiful evening",
    "Privacy policy",
    "Staff writer",
)


def _rows(release: Path) -> dict[str, dict[str, Any]]:
    frame = pl.read_parquet(release / "data" / "default" / "*.parquet")
    return {row["id"]: row for row in frame.iter_rows(named=True)}


@pytest.fixture(scope="module")
def html_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    tmp = tmp_path_factory.mktemp("html-build")
    inputs = tmp / "inputs"
    inputs.mkdir()
    (inputs / "harbour-port-deal.html").write_text(JSON_LD_PAGE, encoding="utf-8")
    (inputs / "mekong-lanterns.htm").write_text(META_PAGE, encoding="utf-8")
    # prune: the committed splits name the seed articles, which this folder does not hold.
    return build_copy(tmp, inputs, prune=True)


def test_json_ld_page(html_build: tuple[Path, BuildReport]) -> None:
    release, report = html_build
    assert not report.rejects
    row = _rows(release)["harbour-port-deal"]
    assert row["title"] == "Hanoi and Tokyo sign port deal"
    assert row["lead"] == (
        "Vietnam and Japan signed an agreement on Tuesday to expand the container port at "
        "Lach Huyen, officials in both capitals said."
    )
    assert row["body"] == (
        "The deal covers two new berths and a rail link, and is expected to double the "
        "terminal's capacity by the end of the decade.\n\n"
        "Japanese lenders will finance most of the work through a long-term loan agreed by "
        "the two governments last year."
    )
    assert str(row["published_date"]) == "2024-03-05"
    assert row["published_date_source"] == "explicit"
    assert row["url"] == "https://harbour-daily.example.com/news/hanoi-tokyo-port-deal"
    assert row["outlet"] == "Harbour Daily"
    assert row["source_file"] == "harbour-port-deal.html"
    assert row["captions"] == ["Cranes at the Lach Huyen container terminal in Hai Phong."]


def test_meta_and_time_page(html_build: tuple[Path, BuildReport]) -> None:
    release, _ = html_build
    row = _rows(release)["mekong-lanterns"]
    assert row["title"] == "Festival brings lanterns to Hoi An"
    assert row["lead"] == (
        "Thousands of visitors filled the old town of Hoi An on Thursday night as the "
        "mid-autumn lantern festival began along the Thu Bon river."
    )
    assert row["body"] == (
        "A delegation from the Japanese city of Sakai, twinned with Hoi An, joined the parade "
        "for the first time since 2019.\n\n"
        "Organisers said the festival would run until Sunday, with craft markets and "
        "performances each evening."
    )
    assert str(row["published_date"]) == "2023-09-28"
    assert row["published_date_source"] == "explicit"
    assert row["url"] == "https://www.mekong-weekly.example.org/culture/lantern-festival"
    assert row["outlet"] == "Mekong Weekly"


def test_page_chrome_never_reaches_the_text(html_build: tuple[Path, BuildReport]) -> None:
    release, _ = html_build
    for row in _rows(release).values():
        text = "\n".join([row["title"], row["lead"] or "", row["body"]])
        assert [chrome for chrome in CHROME if chrome in text] == []


def test_sidecar_overrides_and_a_page_without_article_is_rejected(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "mekong-lanterns.html").write_text(META_PAGE, encoding="utf-8")
    (inputs / "mekong-lanterns.meta.json").write_text(
        json.dumps({"outlet": "Mekong Weekly (print edition)"}), encoding="utf-8"
    )
    (inputs / "search.html").write_text(NOT_AN_ARTICLE, encoding="utf-8")
    release, report = build_copy(tmp_path, inputs, prune=True, allow_rejects=True)
    row = _rows(release)["mekong-lanterns"]
    assert row["outlet"] == "Mekong Weekly (print edition)"
    assert str(row["published_date"]) == "2023-09-28"  # the page's own date still holds
    rejects = [r for r in report.rejects if r.counts]
    assert [(r.file, r.rule, r.id) for r in rejects] == [("search.html", "article-text", "search")]
    line = rejects[0].one_line()
    assert "\n" not in line
    assert line.startswith("search.html: $.body: no article text found")
    assert line.endswith("[article-text]")


# Figures in the article (one before its text, one in it, one with a caption in parts),
# in a box of other stories inside the article, in the list of more stories beside it and
# in the footer: only the article's own captions are its captions.
FIGURES_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Rail link opens in Hanoi</title></head>
<body>
<nav><a href="/">Home</a></nav>
<div class="main">
<article>
<header><h1>Rail link opens in Hanoi</h1>
<figure><img src="/a.jpg"><figcaption>The first train leaves
  Cat Linh station.</figcaption></figure></header>
<p>The new elevated rail line in Hanoi opened to passengers on Saturday morning, after
years of delays, with trains running every ten minutes.</p>
<figure><img src="/b.jpg"><figcaption>Passengers at <b>Ha Dong</b> on the first
day.</figcaption></figure>
<p>Japanese engineers trained the drivers, and the signalling system was supplied by a
consortium of Japanese firms under a development loan.</p>
<aside class="related-box"><figure><img src="/c.jpg">
<figcaption>Bus fares fall in the capital</figcaption></figure></aside>
<p>City officials expect forty thousand passengers a day once the line is fully open.</p>
</article>
<div class="more-stories"><figure><img src="/d.jpg">
<figcaption>Traffic jams return to the ring road</figcaption></figure></div>
</div>
<footer><figure><img src="/logo.png"><figcaption>Our newsroom</figcaption></figure></footer>
</body></html>
"""


def test_captions_are_those_of_the_articles_own_figures() -> None:
    record = parse_html_page(FIGURES_PAGE)
    assert record["captions"] == [
        "The first train leaves Cat Linh station.",
        "Passengers at Ha Dong on the first day.",
    ]
    text = "\n".join([record["title"], record["lead"] or "", record["body"]])
    assert "Passengers at" not in text and "Bus fares" not in text


def test_a_page_of_one_paragraph_keeps_the_caption_beside_it() -> None:
    page = FIGURES_PAGE.replace(
        FIGURES_PAGE[
            FIGURES_PAGE.index('<figure><img src="/b.jpg">') : FIGURES_PAGE.index("</article>")
        ],
        "",
    )
    record = parse_html_page(page)
    assert record["body"].startswith("The new elevated rail line")
    assert record["captions"] == ["The first train leaves Cat Linh station."]


def test_a_page_without_figures_has_no_captions() -> None:
    assert parse_html_page(META_PAGE)["captions"] == []


_TAGS = ("div", "p", "figure", "figcaption", "aside", "footer", "article", "b", "span", "li")


@st.composite
def _html_pages(draw: st.DrawFn) -> str:
    """Pages of nested (and at times unclosed) elements around words, comments and figures."""
    parts = ["<html><body>"]
    for _ in range(draw(st.integers(0, 40))):
        tag = draw(st.sampled_from(_TAGS))
        parts.append(
            draw(
                st.sampled_from(
                    [
                        f"<{tag}>",
                        f"</{tag}>",
                        f'<{tag} class="related">',
                        "<!-- note -->",
                        "Hanoi and Tokyo sign a port deal, officials said on Tuesday. ",
                        draw(st.text(max_size=20)),
                    ]
                )
            )
        )
    return "".join(parts)


@given(page=_html_pages())
@settings(max_examples=200, deadline=None)
def test_any_page_is_an_article_or_a_page_error(page: str) -> None:
    try:
        record = parse_html_page(page)
    except PageError as error:
        assert error.rule == "article-text"
        return
    assert record["body"]
    text = "\n".join([record["title"], record["lead"] or "", record["body"]])
    assert all(caption and caption not in text.split("\n") for caption in record["captions"])
