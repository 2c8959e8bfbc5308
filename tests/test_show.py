"""`dataset-builder show`: an article with its event dates and topic evidence marked."""

from __future__ import annotations

import copy
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from dataset_builder.build.report import BuildReport
from dataset_builder.cli import main
from dataset_builder.present.html import article_page
from dataset_builder.present.load import iter_records, load_record
from dataset_builder.present.marks import record_view
from dataset_builder.present.site import MANIFEST_NAME, write_site
from dataset_builder.present.terminal import TOPIC_KEYS, render, use_colour

ROOT = Path(__file__).resolve().parent.parent
SEED_ID = "004_33f5a66664a9c512"
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
# Elements without an end tag.
VOID = {"meta", "input", "br", "img", "link", "hr"}
SUPERSCRIPT_NUMBER = "[⁰¹²³⁴⁵⁶⁷⁸⁹]+"


@pytest.fixture(scope="module")
def release(seed_release: tuple[Path, BuildReport]) -> Path:
    return seed_release[0]


@pytest.fixture(scope="module")
def articles(release: Path) -> list[dict[str, Any]]:
    return list(iter_records(release, "default"))


def field_texts(record: dict[str, Any]) -> dict[tuple[str, int | None], str]:
    texts: dict[tuple[str, int | None], str] = {}
    for name in ("title", "lead", "body", "headline", "summary"):
        if record.get(name):
            texts[(name, None)] = record[name]
    for i, caption in enumerate(record.get("captions") or []):
        texts[("caption", i)] = caption
    if record.get("caption"):
        texts[("caption", None)] = record["caption"]
    return texts


class PageReader(HTMLParser):
    """Checks that every element closes in order, and records, per field, each character
    with the dates and topics marking it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.errors: list[str] = []
        self.marks: list[tuple[dict[str, str], str]] = []  # (attributes, text) of date marks
        self.open_marks: list[tuple[dict[str, str], list[str]]] = []
        self.fields: dict[tuple[str, int | None], list[tuple[str, frozenset[str], frozenset[str]]]]
        self.fields = {}
        self.texts: dict[str, list[str]] = {}  # text by the id or tag of an element
        self.scripts = 0
        self.elements: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements[tag] += 1
        if tag == "script":
            self.scripts += 1
        if tag in VOID:
            return
        self.stack.append((tag, attributes))
        if tag == "mark":
            self.open_marks.append((attributes, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements[tag] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else None}")
            return
        self.stack.pop()
        if tag == "mark":
            attributes, text = self.open_marks.pop()
            self.marks.append((attributes, "".join(text)))

    def _field(self) -> tuple[str, int | None] | None:
        for _, attributes in reversed(self.stack):
            if "data-field" in attributes:
                index = attributes.get("data-field-index")
                return (attributes["data-field"], None if index is None else int(index))
        return None

    def handle_data(self, data: str) -> None:
        for _, text in self.open_marks:
            text.append(data)
        for tag, attributes in self.stack:
            self.texts.setdefault(attributes.get("id") or tag, []).append(data)
        key = self._field()
        if key is None:
            return
        dates = frozenset(a["data-timex"] for t, a in self.stack if t == "mark")
        topics = frozenset(
            code for t, a in self.stack if t == "span" for code in a["data-topic"].split()
        )
        self.fields.setdefault(key, []).extend((c, dates, topics) for c in data)

    def text(self, key: str) -> str:
        return "".join(self.texts.get(key, []))


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    assert reader.errors == []
    assert [tag for tag, _ in reader.stack] == [], "elements left open"
    return reader


def expected_coverage(
    record: dict[str, Any],
) -> dict[tuple[str, int | None], list[tuple[set[str], set[str]]]]:
    """Per field and character: the TIMEX3 values and topic codes whose spans cover it."""
    coverage = {
        key: [(set[str](), set[str]()) for _ in text] for key, text in field_texts(record).items()
    }
    for date in record["event_dates"]:
        for i in range(date["span_start"], date["span_end"]):
            coverage[(date["field"], date["field_index"])][i][0].add(date["timex"])
    for topic in record["topics"]:
        for term in topic["evidence"]:
            for i in range(term["span_start"], term["span_end"]):
                coverage[(term["field"], term["field_index"])][i][1].add(topic["code"])
    return coverage


def assert_page_marks_record(html: str, record: dict[str, Any]) -> PageReader:
    """Every field's text, date marks and evidence spans on the page are the record's."""
    page = read_page(html)
    texts = field_texts(record)
    for key, expected in expected_coverage(record).items():
        drawn = page.fields[key]
        assert "".join(c for c, _, _ in drawn) == texts[key], key
        assert [(set(d), set(t)) for _, d, t in drawn] == expected, key
    return page


# --- terminal --------------------------------------------------------------------------


def test_terminal_without_colour_brackets_every_date_and_lists_it(
    release: Path, articles: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    for record in articles:
        assert main(["show", record["id"], "--release", str(release), "--color", "never"]) == 0
        out = capsys.readouterr().out
        assert "\x1b[" not in out
        text, legend = out.split("\nEvent dates (")
        # [the date as written]¹, with topic evidence inside it shown as {term}ᵃ
        bracketed = [
            re.sub(f"[{{}}{TOPIC_KEYS}]", "", inner)
            for inner in re.findall(rf"\[([^\[\]]*)\]{SUPERSCRIPT_NUMBER}", text)
        ]
        assert Counter(bracketed) == Counter(d["text"] for d in record["event_dates"])
        for date in record["event_dates"]:
            interval = f"{date['start_date']}..{date['end_date']}"
            if date["start_date"] is None:
                interval = "no calendar interval: underspecified"
            line = f" {date['timex']} ({interval})"
            assert re.search(rf"^{SUPERSCRIPT_NUMBER}{re.escape(line)}", legend, re.M), line
        for topic in record["topics"]:
            assert f"{topic['label']} ({topic['code']}," in legend


def test_colour_follows_the_terminal_and_no_color(release: Path) -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

    assert use_colour("auto", Terminal(), {}) is True  # type: ignore[arg-type]
    assert use_colour("auto", Terminal(), {"NO_COLOR": "1"}) is False  # type: ignore[arg-type]
    assert use_colour("always", Terminal(), {"NO_COLOR": "1"}) is True  # type: ignore[arg-type]
    assert use_colour("never", Terminal(), {}) is False  # type: ignore[arg-type]

    def through_a_terminal(environ: dict[str, str]) -> str:
        controller, terminal = pty.openpty()
        command = [sys.executable, "-m", "dataset_builder", "show", SEED_ID]
        env = {**os.environ, **environ}
        with subprocess.Popen(
            [*command, "--release", str(release)], stdout=terminal, env=env
        ) as process:
            os.close(terminal)
            chunks = []
            while True:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the terminal closed
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            assert process.wait(timeout=120) == 0
        os.close(controller)
        return b"".join(chunks).decode("utf-8")

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert "\x1b[" in through_a_terminal({**env, "TERM": "xterm"})
    plain = through_a_terminal({"NO_COLOR": "1", "TERM": "xterm"})
    assert "\x1b[" not in plain
    assert "]¹" in plain


def test_control_characters_in_the_text_do_not_reach_the_terminal(
    articles: list[dict[str, Any]],
) -> None:
    record = copy.deepcopy(articles[0])
    record["title"] = "Hanoi\x1b[2J\x07 news"
    out = render(record_view(record), colour=False)
    assert "\x1b" not in out and "\x07" not in out
    assert "Hanoi\\x1b[2J\\x07 news" in out


# --- pages -----------------------------------------------------------------------------


def test_page_marks_every_date_with_its_timex_and_every_evidence_span(
    release: Path, articles: list[dict[str, Any]], tmp_path: Path
) -> None:
    for record in articles:
        page_file = tmp_path / f"{record['id']}.html"
        assert (
            main(["show", record["id"], "--release", str(release), "--html", str(page_file)]) == 0
        )
        html = page_file.read_text(encoding="utf-8")
        page = assert_page_marks_record(html, record)
        drawn = Counter(
            (a["data-timex"], a.get("data-start"), a.get("data-end"), text)
            for a, text in page.marks
        )
        wanted = Counter(
            (d["timex"], d["start_date"], d["end_date"], d["text"]) for d in record["event_dates"]
        )
        assert drawn == wanted
        for attributes, _ in page.marks:
            assert attributes["data-timex"] in attributes["title"]
            # An underspecified value (2021-07-XX) has no interval to give.
            if "data-start" in attributes:
                interval = f"{attributes['data-start']}..{attributes['data-end']}"
                assert interval in attributes["title"]
        # Self-contained: no script, nothing fetched.
        assert page.scripts == 0
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html.split("<body>")[0])
        assert "@import" not in html and "url(" not in html
        for topic in record["topics"]:
            assert topic["label"] in page.text("aside")


def test_a_hostile_title_is_text(articles: list[dict[str, Any]], tmp_path: Path) -> None:
    record = copy.deepcopy(articles[0])
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)> "quoted"'
    record["title"] = hostile
    record["outlet"] = "</dd><script>alert(2)</script>"
    for topic in record["topics"]:
        topic["label"] = "<b>" + topic["label"]
    view = record_view(record)
    # The title's evidence no longer matches the new title: reported, not drawn.
    title_terms = [e for t in articles[0]["topics"] for e in t["evidence"] if e["field"] == "title"]
    assert len([p for p in view.problems if "title" in p]) == len(title_terms)
    page = read_page(article_page(view))
    assert page.scripts == 0
    assert page.elements["img"] == 0 and page.elements["b"] == 0
    assert page.text("title") == hostile
    assert page.text("h1") == hostile
    assert "</dd><script>alert(2)</script>" in page.text("dd")


def synthetic_article() -> dict[str, Any]:
    """A record whose marks overlap every way: evidence across a date's edge, inside it,
    around it, two topics on one term, and two dates that overlap."""
    body = "Talks on 5 March 2024 in Hanoi and from May to June 2025 went well."
    title = "Vietnam and Japan"

    def at(text: str, part: str, start: int = 0) -> tuple[int, int]:
        begin = text.index(part, start)
        return begin, begin + len(part)

    def date(part: str, timex: str, start: str, end: str) -> dict[str, Any]:
        s, e = at(body, part)
        return {
            "text": part, "field": "body", "field_index": None, "span_start": s,
            "span_end": e, "timex": timex, "start_date": start, "end_date": end,
            "granularity": "day", "relative": False, "reference_date": None,
        }  # fmt: skip

    def term(field: str, text: str, part: str) -> dict[str, Any]:
        s, e = at(text, part)
        return {"term": part, "field": field, "field_index": None, "span_start": s, "span_end": e}

    return {
        "id": "synthetic-1", "title": title, "lead": None, "body": body, "captions": [],
        "outlet": "Example <Outlet>", "published_date": "2025-01-02", "language": "en",
        "split": "train", "primary_topic": "medtop:11000000",
        "event_dates": [
            date("5 March 2024", "2024-03-05", "2024-03-05", "2024-03-05"),
            date("May to June 2025", "2025-05/2025-06", "2025-05-01", "2025-06-30"),
            date("June 2025", "2025-06", "2025-06-01", "2025-06-30"),
            date("2025 went", "2025", "2025-01-01", "2025-12-31"),
        ],
        "topics": [
            {"code": "medtop:11000000", "label": "politics", "level": 1, "score": 3.0,
             "evidence": [term("body", body, "Talks on 5"), term("body", body, "March"),
                          term("title", title, "Vietnam and Japan")]},
            {"code": "medtop:20000638", "label": "international relations", "level": 2,
             "score": 2.0, "evidence": [term("body", body, "March"),
                                        term("body", body, "2024 in Hanoi and from May")]},
        ],
    }  # fmt: skip


def test_overlapping_marks_nest_or_split(tmp_path: Path) -> None:
    record = synthetic_article()
    view = record_view(record)
    assert view.problems == ()
    page = assert_page_marks_record(article_page(view), record)
    # Dates that overlap each other are split; every date still has its mark.
    assert {a["data-timex"] for a, _ in page.marks} == {d["timex"] for d in record["event_dates"]}
    whole = {d["text"] for d in record["event_dates"][:2]}
    assert whole <= {text for _, text in page.marks}
    out = render(view, colour=False)
    body_line = out.split("\nBody\n")[1].splitlines()[0]
    assert body_line.count("[") == body_line.count("]")
    assert body_line.count("{") == body_line.count("}")
    assert re.sub(rf"[\[\]{{}}{TOPIC_KEYS}⁰¹²³⁴⁵⁶⁷⁸⁹˒]", "", body_line) == record["body"]


def test_unknown_id_names_close_ids(release: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", SEED_ID[:-1] + "x", "--release", str(release)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"no article or teaser '{SEED_ID[:-1]}x'" in captured.err
    assert SEED_ID in captured.err
    assert main(["show", "004", "--release", str(release)]) == 1
    assert SEED_ID in capsys.readouterr().err


def test_a_teaser_is_shown_under_its_article(
    release: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    teaser = next(iter_records(release, "related"))
    assert main(["show", teaser["id"], "--release", str(release), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert f"article {teaser['parent_id']}, teaser {teaser['position']}" in out
    assert load_record(release, teaser["id"]) == teaser
    page = assert_page_marks_record(article_page(record_view(teaser)), teaser)
    assert page.text("h1") == teaser["headline"]


# --- a folder of pages -----------------------------------------------------------------


def test_all_writes_an_index_with_filters_and_a_page_per_record(
    release: Path, articles: list[dict[str, Any]], tmp_path: Path
) -> None:
    folder = tmp_path / "pages"
    assert main(["show", "--html", str(folder), "--all", "--release", str(release)]) == 0
    teasers = list(iter_records(release, "related"))
    index = (folder / "index.html").read_text(encoding="utf-8")

    class Index(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.options: dict[str, set[str]] = {}
            self.select = ""
            self.rows: list[dict[str, str]] = []
            self.links: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if tag == "select":
                self.select = a["name"]
                self.options[self.select] = set()
            elif tag == "option" and a["value"]:
                self.options[self.select].add(a["value"])
            elif tag == "tr" and "data-language" in a:
                self.rows.append(a)
            elif tag == "a":
                self.links.append(a["href"])

    parsed = Index()
    parsed.feed(index)
    read_page(index)
    assert set(parsed.options) >= {"language", "outlet", "topic", "year"}
    records = articles + teasers
    assert parsed.options["language"] == {r["language"] for r in records}
    assert parsed.options["topic"] == {t["code"] for r in records for t in r["topics"]}
    assert {str(r["published_date"])[:4] for r in articles} <= parsed.options["year"]
    assert len(parsed.rows) == len(records)
    for row in parsed.rows:
        assert {"data-language", "data-outlet", "data-topic", "data-year"} <= set(row)
    assert sorted(parsed.links) == sorted(f"{r['id']}.html" for r in records)
    for record in articles:
        assert_page_marks_record((folder / f"{record['id']}.html").read_text("utf-8"), record)
    listed = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))["files"]
    assert sorted(listed) == sorted(p.name for p in folder.iterdir() if p.name != MANIFEST_NAME)
    # Its own folder is written again; a page no longer listed goes.
    (folder / "gone.html").write_text("old", encoding="utf-8")
    manifest = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
    manifest["files"].append("gone.html")
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    assert write_site(release, folder).articles == len(articles)
    assert not (folder / "gone.html").exists()


def test_a_folder_or_file_not_written_by_show_is_refused(
    release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    assert main(["show", "--html", str(folder), "--all", "--release", str(release)]) == 1
    assert "notes.txt" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "my notes"

    page = tmp_path / "essay.html"
    page.write_text("<p>my essay</p>", encoding="utf-8")
    assert main(["show", SEED_ID, "--html", str(page), "--release", str(release)]) == 1
    assert "not a page written by" in capsys.readouterr().err
    assert page.read_text(encoding="utf-8") == "<p>my essay</p>"


def test_a_manifest_naming_files_outside_the_folder_removes_none_of_them(
    release: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "pages"
    assert main(["show", "--html", str(folder), "--all", "--release", str(release)]) == 0
    outside = tmp_path / "keep.txt"
    outside.write_text("mine", encoding="utf-8")
    manifest = folder / MANIFEST_NAME
    listing = json.loads(manifest.read_text(encoding="utf-8"))
    listing["files"] += ["../keep.txt", str(outside)]
    manifest.write_text(json.dumps(listing), encoding="utf-8")
    assert main(["show", "--html", str(folder), "--all", "--release", str(release)]) == 0
    assert outside.read_text(encoding="utf-8") == "mine"


def test_pages_are_written_beside_files_of_any_name_and_leftovers_are_known(
    release: Path, tmp_path: Path
) -> None:
    # A file whose name a fixed temporary name could take is the user's, and stays.
    beside = tmp_path / ".page.html.partial"
    beside.write_text("mine", encoding="utf-8")
    assert (
        main(["show", SEED_ID, "--html", str(tmp_path / "page.html"), "--release", str(release)])
        == 0
    )
    assert beside.read_text(encoding="utf-8") == "mine"
    # A page a run was writing when it stopped is the folder's own: the next run goes on.
    folder = tmp_path / "pages"
    assert main(["show", "--html", str(folder), "--all", "--release", str(release)]) == 0
    (folder / ".index.html.0123456789abcdef.tmp").write_text("<html>", encoding="utf-8")
    assert main(["show", "--html", str(folder), "--all", "--release", str(release)]) == 0
    (folder / ".notes.txt.0123456789abcdef.tmp").write_text("?", encoding="utf-8")
    assert main(["show", "--html", str(folder), "--all", "--release", str(release)]) == 1


# --- in a browser ----------------------------------------------------------------------


def chromium(*arguments: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="show-chromium-") as profile:
        return subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                *arguments,
            ],
            capture_output=True, timeout=120, check=True,
        )  # fmt: skip


@pytest.mark.browser
@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (nox -s browser installs it)"
)
def test_pages_render_their_marks_in_chromium(
    release: Path, articles: list[dict[str, Any]], tmp_path: Path
) -> None:
    folder = tmp_path / "pages"
    write_site(release, folder)
    record = next(r for r in articles if r["id"] == SEED_ID)
    page = (folder / f"{SEED_ID}.html").resolve()
    dom = chromium("--dump-dom", page.as_uri()).stdout.decode("utf-8")
    rendered = assert_page_marks_record(dom, record)
    assert Counter(a["data-timex"] for a, _ in rendered.marks) == Counter(
        d["timex"] for d in record["event_dates"]
    )
    # The index's script runs from file:// and applies filters named in the address.
    index = (folder / "index.html").resolve().as_uri()
    filtered = index + f"#language={record['language']}&kind=article"
    index_dom = chromium("--dump-dom", filtered).stdout.decode("utf-8")
    rows = re.findall(r"<tr (data-[^>]*)>", index_dom)
    shown = [r for r in rows if "hidden" not in r]
    wanted = [r for r in articles if r["language"] == record["language"]]
    assert len(rows) > len(shown) == len(wanted) > 0
    assert all(f'data-language="{record["language"]}" ' in r for r in shown)
    # Pixels: the page is drawn, and the date marks' colour is on it.
    image = pytest.importorskip("PIL.Image")
    shot = tmp_path / "page.png"
    chromium("--window-size=1200,900", f"--screenshot={shot}", page.as_uri())
    with image.open(shot) as picture:
        colours = picture.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50
    assert any(count > 100 for count, rgb in colours if rgb == (0xFF, 0xF3, 0xB0))
