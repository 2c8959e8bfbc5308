"""The card's and Croissant's statements: one wording, and computed where they depend on the data."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dataset_builder.build.report import BuildReport
from dataset_builder.identity import load_identity, seed_identity
from dataset_builder.release import statements as statements_module
from dataset_builder.release.card import TEMPLATE, placeholders, render_template
from dataset_builder.release.statements import (
    CARD,
    PLAIN,
    Statement,
    about,
    licence_text,
    sources,
    speaking_for,
    translations,
)
from tests.conftest import build_copy

VNA = "Vietnam News Agency (越通社), Chinese service"
# Outlets the synthetic corpus's dataset.toml records nothing about: their country and
# ownership are unknown.
NHK = "NHK World-Japan"
KYODO = "Kyodo News"
PORTAL = "Vietnam.vn"

# Three articles written for these tests, each with the sidecar an outlet would need.
SYNTHETIC = {
    "nhk-rail": (
        NHK,
        None,
        "Japan and Vietnam agree to train railway engineers together\n\n"
        "The transport ministers of Japan and Vietnam agreed on Monday to train a new "
        "generation of railway engineers together. Students from Hanoi will spend two years "
        "at technical colleges near Osaka, and Japanese instructors will teach at a new "
        "school in Da Nang. Both governments said the programme would support the planned "
        "high-speed line between the north and the south of Vietnam.\n",
    ),
    "kyodo-trade": (
        KYODO,
        "ja",
        "Trade between Vietnam and Japan grows for the third year\n\n"
        "Exports from Vietnam to Japan rose again this year, led by electronics, seafood and "
        "textiles, according to figures published by the customs office in Tokyo. Japanese "
        "companies remain among the largest foreign investors in Vietnam, and several of "
        "them announced new factories in the provinces around Hanoi and Ho Chi Minh City.\n",
    ),
    "portal-culture": (
        PORTAL,
        None,
        "Lễ hội văn hóa Việt Nam – Nhật Bản thu hút đông đảo người dân\n\n"
        "Lễ hội văn hóa Việt Nam – Nhật Bản được tổ chức tại Hà Nội trong hai ngày cuối tuần "
        "với nhiều hoạt động biểu diễn âm nhạc, ẩm thực và trò chơi dân gian. Ban tổ chức cho "
        "biết hàng nghìn người dân và du khách đã đến tham quan, tìm hiểu thêm về văn hóa của "
        "hai nước và mối quan hệ hữu nghị lâu dài giữa hai dân tộc.\n",
    ),
}


# The synthetic corpus's identity: the facts it records about the portal, and the sides
# it covers.
SYNTHETIC_IDENTITY = """
name = "synthetic-news"
pretty_name = "Synthetic News"
version = "0.1.0"
license = "CC-BY-4.0"
[card.sides]
Vietnam = "Vietnamese"
Japan = "Japanese"
[card.outlets."Vietnam.vn"]
description = "a Vietnamese government promotion portal (Vietnam.vn)"
country = "Vietnam"
state = true
machine_translation = true
"""

JAPANESE_OUTLETS = f"""
[card.outlets."{NHK}"]
description = "Japan's public broadcaster"
country = "Japan"
[card.outlets."{KYODO}"]
description = "a Japanese news agency"
country = "Japan"
"""


def _write_inputs(folder: Path, identity: str = SYNTHETIC_IDENTITY) -> Path:
    folder.mkdir()
    (folder / "dataset.toml").write_text(identity, encoding="utf-8")
    for name, (outlet, translated_from, text) in SYNTHETIC.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        meta: dict[str, str] = {"outlet": outlet, "published_date": "2026-03-02"}
        if translated_from:
            meta["translated_from"] = translated_from
        (folder / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def synthetic_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """Three outlets: two its dataset.toml does not describe, one state-run portal."""
    tmp = tmp_path_factory.mktemp("synthetic")
    return build_copy(tmp, _write_inputs(tmp / "inputs"), prune=True)


def _card(release: Path) -> tuple[dict[str, Any], str]:
    text = (release / "README.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def _section(body: str, heading: str) -> str:
    return body.split(heading + "\n\n", 1)[1].split("\n\n#", 1)[0].strip()


def _croissant(release: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    return document


def _bullets(section: str) -> list[str]:
    return [line.removeprefix("- ") for line in section.splitlines() if line.startswith("- ")]


# -- computed from the data ---------------------------------------------------------------


def test_seed_card_says_which_coverage_is_absent(seed_release: tuple[Path, BuildReport]) -> None:
    _, body = _card(seed_release[0])
    limitations = _section(body, "## Limitations")
    assert (
        "**State media.** All 5 articles come from Vietnamese state media (the Vietnam News "
        "Agency) and a Vietnamese government promotion portal (Vietnam.vn). Such outlets "
        "present official positions; critical or Japanese-side coverage is absent."
    ) in limitations
    assert "**Machine translation.** 1 of 5 articles (Swedish) is a machine translation" in (
        limitations
    )
    assert "(`published_date_source = inferred`: 4 of 5 articles)" in limitations


def test_synthetic_card_names_its_own_languages_and_outlets(
    synthetic_release: tuple[Path, BuildReport],
) -> None:
    release, _ = synthetic_release
    front, body = _card(release)
    assert sorted(front["language"]) == ["en", "vi"]
    assert "in 2 language(s) from 3 outlet(s)" in body
    limitations = _section(body, "## Limitations")
    # Outlets of unrecorded country: nothing may be said to be absent.
    assert "coverage is absent" not in limitations
    assert "critical" not in limitations
    assert (
        "**State media.** 1 of 3 articles comes from a Vietnamese government promotion portal "
        "(Vietnam.vn). Such outlets present official positions. Ownership and country are "
        f"not recorded for {KYODO} and {NHK}."
    ) in limitations
    # Kyodo's translation is not said to be machine-made: only Vietnam.vn's are.
    assert (
        f"**Translation.** 1 of 3 articles (English) is a translation published by {KYODO}; "
        "its language may not be representative of English news writing."
    ) in limitations
    assert "Machine translation" not in limitations and "Swedish" not in limitations
    # Every date comes from a sidecar: no limitation about inferred dates.
    assert "Inferred dates" not in limitations
    assert front["language_creators"] == ["found"]


def test_recorded_japanese_outlet_is_not_said_to_be_absent(tmp_path: Path) -> None:
    inputs = _write_inputs(tmp_path / "inputs", SYNTHETIC_IDENTITY + JAPANESE_OUTLETS)
    release, _ = build_copy(tmp_path, inputs, prune=True)
    _, body = _card(release)
    limitations = _section(body, "## Limitations")
    assert "Japanese-side" not in limitations and "not recorded" not in limitations
    assert "Vietnamese-side" not in limitations
    assert "1 of 3 articles comes from a Vietnamese government promotion portal" in limitations


def test_seed_statements_are_the_seed_datasets_only(
    synthetic_release: tuple[Path, BuildReport],
) -> None:
    """The seed corpus's statements about itself stay out of another corpus's card."""
    _, body = _card(synthetic_release[0])
    for seed_says in ("Vietnamese state media", "in-sample (the rules were written from them)"):
        assert seed_says in _card_of_seed() and seed_says not in body
    assert sources({VNA: 1}, CARD) == Statement(
        "Sources", f"Ownership and country are not recorded for {VNA}."
    )


def _card_of_seed() -> str:
    from tests.conftest import ROOT

    return (ROOT / "DATASET_CARD.md").read_text(encoding="utf-8")


def test_sources_statement_follows_the_outlets(tmp_path: Path) -> None:
    seed = (Path(__file__).resolve().parent.parent / "dataset.toml").read_text(encoding="utf-8")
    asahi = '\n[card.outlets.Asahi]\ndescription = "a Japanese daily"\ncountry = "Japan"\n'
    seed = seed.replace('changelog = "CHANGELOG.md"\n', "")
    (tmp_path / "dataset.toml").write_text(seed + asahi, encoding="utf-8")
    identity = load_identity(tmp_path / "dataset.toml")
    with speaking_for(identity):
        _sources_follow_the_outlets()


def _sources_follow_the_outlets() -> None:
    assert sources({}, CARD) is None
    japanese_only = sources({"Asahi": 2}, CARD)
    assert japanese_only == Statement("Sources", "Vietnamese-side coverage is absent.")
    both_sides = sources({VNA: 4, "Asahi": 1}, CARD)
    assert both_sides is not None
    assert both_sides.text == (
        "4 of 5 articles come from Vietnamese state media (the Vietnam News Agency). "
        "Such outlets present official positions."
    )
    missing = sources({VNA: 3, "unknown": 1}, CARD)
    assert missing is not None and "critical" not in missing.text
    assert missing.text.endswith("not recorded for articles with no outlet named.")
    # A name from the data is escaped in the card and left as it is in Croissant.
    odd = sources({"<b>Odd</b>": 1}, CARD)
    assert odd is not None and "&lt;b&gt;Odd&lt;/b&gt;" in odd.text
    plain = sources({"<b>Odd</b>": 1}, PLAIN)
    assert plain is not None and "<b>Odd</b>" in plain.text


def test_translation_statement_counts_machine_and_human_translations() -> None:
    with speaking_for(seed_identity()):
        _translations_counted()


def _translations_counted() -> None:
    made = translations({("sv", PORTAL): 2, ("en", PORTAL): 1, ("en", KYODO): 1}, 10, CARD)
    assert [statement.title for statement in made] == ["Machine translation", "Translation"]
    assert made[0].text == (
        "3 of 10 articles (Swedish and English) are machine translations published by "
        "Vietnam.vn, not text written by a Swedish or English journalist; their language is "
        "not representative of Swedish or English news writing."
    )
    assert made[1].text.startswith("1 of 10 articles (English) is a translation published by")
    assert translations({}, 10, CARD) == []


# -- one wording --------------------------------------------------------------------------


def test_card_and_croissant_say_the_same(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    _, body = _card(release)
    croissant = _croissant(release)
    summary = body.split("# Vietnam–Japan Relations News\n\n", 1)[1].split("\n\n", 1)[0]
    assert croissant["description"] == summary.replace("**", "").replace(
        "(configuration `related`)", "(record set `related`)"
    )
    # The card's limitations open with what it counts from the data alone (card._gaps).
    counted = ("Missing annotations.", "Time covered.", "Share machine-translated.")
    considerations = [
        b.replace("**", "")
        for b in _bullets(_section(body, "## Limitations"))
        if not b.replace("**", "").startswith(counted)
    ]
    rai = croissant["rai:dataBiases"][:-1] + croissant["rai:dataLimitations"]
    assert considerations == rai
    assert croissant["rai:personalSensitiveInformation"] == [
        _section(body, "### Personal and sensitive information")
    ]
    uses = _section(body, "## What you can teach with it").split("What it is for, and what not:")
    assert croissant["rai:dataUseCases"] == _bullets(uses[1])
    assert croissant["rai:dataReleaseMaintenancePlan"] == _section(body, "## Maintenance")
    protocol = croissant["rai:dataAnnotationProtocol"]
    made = _bullets(_section(body, "## How it was made"))
    for text, name in zip(protocol, ("Language", "Topics", "Event dates"), strict=True):
        assert f"**{name}**: {text}" in made
    licensing = _section(body, "## Licensing")
    for licence in croissant["license"]:
        assert f"{licence['name']}" in licensing and licence["description"] in licensing
    cff = yaml.safe_load((release / "CITATION.cff").read_text(encoding="utf-8"))
    with speaking_for(seed_identity()):
        assert cff["abstract"].startswith(about(PLAIN))
        assert cff["abstract"].endswith(licence_text(PLAIN))
    assert cff["keywords"] == croissant["keywords"]


def test_no_placeholder_is_left_unfilled(seed_release: tuple[Path, BuildReport]) -> None:
    release, _ = seed_release
    for name in ("README.md", "croissant.json", "CITATION.cff"):
        text = (release / name).read_text(encoding="utf-8")
        assert not re.search(r"\$\{?[A-Za-z_]", text), name


# -- the template -------------------------------------------------------------------------


def test_template_leaves_out_empty_paragraphs_and_checks_its_values() -> None:
    template = "# $title\n\n$intro\n\nMedian: ${median}.\n\nEnd."
    assert render_template(template, {"title": "T", "intro": "", "median": None}) == "# T\n\nEnd.\n"
    assert render_template(template, {"title": "T", "intro": "I", "median": "3"}) == (
        "# T\n\nI\n\nMedian: 3.\n\nEnd.\n"
    )
    with pytest.raises(ValueError, match="no value for \\['median'\\]"):
        render_template(template, {"title": "T", "intro": "I"})
    with pytest.raises(ValueError, match="no placeholder for \\['extra'\\]"):
        render_template(template, {"title": "T", "intro": "I", "median": "3", "extra": "x"})


def test_template_and_statements_ship_beside_the_module() -> None:
    assert TEMPLATE.parent == Path(statements_module.__file__).parent
    assert statements_module.STATEMENTS_FILE.parent == TEMPLATE.parent
    assert "summary" in placeholders(TEMPLATE.read_text(encoding="utf-8"))
