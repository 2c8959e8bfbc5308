"""English topic lexicon: the level-1/level-2 topics it covers, and words it must not
mistake for terms.

Examples written for these tests (not taken from any corpus).
"""

from __future__ import annotations

import json

import pytest

from dataset_builder.annotators.segments import Segment
from dataset_builder.annotators.topics import (
    VOCABULARY_PATH,
    LexiconTopicAnnotator,
    TopicResult,
    default_topic_annotator,
    load_vocabulary,
)
from dataset_builder.config import RESOURCES_DIR

LEXICON_PATH = RESOURCES_DIR / "languages" / "en" / "topics.json"


@pytest.fixture(scope="module")
def annotator() -> LexiconTopicAnnotator:
    return default_topic_annotator()


def _annotate(annotator: LexiconTopicAnnotator, title: str, body: str = "") -> TopicResult:
    segments = [Segment("title", None, title)]
    if body:
        segments.append(Segment("body", None, body))
    return annotator.annotate(segments, "en")


def _codes(annotator: LexiconTopicAnnotator, title: str, body: str = "") -> set[str]:
    return {topic["code"] for topic in _annotate(annotator, title, body).topics}


def test_every_top_level_topic_has_terms() -> None:
    vocabulary = load_vocabulary(VOCABULARY_PATH)
    document = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    # A level-2 code's terms count for its parent.
    covered = {vocabulary[e["code"]].parent or e["code"] for e in document["entries"]}
    top_level = {code for code, topic in vocabulary.items() if topic.parent is None}
    assert len(top_level) == 17
    assert covered == top_level


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Striker's late equaliser earns draw in Premier League clash", "medtop:15000000"),
        ("Sprinter takes gold medal at the Asian Games", "medtop:15000000"),
        ("Wimbledon champion knocked out in quarter-finals", "medtop:15000000"),
        ("Actress wins Oscar for her role in war drama", "medtop:01000000"),
        ("Band releases new album ahead of world tour", "medtop:01000000"),
        ("Man jailed for five years over bank robbery", "medtop:02000000"),
        ("Wildfire forces thousands to evacuate", "medtop:03000000"),
        ("Central bank raises interest rates to curb inflation", "medtop:04000000"),
        ("Shares slump as quarterly profits fall", "medtop:04000000"),
        ("Pupils return to classrooms as schools reopen", "medtop:05000000"),
        ("Mangrove forests restored to protect endangered species", "medtop:06000000"),
        ("Hospitals prepare for surge in flu patients", "medtop:07000000"),
        ("Trade unions call general strike over pension reform", "medtop:09000000"),
        ("Street food and cooking classes draw holidaymakers", "medtop:10000000"),
        ("Opposition party wins landslide in general election", "medtop:11000000"),
        ("Buddhist monks lead prayers at the pagoda", "medtop:12000000"),
        ("Scientists publish research on quantum computing chips", "medtop:13000000"),
        ("Charities warn of rising homelessness and poverty", "medtop:14000000"),
        ("Troops withdraw after ceasefire agreed", "medtop:16000000"),
        ("Heavy rain and strong winds forecast for the weekend", "medtop:17000000"),
    ],
)
def test_headline_is_filed_under_its_topic(
    annotator: LexiconTopicAnnotator, title: str, code: str
) -> None:
    assert _annotate(annotator, title).primary_topic == code


@pytest.mark.parametrize(
    ("title", "body", "absent"),
    [
        # "import*" would find "important", "consul*" "consultants".
        (
            "An important day for consultants",
            "It was important, the consultants said.",
            {"medtop:04000000", "medtop:11000000"},
        ),
        # "slum", "family" and "monk" are whole words; "slump", "familiar", "monkey" are not.
        (
            "Familiar faces at the monkey house",
            "A slump in mood.",
            {"medtop:14000000", "medtop:12000000"},
        ),
        # "concert" is a whole word; "concerted" is not.
        ("A concerted effort", "They made a concerted effort.", {"medtop:01000000"}),
        # "wage" and "wages" are pay; "waged" (war) is not.
        ("Rebels have waged war for years", "", {"medtop:09000000"}),
    ],
)
def test_words_that_only_begin_like_a_term_do_not_match(
    annotator: LexiconTopicAnnotator, title: str, body: str, absent: set[str]
) -> None:
    assert not _codes(annotator, title, body) & absent


def test_talks_on_a_field_are_filed_under_the_field(annotator: LexiconTopicAnnotator) -> None:
    # Negotiations about coffee export quotas are economy, not a diplomatic act.
    result = _annotate(
        annotator,
        "Coffee exporters resume talks on quotas",
        "Exporters and importers discussed coffee prices and export quotas.",
    )
    assert result.primary_topic == "medtop:04000000"


def test_leaders_holding_talks_is_politics(annotator: LexiconTopicAnnotator) -> None:
    result = _annotate(
        annotator,
        "Prime ministers held talks on flood recovery",
        "The floods destroyed homes; rescue teams evacuated thousands of residents.",
    )
    assert result.primary_topic == "medtop:11000000"
    assert "medtop:03000000" in {topic["code"] for topic in result.topics}


def test_set_phrases_win_over_their_first_word(annotator: LexiconTopicAnnotator) -> None:
    # The longest term at a position wins: a heart attack is health, a trade war economy,
    # Treasury bills a market, a novel coronavirus health.
    assert _annotate(annotator, "Heart attack patients").primary_topic == "medtop:07000000"
    assert _annotate(annotator, "Trade war deepens").primary_topic == "medtop:04000000"
    assert _annotate(annotator, "Novel coronavirus spreads").primary_topic == "medtop:07000000"


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # IPTC files semiconductors and chips as products under the economy
        # ("semiconductor and electronic component"), and trade disputes and tariffs too.
        (
            "Negotiators open talks on semiconductors",
            "The two governments try to settle their dispute over semiconductor exports.",
        ),
        (
            "Chip talks to resume next month",
            "Officials will discuss the tariffs on memory chips and other exports.",
        ),
        ("Chipmaker to build a second plant", "The microchip factory will employ engineers."),
    ],
)
def test_semiconductors_and_chip_trade_are_economy(
    annotator: LexiconTopicAnnotator, title: str, body: str
) -> None:
    result = _annotate(annotator, title, body)
    assert result.primary_topic == "medtop:04000000"
    assert "medtop:13000000" not in {topic["code"] for topic in result.topics}


def test_semiconductor_research_stays_science(annotator: LexiconTopicAnnotator) -> None:
    # The study and design of electronic components is science and technology in IPTC
    # ("electronic engineering"); the component as a product is not.
    result = _annotate(
        annotator,
        "Scientists test a new semiconductor material in laboratory experiments",
        "The research team measured how the material conducts electricity.",
    )
    assert result.primary_topic == "medtop:13000000"


def test_a_bargaining_chip_alone_is_not_economy(annotator: LexiconTopicAnnotator) -> None:
    # "chip" on its own is a weak term: it hints at the industry without settling it.
    assert "medtop:04000000" not in _codes(
        annotator, "Hostages used as a bargaining chip", "The rebels hold the hostages."
    )


def test_sanctions_are_international_relations(annotator: LexiconTopicAnnotator) -> None:
    # IPTC files economic sanctions under politics (international relations), trade
    # disputes and tariffs under the economy: the heading term decides between them.
    result = _annotate(
        annotator,
        "Government announces sanctions against neighbour",
        "The embargo cuts off arms deliveries and freezes the assets of officials.",
    )
    assert result.primary_topic == "medtop:11000000"
