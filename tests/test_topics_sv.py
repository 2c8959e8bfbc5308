"""Swedish topic lexicon: compounds and the level-1/level-2 topics it covers.

Examples written for these tests (not taken from any corpus).
"""

from __future__ import annotations

import pytest

from dataset_builder.annotators.segments import Segment
from dataset_builder.annotators.topics import LexiconTopicAnnotator, default_topic_annotator


@pytest.fixture(scope="module")
def annotator() -> LexiconTopicAnnotator:
    return default_topic_annotator()


def _primary(annotator: LexiconTopicAnnotator, title: str, body: str = "") -> str | None:
    segments = [Segment("title", None, title)]
    if body:
        segments.append(Segment("body", None, body))
    return annotator.annotate(segments, "sv").primary_topic


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Landslaget vann matchen mot Norge", "medtop:15000000"),
        ("Svensk skidskyttedam tog OS-guld i sprinten", "medtop:15000000"),
        ("Ishockeyspelaren skriver på för NHL-klubb", "medtop:15000000"),
        ("Ny roman av prisad författare", "medtop:01000000"),
        ("Popartisten släpper nytt album", "medtop:01000000"),
        ("Man döms till fängelse för rånet", "medtop:02000000"),
        ("Skogsbrand hotar byar i norr", "medtop:03000000"),
        ("Räntan höjs igen av Riksbanken", "medtop:04000000"),
        ("Grundskolans elever får fler lektioner", "medtop:05000000"),
        ("Vargstammen växer i naturreservatet", "medtop:06000000"),
        ("Vårdcentralen får fler sjuksköterskor", "medtop:07000000"),
        ("Kungaparet firar jubileum", "medtop:08000000"),
        ("Facket varslar om strejk", "medtop:09000000"),
        ("Midsommar och fika i sommarstugan", "medtop:10000000"),
        ("Partiledarna möts före riksdagsvalet", "medtop:11000000"),
        ("Ny präst i församlingen", "medtop:12000000"),
        ("Forskarna hittar ny planet med teleskop", "medtop:13000000"),
        ("Hemlösa och fattiga barnfamiljer får mer bidrag", "medtop:14000000"),
        ("Rebeller tar kontroll efter strider", "medtop:16000000"),
        ("SMHI varnar för åska och skyfall", "medtop:17000000"),
    ],
)
def test_swedish_headlines_get_their_topic(annotator, title: str, code: str) -> None:  # type: ignore[no-untyped-def]
    assert _primary(annotator, title) == code


@pytest.mark.parametrize(
    "title",
    [
        # "förslaget" (the proposal) is not "laget" (the team), "fördömde" not "dömd",
        # "gemensam" not "ensam", "skatter" not "katter", "tillåten" not "låten".
        "Förslaget fördömdes i gemensamt uttalande",
        "Skatter tillåtna enligt förslaget",
    ],
)
def test_swedish_compound_heads_do_not_leak(annotator, title: str) -> None:  # type: ignore[no-untyped-def]
    result = annotator.annotate([Segment("title", None, title)], "sv")
    codes = {topic["code"] for topic in result.topics}
    assert not codes & {
        "medtop:15000000",
        "medtop:02000000",
        "medtop:14000000",
        "medtop:08000000",
        "medtop:01000000",
    }


SHORT_ITEM = [
    "En vulkan på Island är aktiv igen.",
    "Många människor har lämnat sina hem i natt.",
    "Lavan rinner mot havet. Ingen har skadats.",
    "Vulkanen kan vara aktiv i flera veckor, tror experter.",
]


def test_short_item_topic_returned_to_in_two_paragraphs(
    annotator: LexiconTopicAnnotator,
) -> None:
    """An easy-to-read brief of one-sentence paragraphs names its subject once per
    paragraph: two paragraphs about it anchor the topic."""
    body = "\n\n".join(SHORT_ITEM)
    assert _primary(annotator, "Nyheter från Island", body) == "medtop:03000000"
    # In one paragraph, one term twice is not a topic developed.
    assert _primary(annotator, "Nyheter från Island", " ".join(SHORT_ITEM)) is None


def test_long_item_keeps_the_rules_for_any_item(annotator: LexiconTopicAnnotator) -> None:
    filler = "\n\n".join(
        f"Invånarna i byn nummer {n} pratade länge om livet och om vägen hem." for n in range(40)
    )
    body = "\n\n".join([SHORT_ITEM[0], filler, SHORT_ITEM[3]])
    assert _primary(annotator, "Nyheter från Island", body) is None


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Förhandlingar om halvledare inleds",
            "Länderna vill lösa tvisten om export av halvledare och datorchips.",
        ),
        ("Ny fabrik för mikrochips byggs i norr", "Fabriken ska tillverka halvledare för bilar."),
    ],
)
def test_semiconductors_are_economy(
    annotator: LexiconTopicAnnotator, title: str, body: str
) -> None:
    # IPTC files semiconductors and chips as products under the economy.
    segments = [Segment("title", None, title), Segment("body", None, body)]
    result = annotator.annotate(segments, "sv")
    assert result.primary_topic == "medtop:04000000"
    assert "medtop:13000000" not in {topic["code"] for topic in result.topics}
