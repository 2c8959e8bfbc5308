"""Values from the data never act as markup: card, Croissant, citations and URLs."""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import LatexDecodingMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st
from pylatexenc.latex2text import (  # type: ignore[import-untyped]
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)

from dataset_builder.build.report import BuildReport
from dataset_builder.release.citation import article_apa, article_bibtex, dataset_bibtex
from dataset_builder.release.markdown import markdown_text
from dataset_builder.release.statements import CARD, join_and, say
from dataset_builder.validate.contract import is_valid, load_schema, validator
from tests.conftest import build_copy

URL_PATTERN: str = load_schema("article.schema.json")["$defs"]["http_url"]["pattern"]
ID_PATTERN: str = load_schema("article.schema.json")["properties"]["id"]["pattern"]

# What a renderer may not see raw: each of these must reach the page as text.
HOSTILE_OUTLETS = {
    "script": "<script>alert(1)</script>",
    "pipe": "Left | Right",
    "ordered": "1. Ordered outlet",
}
HOSTILE_RIGHTS = {
    "script": "## Injected heading\n```\nopen fence",
    "pipe": "a | b `code` *bold* _em_ [link](javascript:alert(1)) ![img](x) $x$ ~~s~~ \\",
    "ordered": "&lt;b&gt; entity <!-- comment --> <b>bold</b>\n\n- list item\n# heading",
}
ARTICLES = {
    "script": (
        "Japan funds a new metro line in Hanoi",
        "The second metro line of Hanoi is built with Japanese loans and opens next year.",
    ),
    "pipe": (
        "Vietnam och Japan undertecknar handelsavtal",
        "Ministrarna undertecknade ett avtal om jordbruksprodukter och elektronik i Tokyo.",
    ),
    "ordered": (
        "Hợp tác Việt Nam – Nhật Bản về năng lượng",
        "Hai nước ký kết thỏa thuận hợp tác về năng lượng sạch và đào tạo nguồn nhân lực.",
    ),
}
BAD_URLS = {
    "space-and-tag": "https://a b<script>",
    "scheme": "javascript:alert(1)",
    "braces": "https://example.com/{id}",
    "no-host": "https://",
    "not-ascii": "https://例え.jp/記事",
    "line-break": "https://example.com/a\nb",
    "bad-escape": "https://example.com/%zz",
    "two-fragments": "https://example.com/a#b#c",
}
GOOD_URL = "https://example.com/news_2025/a&b?x=1&y=%20#top"

# Line breaks and control characters: a value becomes one line, with spaces for them.
_CARD_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_CITATION_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def _commonmark_text(markdown: str) -> str:
    """The text CommonMark shows for inline Markdown made only of escapes and entities."""
    unescaped = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
    return html.unescape(unescaped)


def _cells(row: str) -> list[str]:
    """The cells of a GFM table row, split at the pipes no backslash escapes."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def _table_rows(body: str, header: str) -> list[list[str]]:
    lines = body.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(_cells(line))
    return rows


@pytest.fixture(scope="module")
def hostile_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """Articles whose sidecars hold markup, and sidecars and JSON lines with bad URLs."""
    tmp = tmp_path_factory.mktemp("hostile")
    inputs = tmp / "inputs"
    inputs.mkdir()
    for name, (title, body) in ARTICLES.items():
        (inputs / f"{name}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        meta = {"outlet": HOSTILE_OUTLETS[name], "rights": HOSTILE_RIGHTS[name]}
        if name == "pipe":
            meta["url"] = GOOD_URL
        (inputs / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    for n, (name, url) in enumerate(BAD_URLS.items()):
        (inputs / f"bad-url-{name}.txt").write_text(
            f"Rubrik nummer {n}\n\nEn text om samarbete mellan Vietnam och Japan, del {n}.\n",
            encoding="utf-8",
        )
        (inputs / f"bad-url-{name}.meta.json").write_text(
            json.dumps({"url": url}), encoding="utf-8"
        )
    lines = [
        {
            "id": "jsonl-bad-url",
            "title": "Dålig adress",
            "body": "Raden anger en adress med mellanslag.",
            "url": "https://a b<script>",
        },
        {
            "id": "jsonl-bad-original",
            "title": "Dålig originaladress",
            "body": "Raden anger en originaladress med klammer.",
            "original_url": "https://example.com/{x}",
        },
    ]
    (inputs / "batch.jsonl").write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    return build_copy(tmp, inputs, allow_rejects=True, prune=True)


def _card(release: Path) -> tuple[str, str]:
    text = (release / "README.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return front, body


def test_card_shows_outlets_and_rights_as_text(
    hostile_release: tuple[Path, BuildReport],
) -> None:
    release, _ = hostile_release
    front, body = _card(release)
    assert isinstance(yaml.safe_load(front), dict)
    assert "<script" not in body and "<!--" not in body and "<b>" not in body
    assert not re.search(r"^ {0,3}#+ (Injected|heading)", body, re.M)
    # Nothing but the card's own sentence and the two tables: no list, heading, quote or
    # code block started by a value.
    source_data = body.split("## How it was made\n", 1)[1].split("\n## ", 1)[0]
    own = (say("collection", CARD), "This build was offered", "- **", "Each page is parsed")
    assert all(
        line.startswith("|") or line.startswith(own) for line in source_data.splitlines() if line
    ), source_data
    fences = [line for line in body.splitlines() if re.match(r" {0,3}(```|~~~)", line)]
    assert len(fences) % 2 == 0

    articles = pl.read_parquet(release / "data" / "default" / "*.parquet")
    published = articles.select("outlet", "rights").unique().rows()
    assert len(published) == len(ARTICLES)
    rights_rows = _table_rows(body, "| outlet | rights statement |")
    assert all(len(row) == 2 for row in rights_rows)
    shown = {(_commonmark_text(outlet), _commonmark_text(rights)) for outlet, rights in rights_rows}
    assert shown == {
        (_CARD_BREAKS.sub(" ", outlet).strip(), _CARD_BREAKS.sub(" ", rights).strip())
        for outlet, rights in published
    }
    outlet_rows = _table_rows(body, "| outlet | count | share |")
    assert all(len(row) == 3 for row in outlet_rows)
    assert {_commonmark_text(row[0]) for row in outlet_rows} == {o for o, _ in published}


def test_statements_computed_from_the_data_name_outlets_as_text(
    hostile_release: tuple[Path, BuildReport],
) -> None:
    release, _ = hostile_release
    _, body = _card(release)
    # No outlet here is described in the statements file: the card says so, naming each.
    [bullet] = [line for line in body.splitlines() if line.startswith("- **Sources.** ")]
    expected = (
        f"Ownership and country are not recorded for {join_and(sorted(HOSTILE_OUTLETS.values()))}."
    )
    assert _commonmark_text(bullet.removeprefix("- **Sources.** ")) == expected
    document = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    assert f"Sources. {expected}" in document["rai:dataBiases"]


def test_croissant_carries_outlets_as_json_strings(
    hostile_release: tuple[Path, BuildReport],
) -> None:
    release, _ = hostile_release
    document = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    for outlet in HOSTILE_OUTLETS.values():
        assert f"{outlet} (1)" in document["rai:dataCollection"]


def test_bad_urls_are_rejects_naming_file_field_and_rule(
    hostile_release: tuple[Path, BuildReport],
) -> None:
    release, report = hostile_release
    listed = [json.loads(line) for line in (release / "rejects.jsonl").read_text().splitlines()]
    by_file = {(r["file"], r["line"], r["field"]): r["rule"] for r in listed}
    for name in BAD_URLS:
        assert by_file[(f"bad-url-{name}.meta.json", None, "$.url")] == "pattern", name
    assert by_file[("batch.jsonl", 1, "$.url")] == "pattern"
    assert by_file[("batch.jsonl", 2, "$.original_url")] == "pattern"
    outcomes = {i["file"]: i["outcomes"] for i in report.inputs}
    for name in BAD_URLS:
        assert outcomes[f"bad-url-{name}.txt"] == {"rejected": 1}, name
    articles = pl.read_parquet(release / "data" / "default" / "*.parquet")
    assert sorted(articles["id"]) == sorted(ARTICLES)
    assert articles.filter(pl.col("id") == "pipe")["url"].to_list() == [GOOD_URL]


@pytest.mark.parametrize(
    ("schema", "field"),
    [
        ("metadata.schema.json", "url"),
        ("input-article.schema.json", "url"),
        ("input-article.schema.json", "original_url"),
    ],
)
@pytest.mark.parametrize("url", [*BAD_URLS.values(), GOOD_URL])
def test_every_schema_has_the_same_url_rule(schema: str, field: str, url: str) -> None:
    instance: dict[str, Any] = {"url": url}
    if schema == "input-article.schema.json":
        instance = {"id": "a", "title": "t", "body": "b", field: url}
    errors = [(e.json_path, e.validator) for e in validator(schema).iter_errors(instance)]
    if url == GOOD_URL:
        assert errors == []
        assert is_valid(schema, instance)
    else:
        assert errors == [(f"$.{field}", "pattern")]
        assert not is_valid(schema, instance)


_URL_CHARACTERS = st.sampled_from(list("abc019-._~!$&'()*+,;=:@/?#%[]{}<>\"\\^`| \n\tÄé例"))


@cache
def _seed_record(release: Path) -> dict[str, Any]:
    from dataset_builder.release.stats import find_record

    record = find_record(release, "004_33f5a66664a9c512")
    assert record is not None
    record["event_dates"] = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in e.items()}
        for e in record["event_dates"]
    ]
    return record


@settings(max_examples=400, deadline=None)
@given(
    url=st.one_of(
        st.from_regex(URL_PATTERN, fullmatch=True),
        st.builds(
            str.__add__,
            st.sampled_from(["https://", "http://", "https://example.com", "ftp://", ""]),
            st.text(_URL_CHARACTERS, max_size=20),
        ),
    )
)
def test_fast_check_and_jsonschema_agree_on_urls(
    seed_release: tuple[Path, BuildReport], url: str
) -> None:
    record = _seed_record(seed_release[0])
    instances = {
        "metadata.schema.json": {"url": url},
        "input-article.schema.json": {"id": "a", "title": "t", "body": "b", "original_url": url},
        "article.schema.json": {**record, "url": url},
    }
    verdicts = set()
    for schema, instance in instances.items():
        accepted = not list(validator(schema).iter_errors(instance))
        assert is_valid(schema, instance) == accepted, (schema, url)
        verdicts.add(accepted)
    assert verdicts == {re.fullmatch(URL_PATTERN.removesuffix("$"), url) is not None}


@given(st.text())
def test_markdown_text_is_one_line_of_plain_text(value: str) -> None:
    escaped = markdown_text(value)
    assert _commonmark_text(escaped) == _CARD_BREAKS.sub(" ", value).strip()
    assert not _CARD_BREAKS.search(escaped)
    assert not re.search("[<>]", escaped)
    # Every character that is markup inside a line is escaped (escaped backslashes aside).
    assert not re.search(r"(?<!\\)[`*_\[\]|~$]", escaped.replace("\\\\", ""))
    assert not re.match(r"[#+=-]|[0-9]+[.)]", escaped)


# pylatexenc knows LaTeX's text symbols but these three kernel commands, and prints
# \textasciicircum as a modifier letter rather than the ASCII circumflex LaTeX prints.
_LATEX = get_default_latex_context_db()
_LATEX.add_context_category(
    "kernel-text-symbols",
    prepend=True,
    macros=[
        MacroTextSpec("textbraceleft", "{"),
        MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^"),
    ],
)
_DECODE = LatexDecodingMiddleware(decoder=LatexNodes2Text(latex_context=_LATEX))


def _bibtex_balanced(value: str) -> bool:
    # BibTeX counts every brace, escaped or not; bibtexparser skips `\{`, so it would take
    # a lone `\{` that BibTeX rejects.
    depth = 0
    for ch in value:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _parse(bibtex: str) -> tuple[dict[str, str], dict[str, str]]:
    """The raw and the LaTeX-decoded fields of the one entry in `bibtex`."""
    raw = parse_string(bibtex)
    decoded = parse_string(bibtex, append_middleware=[_DECODE])
    assert not raw.failed_blocks and not decoded.failed_blocks
    assert len(raw.entries) == len(decoded.entries) == 1
    return (
        {f.key: f.value for f in raw.entries[0].fields},
        {f.key: f.value for f in decoded.entries[0].fields},
    )


def _text(value: str) -> str:
    return _CITATION_SPACES.sub(" ", value).strip()


@settings(max_examples=300)
@given(
    title=st.text(min_size=1),
    outlet=st.one_of(st.none(), st.text(min_size=1)),
    url=st.from_regex(URL_PATTERN, fullmatch=True),
    original_url=st.one_of(st.none(), st.from_regex(URL_PATTERN, fullmatch=True)),
    record_id=st.from_regex(ID_PATTERN, fullmatch=True),
)
def test_bibtex_parses_for_any_title(
    title: str, outlet: str | None, url: str, original_url: str | None, record_id: str
) -> None:
    record = {
        "id": record_id,
        "title": title,
        "outlet": outlet,
        "url": url,
        "original_url": original_url,
        "published_date": "2025-11-27",
        "published_date_source": "explicit",
    }
    bibtex = article_bibtex(record)
    lines = bibtex.splitlines()
    assert lines[0] == "@article{" + re.sub(r"[^A-Za-z0-9]", "_", record_id) + ","
    assert lines[-1] == "}"
    assert all(re.fullmatch(r"  [a-z]+ = \{.*\},", line) for line in lines[1:-1])
    raw, decoded = _parse(bibtex)
    assert all(_bibtex_balanced(value) for value in raw.values()), raw
    assert raw["url"] == url
    assert decoded.get("title", "") == _text(title)
    assert decoded["journal"] == (_text(outlet or "") or "Unknown outlet")
    assert record_id in decoded["note"]
    if original_url:
        assert decoded["note"].endswith(f"; original article {original_url}")
    assert (raw["year"], raw["month"], raw["day"]) == ("2025", "11", "27")


@pytest.mark.parametrize(
    ("url", "cited"),
    [
        ("https://example.com/a_b&c#d", "https://example.com/a_b&c#d"),
        ("https://example.com/100%25_sure?q=a&r=%7B", "https://example.com/100%25_sure?q=a&r=%7B"),
        ("https://example.com/{id}", "https://example.com/%7Bid%7D"),
        ("https://example.com/a b\nc", "https://example.com/a%20b%0Ac"),
    ],
)
def test_citations_give_the_url_verbatim(url: str, cited: str) -> None:
    record = {"id": "x", "title": "T", "outlet": "O", "url": url, "original_url": url}
    raw, _ = _parse(article_bibtex(record))
    assert raw["url"] == cited
    assert f" {cited} Original article: {cited}. " in article_apa(record)


@given(
    title=st.text(min_size=1),
    outlet=st.one_of(st.none(), st.text()),
    url=st.one_of(st.none(), st.text()),
)
def test_apa_is_one_line(title: str, outlet: str | None, url: str | None) -> None:
    apa = article_apa({"id": "x-1", "title": title, "outlet": outlet, "url": url})
    assert not re.search(r"[\s\x00-\x1f\x7f-\x9f]", apa.replace(" ", "")), repr(apa)
    assert f"). {_text(title)}." in apa
    assert apa.endswith("record x-1.")


def test_dataset_bibtex_parses() -> None:
    raw, decoded = _parse(dataset_bibtex("2025-12-01"))
    assert all(_bibtex_balanced(value) for value in raw.values())
    assert decoded["title"] == "Vietnam–Japan Relations News (vietnam-japan-news)"
    assert decoded["year"] == "2025"
