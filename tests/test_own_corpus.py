"""A corpus as a seminar builds it from the files people have: legacy encodings, saved web
pages, one story from two outlets, and the stray files of a shared folder, published under
the corpus's own name through the `dataset-builder` command."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import datasets
import polars as pl
import pytest
import yaml

from dataset_builder.cli import main
from dataset_builder.config import SPLIT_HASH_PREFIX
from dataset_builder.identity import load_identity, seed_identity
from dataset_builder.ingest.discover import discover
from dataset_builder.ingest.read import parsed, read_input
from tests.conftest import build_copy
from tests.test_encodings import encode_cp1258
from tests.test_html_input import CHROME, JSON_LD_PAGE, META_PAGE

VI = (
    "Việt Nam và Nhật Bản hợp tác đào tạo kỹ sư bán dẫn\n\n"
    "Bộ Giáo dục và Đào tạo Việt Nam và một nhóm trường đại học Nhật Bản vừa ký thỏa thuận "
    "hợp tác đào tạo kỹ sư trong lĩnh vực bán dẫn. Theo thỏa thuận, mỗi năm khoảng ba trăm "
    "sinh viên Việt Nam sẽ sang Nhật Bản học tập và thực tập tại các doanh nghiệp.\n\n"
    "Các chuyên gia Nhật Bản cũng sẽ giảng dạy tại một số trường đại học ở Hà Nội, Đà Nẵng "
    "và Thành phố Hồ Chí Minh. Lãnh đạo hai bên cho rằng chương trình này sẽ góp phần đưa "
    "quan hệ Việt Nam – Nhật Bản lên tầm cao mới, đồng thời giúp các doanh nghiệp Nhật Bản "
    "tìm được nguồn nhân lực có tay nghề cao."
)
JA_SJIS = (
    "ベトナムと日本、半導体人材の育成で協力\n\n"
    "日本とベトナムの両政府は十日、東京で会合を開き、半導体産業を支える技術者の育成で協力する"
    "ことで合意した。日本の大学と企業がベトナムの若い技術者を受け入れ、三年間で約千人を研修する"
    "計画だ。\n\n"
    "ベトナム側は、研修を終えた人材が国内の工場で働けるよう、新しい制度を整える方針を示した。"
    "両国の関係者は、この協力が両国の経済関係をさらに深めると期待している。"
)
JA_EUC = (
    "ホイアンで日本文化祭、多くの市民が来場\n\n"
    "ベトナム中部の古い町ホイアンで週末、日本とベトナムの交流を記念する文化祭が開かれた。"
    "会場では日本の伝統的な踊りや太鼓の演奏が行われ、地元の学生たちも参加した。主催者による"
    "と、二日間で約二万人が訪れたという。\n\n"
    "ホイアンには四百年前に日本人町があり、両国の長い交流の歴史を伝える橋が今も残っている。"
    "市の担当者は、来年も文化祭を続けたいと話した。"
)
JA_JIS = (
    "ハノイの都市鉄道、日本の支援で新区間が開業\n\n"
    "ベトナムの首都ハノイで、日本の政府開発援助を使って建設された都市鉄道の新しい区間が開業"
    "した。式典にはベトナムの交通大臣と日本の大使が出席し、工事に関わった技術者に感謝の言葉を"
    "述べた。\n\n"
    "新区間は市の中心部と西部の住宅地を結び、一日に約五万人の利用が見込まれている。日本の企業"
    "は車両や信号の技術を提供しており、運転士の研修も日本で行われた。"
)
ZH_GBK = (
    "越南与日本签署清洁能源合作协议\n\n"
    "越南工业和贸易部与日本经济产业省日前在河内签署合作协议，双方将在风能、太阳能和氢能等"
    "领域加强合作。根据协议，日本企业将向越南提供技术和资金支持，帮助越南建设新的发电站，"
    "并为越南培训工程师。\n\n"
    "越南官员表示，这项合作有助于越南实现减少碳排放的目标。日本方面认为，越南是东南亚重要的"
    "能源市场，两国在能源领域的合作潜力很大。双方还同意每年举行一次会议，评估项目的进展情况。"
)
ZH_BIG5 = (
    "越南赴日留學生人數創新高\n\n"
    "根據日本學生支援機構公布的最新數據，在日本學習的越南留學生人數去年達到約四萬人，創下"
    "歷史新高。越南已成為日本第二大留學生來源國，許多越南學生在日本學習日語、工程和經濟等"
    "專業，畢業後有不少人留在日本工作。\n\n"
    "越南教育部官員表示，兩國在教育領域的交流不斷擴大，越來越多的日本大學也在越南設立辦事處，"
    "招收優秀學生。專家認為，留學生是兩國友好關係的重要橋樑。"
)

# The legacy-encoded articles: file name, text, how the file is encoded, and the name the
# build report gives that encoding.
LEGACY = {
    "vi-ban-dan": (VI, "cp1258", "cp1258"),
    "ja-handoutai": (JA_SJIS, "shift_jis", "shift_jis"),
    "ja-hoian": (JA_EUC, "euc_jp", "euc-jp"),
    "ja-tetsudou": (JA_JIS, "iso2022_jp", "iso-2022-jp"),
    "zh-nengyuan": (ZH_GBK, "gbk", "gb18030"),  # GB18030 reads GBK bytes alike
    "zh-liuxuesheng": (ZH_BIG5, "big5", "big5"),
}

# An invented wire story (no outlet printed it), under the headline of each outlet.
WIRE_STORY = (
    "Vietnam and Japan on Monday launched a joint programme to protect mangrove forests "
    "along the Mekong Delta coast, officials from both countries said at a ceremony in Can "
    "Tho. The programme will replant about 3,000 hectares of mangroves in Ca Mau, Bac Lieu "
    "and Soc Trang over five years, and pay local families to look after the young trees. "
    "Japan will contribute grants worth about 1.5 billion yen and send researchers from two "
    "universities to measure how much the forests slow coastal erosion and store carbon. "
    "Vietnamese provincial authorities will provide the land and train rangers. A Japanese "
    "embassy official said the forests also shield farms and fish ponds from storms and "
    "rising salt water. The first planting season begins in July, when the rains come, and "
    "the results will be reviewed by both governments in 2028 before the programme is "
    "extended to other provinces."
)
WIRE_COPIES = {
    "mangrove-wire": (
        "Vietnam and Japan join forces to replant Mekong mangroves",
        {"outlet": "Delta Wire Service", "url": "https://delta-wire.example.org/mangroves"},
    ),
    "mangrove-gazette": (
        "Japan funds mangrove planting on Vietnam's southern coast",
        {"outlet": "Coastal Gazette", "url": "https://coastal-gazette.example.com/2025/mangroves"},
    ),
}

# What the pages' bodies hold, paragraph by paragraph (tests/test_html_input.py).
PAGES = {
    "harbour-port-deal.html": JSON_LD_PAGE,
    "mekong-lanterns.HTM": META_PAGE,  # saved on Windows: an upper-case suffix
}

# Files people keep beside their articles, which are not articles.
STRAYS = {
    "README.md": b"# Our articles\n\nCollected by the seminar, spring term.\n",
    "notes.docx": b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + bytes(64),
    ".DS_Store": b"\x00\x00\x00\x01Bud1" + bytes(32),
}

NAME = "seminar-vn-jp-2026"
PRETTY_NAME = "Seminar Corpus on Vietnam and Japan"
VERSION = "0.3.0"
AUTHOR = "Nguyen Thi Lan"


def _identity(toml: str) -> str:
    """The dataset.toml of `init`, edited as a user does: name, title, version, an author."""
    toml = re.sub(r"^name = .*$", f'name = "{NAME}"', toml, count=1, flags=re.MULTILINE)
    toml = re.sub(r"^pretty_name = .*$", f'pretty_name = "{PRETTY_NAME}"', toml, flags=re.M)
    toml = re.sub(r"^version = .*$", f'version = "{VERSION}"', toml, flags=re.MULTILINE)
    author = f'[[authors]]\nname = "{AUTHOR}"\ngiven_names = "Lan"\nfamily_names = "Nguyen"\n\n'
    return toml.replace("\n[card]\n", f"\n{author}[card]\n", 1)


def _write_corpus(corpus: Path) -> Path:
    assert main(["init", str(corpus)]) == 0
    toml = corpus / "dataset.toml"
    toml.write_text(_identity(toml.read_text(encoding="utf-8")), encoding="utf-8")
    articles = corpus / "articles"
    for name, (text, encoding, _) in LEGACY.items():
        data = encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
        (articles / f"{name}.txt").write_bytes(data)
    for name, (headline, meta) in WIRE_COPIES.items():
        (articles / f"{name}.txt").write_text(f"{headline}\n\n{WIRE_STORY}\n", encoding="utf-8")
        (articles / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    for name, page in PAGES.items():
        (articles / name).write_text(page, encoding="utf-8")
    for name, data in STRAYS.items():
        (articles / name).write_bytes(data)
    return corpus


@pytest.fixture(scope="module")
def own_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = _write_corpus(tmp_path_factory.mktemp("own") / "seminar")
    # As a user runs it: no --allow-rejects, so a single reject fails the build.
    assert main(["build", "--input", str(corpus), "--no-cache", "--workers", "1"]) == 0
    return corpus


def _rows(release: Path) -> dict[str, dict[str, Any]]:
    frame = pl.read_parquet(release / "data" / "default" / "*.parquet")
    return {row["id"]: row for row in frame.iter_rows(named=True)}


def _report(corpus: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(
        (corpus / "release" / "build_report.json").read_text(encoding="utf-8")
    )
    return report


def _text(row: dict[str, Any]) -> str:
    """An article's text as published: title, then lead and body as paragraphs."""
    return "\n\n".join(part for part in (row["title"], row["lead"], row["body"]) if part)


def test_every_article_is_published(own_corpus: Path) -> None:
    rows = _rows(own_corpus / "release")
    expected = {*LEGACY, *WIRE_COPIES, *(Path(name).stem for name in PAGES)}
    assert set(rows) == expected
    report = _report(own_corpus)
    assert report["rejects"] == []
    assert report["totals"]["published"] == len(expected)
    assert report["totals"]["rejected"] == report["totals"]["duplicates"] == 0


def test_legacy_encodings_give_exactly_the_original_text(own_corpus: Path) -> None:
    rows = _rows(own_corpus / "release")
    encodings = {entry["file"]: entry.get("encoding") for entry in _report(own_corpus)["inputs"]}
    for name, (text, _, reported) in LEGACY.items():
        assert _text(rows[name]) == unicodedata.normalize("NFC", text), name
        assert encodings[f"{name}.txt"] == reported, name
        assert rows[name]["language"] == name.split("-")[0], name


def test_saved_pages_give_the_article_without_chrome(own_corpus: Path) -> None:
    rows = _rows(own_corpus / "release")
    port, lanterns = rows["harbour-port-deal"], rows["mekong-lanterns"]
    assert (port["title"], lanterns["title"]) == (
        "Hanoi and Tokyo sign port deal",
        "Festival brings lanterns to Hoi An",
    )
    assert port["body"].startswith("The deal covers two new berths")
    assert lanterns["body"].startswith("A delegation from the Japanese city of Sakai")
    assert (str(port["published_date"]), str(lanterns["published_date"])) == (
        "2024-03-05",
        "2023-09-28",
    )
    assert port["url"] == "https://harbour-daily.example.com/news/hanoi-tokyo-port-deal"
    assert lanterns["url"] == "https://www.mekong-weekly.example.org/culture/lantern-festival"
    assert (port["outlet"], lanterns["outlet"]) == ("Harbour Daily", "Mekong Weekly")
    for row in (port, lanterns):
        assert [chrome for chrome in CHROME if chrome in _text(row)] == [], row["id"]
    # The figure's caption is the article's, apart from its text.
    assert port["captions"] == ["Cranes at the Lach Huyen container terminal in Hai Phong."]
    assert lanterns["captions"] == []


def test_one_story_from_two_outlets_is_kept_and_linked(own_corpus: Path) -> None:
    rows = _rows(own_corpus / "release")
    wire, gazette = rows["mangrove-wire"], rows["mangrove-gazette"]
    assert wire["story_id"] == gazette["story_id"] == "mangrove-gazette"  # the smaller id
    assert wire["story_copies"] == ["mangrove-gazette"]
    assert gazette["story_copies"] == ["mangrove-wire"]
    assert wire["split"] == gazette["split"]
    assert (wire["outlet"], gazette["outlet"]) == ("Delta Wire Service", "Coastal Gazette")
    for name, (headline, _) in WIRE_COPIES.items():
        assert _text(rows[name]) == f"{headline}\n\n{WIRE_STORY}"


def test_stray_files_are_reported_as_skipped(own_corpus: Path) -> None:
    report = _report(own_corpus)
    skipped = {entry["file"]: entry["reason"] for entry in report["skipped"]}
    assert set(skipped) == set(STRAYS)
    assert skipped[".DS_Store"] == "hidden file or folder"
    for name in ("README.md", "notes.docx"):
        assert skipped[name].startswith("not an article input"), name
        assert ".txt" in skipped[name] and ".html" in skipped[name]
    assert report["totals"]["skipped"] == len(STRAYS)
    inputs = {entry["file"] for entry in report["inputs"]}
    assert not inputs & set(STRAYS)


def _published_metadata(release: Path) -> dict[str, str]:
    """What the release says it is: card, CITATION.cff, Croissant, the records' citations."""
    citations = pl.read_parquet(release / "data" / "default" / "*.parquet")["citation"]
    return {
        name: (release / name).read_text(encoding="utf-8")
        for name in ("README.md", "CITATION.cff", "croissant.json")
    } | {"citation": "\n".join(citations.to_list())}


def test_release_carries_the_corpus_name_and_version(own_corpus: Path) -> None:
    identity = load_identity(own_corpus / "dataset.toml")
    assert (identity.name, identity.pretty_name, identity.version) == (
        NAME,
        PRETTY_NAME,
        VERSION,
    )
    release = own_corpus / "release"
    published = _published_metadata(release)
    front = yaml.safe_load(published["README.md"].split("---\n", 2)[1])
    assert (front["pretty_name"], front["version"]) == (PRETTY_NAME, VERSION)
    card_body = published["README.md"].split("---\n", 2)[2]
    assert NAME in card_body and PRETTY_NAME in card_body and VERSION in card_body
    cff = yaml.safe_load(published["CITATION.cff"])
    assert cff["version"] == VERSION and PRETTY_NAME in cff["title"]
    assert [author.get("family-names") for author in cff["authors"]] == ["Nguyen"]
    croissant = json.loads(published["croissant.json"])
    assert (croissant["name"], croissant["version"]) == (NAME, VERSION)
    rows = _rows(release).values()
    assert rows and all(f"{PRETTY_NAME} (Version {VERSION})" in row["citation"] for row in rows), [
        row["citation"] for row in rows
    ]
    seed = seed_identity()
    assert (seed.pretty_name, seed.name, seed.version) == (
        "Vietnam–Japan Relations News",
        "vietnam-japan-news",
        "1.1.0",
    )
    for where in ("CITATION.cff", "croissant.json", "citation"):
        text = published[where]
        for seed_says in (seed.pretty_name, seed.name):
            assert seed_says not in text, (where, seed_says)
        assert not re.search(rf"\b{re.escape(seed.version)}\b", text), where
    assert seed.pretty_name not in published["README.md"]
    assert not re.search(rf"\b{re.escape(seed.version)}\b", published["README.md"])


def test_card_never_names_the_seed_dataset(own_corpus: Path) -> None:
    """Only where it states the split rule: its hash key is the builder's, fixed for every
    corpus, and must be given as it is for anyone to check a split."""
    card = _published_metadata(own_corpus / "release")["README.md"]
    split_key = f'SHA-256("{SPLIT_HASH_PREFIX}:" + id)'
    assert split_key in card
    assert seed_identity().name not in card.replace(split_key, "")


def test_release_loads_with_datasets_offline(own_corpus: Path) -> None:
    loaded = datasets.load_dataset(str(own_corpus / "release"))
    rows = _rows(own_corpus / "release")
    ids = sorted(record_id for split in loaded.values() for record_id in split["id"])
    assert ids == sorted(rows)
    for split in loaded.values():
        for record in split:
            assert record["title"] == rows[record["id"]]["title"]
            assert record["body"] == rows[record["id"]]["body"]


def test_suffixes_in_upper_case_are_read_as_their_kind(tmp_path: Path) -> None:
    """Windows and older editors save "PAGE.HTM" and "NOTES.TXT": the same kinds of file."""
    letter = f"{WIRE_COPIES['mangrove-wire'][0]}\n\n{WIRE_STORY}\n"
    (tmp_path / "LETTER.TXT").write_text(letter, encoding="utf-8")
    line = {"id": "from-lines", "title": "A title", "body": WIRE_STORY}
    (tmp_path / "Batch.JSONL").write_text(json.dumps(line) + "\n", encoding="utf-8")
    (tmp_path / "Lanterns.Htm").write_text(META_PAGE, encoding="utf-8")
    (tmp_path / "Lanterns.meta.json").write_text(
        json.dumps({"outlet": "Print edition"}), encoding="utf-8"
    )
    (tmp_path / "PORT.HTML").write_text(JSON_LD_PAGE, encoding="utf-8")
    found = discover(tmp_path)
    assert (found.rejects, found.skipped) == ([], [])
    assert sorted(found.inputs) == ["Batch.JSONL", "LETTER.TXT", "Lanterns.Htm", "PORT.HTML"]
    records: dict[str, dict[str, Any]] = {}
    for name in found.inputs:
        info, items = read_input(tmp_path / name, tmp_path, parse=False)
        for item in items:
            assert isinstance(item, dict), item
            records[item["id"]] = parsed(item)  # as a worker process parses it
        assert info.kind == {".txt": "article", ".jsonl": "jsonl"}.get(
            Path(name).suffix.lower(), "html"
        )
    assert sorted(records) == ["LETTER", "Lanterns", "PORT", "from-lines"]
    assert (records["Lanterns"]["layout"], records["PORT"]["layout"]) == ("html", "html")
    assert records["Lanterns"]["outlet"] == "Print edition"  # its sidecar is found
    assert records["LETTER"]["title"] == WIRE_COPIES["mangrove-wire"][0]


def test_same_id_in_two_cases_is_a_clear_reject(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    for name in ("story.txt", "story.TXT"):
        (corpus / name).write_text(f"Headline\n\n{WIRE_STORY}\n", encoding="utf-8")
    release, report = build_copy(tmp_path, corpus, prune=True, allow_rejects=True)
    rejects = [(r.file, r.rule, r.id) for r in report.rejects]
    assert rejects == [("story.txt", "unique-id", "story")]
    assert list(_rows(release)) == ["story"]


def test_a_sidecar_suffix_in_upper_case_is_a_reject_that_says_the_fix(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "story.htm").write_text(JSON_LD_PAGE, encoding="utf-8")
    (corpus / "story.META.JSON").write_text('{"outlet": "Harbour Daily"}', encoding="utf-8")
    _, report = build_copy(tmp_path, corpus, prune=True, allow_rejects=True)
    [reject] = report.rejects
    assert (reject.file, reject.rule) == ("story.META.JSON", "sidecar-name")
    assert "rename it to story.meta.json" in reject.message


def test_a_record_is_cited_as_its_release_says_from_any_folder(
    own_corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    release = own_corpus / "release"
    record_id = sorted(_rows(release))[0]
    monkeypatch.chdir(tmp_path)  # a folder with no dataset.toml of its own
    for style in ("apa", "bibtex"):
        assert main(["cite", "--id", record_id, "--release", str(release), "--format", style]) == 0
        cited = capsys.readouterr().out
        assert f"Accessed via {PRETTY_NAME} (Version {VERSION}), record {record_id}" in cited
        assert seed_identity().pretty_name not in cited
