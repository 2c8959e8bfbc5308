"""Each seed page parses into the right fields, free of page chrome."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataset_builder.ingest.layouts.detect import detect_layout, parse_text
from dataset_builder.ingest.layouts.plain import parse_plain_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CHINESE_SEEDS = sorted(p.name for p in SEEDS.glob("00[0-3]_*.txt"))
SWEDISH_SEED = "004_33f5a66664a9c512.txt"

TITLES = {
    "000_7e4abb51d367e3c2.txt": "日本驻越南大使:日本十分重视加强与越南外交关系",
    "001_595f845f27c271e1.txt": "越南外长范平明:越日关系正朝着深广方向发展",
    "002_5a876704dde407d5.txt": "日本外相上川阳子:友谊和信任是推动越日发展合作的动力",
    "003_74631ee4741cf324.txt": "东盟-日本建交50周年:致力于地区繁荣合作关系的新愿景",
    SWEDISH_SEED: "Det omfattande strategiska partnerskapet mellan Vietnam och Japan går framåt i stark takt",
}


def parsed(name: str) -> dict[str, object]:
    return parse_text((SEEDS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(TITLES))
def test_title(name: str) -> None:
    assert parsed(name)["title"] == TITLES[name]


@pytest.mark.parametrize("name", CHINESE_SEEDS)
def test_vna_body_is_free_of_chrome_and_related_list(name: str) -> None:
    record = parsed(name)
    body = str(record["body"])
    assert record["layout"] == "vna"
    for marker in ("更多", "(完)", "图自越通社", "ảnh 1", "越通社河内——"):
        assert marker not in body
    assert not body.rstrip().endswith("越通社")
    # No teaser headline leaks into the body.
    related = record["related"]
    assert isinstance(related, list) and related
    for teaser in related:
        assert teaser["headline"] not in body


@pytest.mark.parametrize("name", CHINESE_SEEDS)
def test_vna_captions_are_separate_and_unique(name: str) -> None:
    record = parsed(name)
    captions = record["captions"]
    assert isinstance(captions, list)
    assert len(captions) == len(set(captions))
    for caption in captions:
        assert "ảnh" not in caption
        assert caption not in str(record["body"])


def test_repeated_caption_kept_once() -> None:
    assert parsed("000_7e4abb51d367e3c2.txt")["captions"] == ["日本驻越南大使伊藤直树。图自越通社"]


def test_image_marker_and_repeated_headline_removed_from_caption() -> None:
    captions = parsed("002_5a876704dde407d5.txt")["captions"]
    assert captions == [
        "日本外相上川阳子。图自越通社",
        "芹苴大学是属于“芹苴大学升级”ODA项目。图自越通社",
    ]


def test_related_teasers_have_caption_headline_summary() -> None:
    related = parsed("000_7e4abb51d367e3c2.txt")["related"]
    assert isinstance(related, list)
    assert len(related) == 8
    first = related[0]
    assert first["caption"] == "国民经济大学国际贸易与经济研究院高级讲师副教授阮常谅 图自越通社"
    assert first["headline"] == "第79号决议:从“防守”转向“进攻”和“开路”"
    assert str(first["summary"]).startswith("1月6日,越共中央总书记苏林签署颁布了")


def test_teaser_whose_image_text_repeats_its_headline() -> None:
    related = parsed("001_595f845f27c271e1.txt")["related"]
    assert isinstance(related, list)
    estonia = [t for t in related if "爱沙尼亚" in t["headline"]]
    assert len(estonia) == 1
    assert estonia[0]["caption"] is None
    assert str(estonia[0]["summary"]).startswith("值此爱沙尼亚共和国国庆108周年")


def test_vna_dateline_removed_and_end_mark_respected() -> None:
    record = parsed("000_7e4abb51d367e3c2.txt")
    body = str(record["body"])
    assert body.startswith("应越南社会主义共和国政府总理范明政与夫人的邀请")
    assert body.endswith("他同时表示国际层面上的合作关系将是石破茂此次访问议程中的重要议题之一。")


def test_excerpt_printed_above_the_article_is_not_duplicated() -> None:
    record = parsed("001_595f845f27c271e1.txt")
    text = f"{record['lead']}\n\n{record['body']}"
    assert text.count("进出口贸易方面,日本是越南第三大贸易伙伴") == 1
    assert text.count("在政治方面,越南与日本友好合作关系不断得到巩固与发展") == 1
    # The lead is the standfirst that follows the excerpts.
    assert str(record["lead"]).startswith("值越南日本建交 40 周年")


@pytest.mark.parametrize("name", sorted(TITLES))
def test_no_paragraph_is_printed_twice(name: str) -> None:
    # VNA pages print their standfirst again as the first paragraph, after the dateline,
    # and some print excerpts of later paragraphs above the article.
    record = parsed(name)
    paragraphs = [str(record["lead"]), *str(record["body"]).split("\n\n")]
    squeezed = ["".join(p.split()).rstrip("。.") for p in paragraphs]
    for i, paragraph in enumerate(squeezed):
        others = squeezed[:i] + squeezed[i + 1 :]
        assert not any(other.startswith(paragraph) for other in others), paragraphs[i]


def test_vna_page_of_one_paragraph_printed_twice_keeps_a_body() -> None:
    page = "越日举行会谈\n\n两国外长在河内举行会谈。\n\n越通社河内——两国外长在河内举行会谈。(完)\n越通社\n"
    record = parse_text(page)
    assert (record["lead"], record["body"]) == (None, "两国外长在河内举行会谈。")


def test_vna_standfirst_that_opens_a_longer_paragraph_is_not_kept_twice() -> None:
    page = (
        "越日举行会谈\n\n两国外长举行会谈。\n\n"
        "越通社河内——两国外长举行会谈,讨论经贸合作。\n\n双方同意扩大投资。(完)\n越通社\n"
    )
    record = parse_text(page)
    assert record["lead"] == "两国外长举行会谈,讨论经贸合作。"
    assert record["body"] == "双方同意扩大投资。"


def test_swedish_page() -> None:
    record = parsed(SWEDISH_SEED)
    assert record["layout"] == "vietnamvn"
    assert record["published_date"] == "2025-11-27"
    assert record["published_date_source"] == "explicit"
    assert record["original_url"] == (
        "https://baotintuc.vn/thoi-su/quan-he-doi-tac-chien-luoc-toan-dien-viet-nam-nhat-ban-"
        "tien-trien-manh-me-20251127195337287.htm"
    )
    assert str(record["lead"]).startswith("Den 27 november, med anledning av tvåårsdagen")
    body = str(record["body"])
    for chrome in (
        "Vietnam.vn",
        "Báo Tin Tức",
        "Bildtext",
        "Källa",
        "Kommentar",
        "No data",
        "I samma ämne",
        "Vacker soluppgång",
        "Produkt",
    ):
        assert chrome not in body
    assert body.endswith("under hela året 2025.")
    captions = record["captions"]
    assert isinstance(captions, list) and len(captions) == 2
    assert all(c.startswith("Japans ambassadör i Vietnam, Ito Naoki, talade") for c in captions)
    assert record["related"] == []


def test_plain_text_title_and_body() -> None:
    record = parse_plain_text("\n\n  A headline \nFirst paragraph.\n\nSecond paragraph.\n")
    assert record["title"] == "A headline"
    assert record["body"] == "First paragraph.\n\nSecond paragraph."
    assert detect_layout("A headline\n\nbody").name == "plain"


def test_text_is_normalised_to_nfc_and_unix_line_ends() -> None:
    record = parse_plain_text("Tie\u0302u \u0111e\u0302\u0300\r\nBody\x07 text\r\n")
    assert record["title"] == "Tiêu đề"
    assert record["body"] == "Body text"
