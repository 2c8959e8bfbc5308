"""Bad input never crashes the build and never disappears: each case has its message."""

from __future__ import annotations

import datetime as dt
import json
import os
import unicodedata
from pathlib import Path

import jsonschema
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_builder.build.report import BuildReport
from dataset_builder.ingest import files
from dataset_builder.ingest.decode import UndecodableError, decode
from dataset_builder.ingest.layouts.detect import parse_text
from dataset_builder.validate.schema import _field_of, schema_rejects
from tests.conftest import SEEDS, build_copy

ZH = "越南与日本加强经济合作\n\n两国领导人于2025年4月27日在河内举行会谈，双方同意扩大贸易和投资合作，推动人力资源培训。"
ZH_HANT = "越南與日本加強經濟合作\n\n兩國領導人於2025年4月27日在河內舉行會談，雙方同意擴大貿易和投資合作，推動人力資源培訓。"
SV = "Vietnam och Japan stärker samarbetet\n\nLedarna för de två länderna träffades i Hanoi och kom överens om att öka handeln, investeringarna och utbytet av studenter – en ”ny era” för relationerna."
DE = "Vietnam und Japan vertiefen die Zusammenarbeit\n\nDie Regierungschefs beider Länder trafen sich in Hanoi und vereinbarten, Handel und Investitionen auszubauen."


def _article(title: str, body: str) -> str:
    return f"{title}\n\n{body}\n"


def _write_corpus(root: Path) -> dict[str, tuple[str, str]]:
    """Write one file per bad-input case; returns {name: (expected outcome, rule or encoding)}."""
    root.mkdir()
    expected: dict[str, tuple[str, str]] = {}

    def put(name: str, data: bytes, outcome: str, detail: str) -> None:
        (root / name).write_bytes(data)
        expected[name] = (outcome, detail)

    put("utf8-bom.txt", b"\xef\xbb\xbf" + ZH.encode(), "published", "utf-8-sig")
    put(
        "utf16-le.txt",
        "\ufeff".encode("utf-16-le")
        + SV.replace("Vietnam och", "Vietnam samt").encode("utf-16-le"),
        "published",
        "utf-16",
    )
    put(
        "utf16-be.txt",
        "\ufeff".encode("utf-16-be") + ZH.replace("河内", "东京").encode("utf-16-be"),
        "published",
        "utf-16",
    )
    put(
        "gb18030.txt",
        ZH.replace("河内", "岘港").replace("2025", "2024").encode("gb18030"),
        "published",
        "gb18030",
    )
    put("big5.txt", ZH_HANT.encode("big5"), "published", "big5")
    put(
        "cp1252.txt",
        SV.replace("Hanoi", "Tokyo").replace("studenter", "forskare").encode("cp1252"),
        "published",
        "cp1252",
    )
    put(
        "latin1.txt",
        "Nytt avtal mellan Vietnam och Japan\n\nMinistrarna undertecknade i går ett avtal om förnybar energi och utbildning för ingenjörer på båda sidor.".encode(
            "latin-1"
        ),
        "published",
        "iso-8859-1",
    )
    put(
        "crlf.txt",
        b"Handelsavtal undertecknat\r\n\r\nVietnam och Japan undertecknade ett handelsavtal om jordbruksprodukter och elektronik.\r\n",
        "published",
        "utf-8",
    )
    put(
        "cr.txt",
        "Nya flygrutter öppnas\r\rFlygbolagen öppnar nya direkta rutter mellan Da Nang och Osaka under hösten.\r".encode(),
        "published",
        "utf-8",
    )
    put(
        "nul-and-controls.txt",
        "Ny bro invigd\n\nEn ny bro byggd med japanskt bistånd\x00 invigdes\x07 i Can Tho.\n".encode(),
        "published",
        "utf-8",
    )
    put(
        "nfd.txt",
        unicodedata.normalize(
            "NFD",
            "Hợp tác Việt Nam – Nhật Bản\n\nHai nước ký kết thỏa thuận hợp tác về năng lượng sạch và đào tạo nguồn nhân lực chất lượng cao.",
        ).encode(),
        "published",
        "utf-8",
    )
    put("empty.txt", b"", "rejected", "non-empty")
    put("blank.txt", b"  \n\t\n  ", "rejected", "non-blank")
    put("title-only.txt", b"Bara en rubrik\n", "rejected", "minLength")
    put("binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "rejected", "encoding")
    put("undecodable.txt", bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 40, "rejected", "encoding")
    put("too-large.txt", ("Lång artikel\n\n" + "ord " * 3000).encode(), "rejected", "max-size")
    put("unknown-language.txt", DE.encode(), "published", "utf-8")
    put("zz-duplicate.txt", ZH.encode(), "duplicate", "exact")
    put(
        "zz-near-duplicate.txt",
        ZH.replace("推动人力资源培训。", "推动人力资源的培训。").encode(),
        "duplicate",
        "near",
    )
    put("sample.pdf", b"%PDF-1.4 not an article", "skipped", "not an article input")

    # Sidecars: malformed, impossible date, future date, orphan.
    # The reject names the sidecar; its article is not published.
    (root / "bad-sidecar.txt").write_text(
        _article("Sidecar trasig", "Texten är bra men metadata är trasig.")
    )
    put("bad-sidecar.meta.json", b"{not json", "rejected", "json-syntax")
    (root / "impossible-date.txt").write_text(
        _article("Omöjligt datum", "Metadata anger den trettionde februari.")
    )
    put(
        "impossible-date.meta.json",
        json.dumps({"published_date": "2025-02-30"}).encode(),
        "rejected",
        "format",
    )
    (root / "future-date.txt").write_text(
        _article("Framtida datum", "Metadata anger ett datum långt fram i tiden.")
    )
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    put(
        "future-date.meta.json",
        json.dumps({"published_date": future}).encode(),
        "rejected",
        "not-in-future",
    )
    (root / "orphan.meta.json").write_text(json.dumps({"outlet": "Nobody"}))
    expected["orphan.meta.json"] = ("rejected", "sidecar-article-exists")

    # A symlink to a file outside the input folder.
    outside = root.parent / "outside.txt"
    outside.write_text(
        _article("Utanför", "Denna fil ligger utanför indatamappen."), encoding="utf-8"
    )
    os.symlink(outside, root / "link-outside.txt")
    expected["link-outside.txt"] = ("rejected", "symlink-inside-input")
    os.symlink(root.parent, root / "linked-folder")
    expected["linked-folder"] = ("rejected", "no-linked-folders")

    lines = [
        json.dumps(
            {
                "id": "jsonl-good",
                "title": "Japan hjälper Vietnam med tunnelbana",
                "body": "Den andra tunnelbanelinjen i Hanoi byggs med japanska lån.",
                "published_date": "2025-10-01",
            }
        ),
        '{"id": "jsonl-broken", "title": "Trasig rad"',
        json.dumps({"id": "jsonl-wrong-type", "title": 42, "body": "Titeln är ett tal."}),
        json.dumps({"id": "jsonl-missing", "title": "Ingen brödtext"}),
        json.dumps(
            {
                "id": "jsonl-unknown",
                "title": "Okänt fält",
                "body": "Raden har ett fält som inte finns.",
                "mood": "glad",
            }
        ),
        json.dumps(
            {
                "id": "utf8-bom",
                "title": "Samma id som en fil",
                "body": "Detta id används redan av utf8-bom.txt.",
            }
        ),
        json.dumps(
            {
                "id": "../../escape",
                "title": "Farlig sökväg",
                "body": "Ett id som försöker lämna mappen.",
            }
        ),
    ]
    (root / "zz-batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return expected


JSONL_EXPECTED = {
    1: ("published", ""),
    2: ("rejected", "json-syntax"),
    3: ("rejected", "type"),
    4: ("rejected", "required"),
    5: ("rejected", "additionalProperties"),
    6: ("rejected", "unique-id"),
    7: ("rejected", "pattern"),
}


@pytest.fixture(scope="module")
def bad_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, BuildReport, dict[str, tuple[str, str]]]:
    tmp = tmp_path_factory.mktemp("bad")
    expected = _write_corpus(tmp / "inputs")
    release, report = build_copy(
        tmp, tmp / "inputs", allow_rejects=True, prune=True, max_input_bytes=8_000
    )
    return release, report, expected


def test_every_file_has_its_expected_outcome(
    bad_build: tuple[Path, BuildReport, dict[str, tuple[str, str]]],
) -> None:
    _, report, expected = bad_build
    rejects = {r.file: r for r in report.rejects if r.counts and r.line is None}
    duplicates = {d["file"]: d for d in report.duplicates}
    outcomes = {i["file"]: i for i in report.inputs}
    for name, (outcome, detail) in expected.items():
        if outcome == "rejected":
            assert name in rejects, name
            assert rejects[name].rule == detail, (name, rejects[name].one_line())
            line = rejects[name].one_line()
            assert line.startswith(name) and "\n" not in line
        elif outcome == "skipped":
            assert any(s.file == name and s.reason.startswith(detail) for s in report.skipped)
        elif outcome == "duplicate":
            assert duplicates[name]["kind"] == detail
            assert duplicates[name]["duplicate_of"] == "utf8-bom"
        else:
            assert outcomes[name]["outcomes"] == {"published": 1}, name
            assert outcomes[name]["encoding"] == detail, name


def test_jsonl_lines_are_reported_with_line_numbers(
    bad_build: tuple[Path, BuildReport, dict[str, tuple[str, str]]],
) -> None:
    _, report, _ = bad_build
    by_line = {r.line: r for r in report.rejects if r.file == "zz-batch.jsonl" and r.counts}
    for line, (outcome, rule) in JSONL_EXPECTED.items():
        if outcome == "rejected":
            assert by_line[line].rule == rule, by_line[line].one_line()
            assert by_line[line].one_line().startswith(f"zz-batch.jsonl:{line}:")
        else:
            assert line not in by_line
    assert "already used by utf8-bom.txt" in by_line[6].message
    assert by_line[4].field == "$.body"  # the missing field, not the object lacking it
    assert by_line[3].field == "$.title"
    sidecar_articles = {
        i["file"]: i["outcomes"] for i in report.inputs if i["file"].endswith("-date.txt")
    }
    assert sidecar_articles == {
        "future-date.txt": {"rejected": 1},
        "impossible-date.txt": {"rejected": 1},
    }


def test_accounting_adds_up_and_rejects_are_published(
    bad_build: tuple[Path, BuildReport, dict[str, tuple[str, str]]],
) -> None:
    release, report, expected = bad_build
    outcomes = [outcome for outcome, _ in expected.values()]
    outcomes += [outcome for outcome, _ in JSONL_EXPECTED.values()]
    assert report.totals() == {
        "articles_offered": len(outcomes) - outcomes.count("skipped"),
        "published": outcomes.count("published"),
        "rejected": outcomes.count("rejected"),
        "duplicates": outcomes.count("duplicate"),
        "related_published": 0,
        "skipped": outcomes.count("skipped"),
    }
    listed = [json.loads(line) for line in (release / "rejects.jsonl").read_text().splitlines()]
    assert len(listed) == len(report.rejects)
    assert sum(1 for r in report.rejects if r.counts) == outcomes.count("rejected")
    assert {r["rule"] for r in listed} >= {"encoding", "max-size", "json-syntax", "not-in-future"}


def test_text_is_stored_clean(
    bad_build: tuple[Path, BuildReport, dict[str, tuple[str, str]]],
) -> None:
    release, _, _ = bad_build
    frame = pl.read_parquet(release / "data" / "default" / "*.parquet")
    rows = {r["id"]: r for r in frame.iter_rows(named=True)}
    for row in rows.values():
        for field in ("title", "body"):
            assert unicodedata.is_normalized("NFC", row[field])
            assert "\r" not in row[field] and "\x00" not in row[field] and "\x07" not in row[field]
    assert rows["nfd"]["title"] == "Hợp tác Việt Nam – Nhật Bản"
    assert rows["cr"]["body"].startswith("Flygbolagen öppnar")
    assert rows["cp1252"]["body"].endswith("en ”ny era” för relationerna.")
    assert rows["big5"]["title"] == "越南與日本加強經濟合作"
    assert rows["big5"]["script"] == "Hant"
    assert rows["unknown-language"]["language"] == "und"


def test_undeterminable_language_is_kept_with_a_warning(
    bad_build: tuple[Path, BuildReport, dict[str, tuple[str, str]]],
) -> None:
    _, report, _ = bad_build
    assert any(w.startswith("unknown-language.txt: $.language:") for w in report.warnings)


def test_nothing_is_written_outside_the_output_folder(
    bad_build: tuple[Path, BuildReport, dict[str, tuple[str, str]]],
) -> None:
    release, _, _ = bad_build
    parent = release.parent
    assert sorted(p.name for p in parent.iterdir()) == [
        "inputs",
        "outside.txt",
        "release",
        "splits",
    ]
    assert not any(p.suffix == ".py" for p in release.rglob("*"))
    allowed = {".parquet", ".md", ".json", ".jsonl", ".cff", ".png"}
    files = [p for p in release.rglob("*") if p.is_file() and p.name != "LICENSE"]
    assert {p.suffix for p in files} <= allowed


def test_duplicates_are_reported_and_only_their_original_published(
    bad_build: tuple[Path, BuildReport, dict[str, tuple[str, str]]],
) -> None:
    release, report, _ = bad_build
    published = set(pl.read_parquet(release / "data" / "default" / "*.parquet")["id"])
    assert {d["kind"] for d in report.duplicates} == {"exact", "near"}
    for duplicate in report.duplicates:
        assert duplicate["id"] not in published
        assert duplicate["duplicate_of"] in published


def test_duplicate_of_a_rejected_article_is_kept(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    text = _article("Samma text", "Två filer med samma innehåll, den första med trasig metadata.")
    (inputs / "a-first.txt").write_text(text, encoding="utf-8")
    (inputs / "a-first.meta.json").write_text(json.dumps({"url": "not a url"}), encoding="utf-8")
    (inputs / "b-second.txt").write_text(text, encoding="utf-8")
    _, report = build_copy(tmp_path, inputs, allow_rejects=True, prune=True)
    assert report.totals()["published"] == 1
    assert list(report.duplicates) == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parsers_never_raise_on_arbitrary_text(text: str) -> None:
    record = parse_text(text)
    assert isinstance(record["title"], str) and isinstance(record["body"], str)
    assert unicodedata.is_normalized("NFC", record["body"])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "越通社",
                "更多",
                "(完)",
                "图自越通社",
                "Bildtext",
                "Källa: https://x.vn/a",
                "Vietnam.vn - header",
                "ảnh 1",
                "",
                "标题",
                "正文。",
                "12/11/2025",
                "越通社河内——",
            ]
        ),
        max_size=30,
    )
)
def test_page_parsers_never_raise_on_page_like_text(parts: list[str]) -> None:
    record = parse_text("\n".join(parts))
    assert isinstance(record["related"], list)


def test_seeds_still_publish_unchanged(seed_release: tuple[Path, BuildReport]) -> None:
    _, report = seed_release
    assert [i["outcomes"] for i in report.inputs] == [{"published": 1}] * len(
        list(SEEDS.glob("*.txt"))
    )


@pytest.mark.parametrize(
    "data",
    [
        "Hà Nội".encode("utf-16-le"),  # UTF-16 without its byte-order mark
        b"\x00\x01\x02\x03" * 10,
        b"\xff\xfe" + b"\x00\xd8",  # UTF-16 mark, then a lone surrogate
    ],
)
def test_decode_refuses_to_guess(data: bytes) -> None:
    with pytest.raises(UndecodableError):
        decode(data)


def test_each_missing_property_is_named_at_its_own_path() -> None:
    rejects = schema_rejects({"id": "x"}, "input-article.schema.json", "a.jsonl", line=1)
    assert {(r.field, r.rule) for r in rejects} == {("$.title", "required"), ("$.body", "required")}
    nested = jsonschema.Draft202012Validator(
        {"properties": {"meta": {"required": ["url", "outlet"]}}}
    ).iter_errors({"meta": {"outlet": "VNA"}})
    assert [_field_of(error) for error in nested] == ["$.meta.url"]


def test_a_file_that_grows_while_it_is_read_is_read_to_its_end_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 100)
    real_fstat = os.fstat

    class Shrunk:  # what fstat said before the file grew
        def __init__(self, result: os.stat_result) -> None:
            self.st_mode, self.st_size = result.st_mode, 10

    monkeypatch.setattr(os, "fstat", lambda fd: Shrunk(real_fstat(fd)))
    assert files.read_regular_file(path, 1000) == b"x" * 100
    with pytest.raises(files.InputTooLarge) as refused:
        files.read_regular_file(path, 50)
    assert refused.value.size == 100
