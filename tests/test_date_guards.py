"""The test a date rule's scanner runs before trying a rule (`starts.match_prefix`): it
must pass wherever the rule matches, or the scanner would miss dates."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dataset_builder.annotators.dates.rules import GUARD_LENGTH, compile_tagger
from dataset_builder.annotators.dates.starts import match_prefix
from dataset_builder.annotators.languages import scan_languages
from dataset_builder.config import RESOURCES_DIR


@pytest.mark.parametrize(
    ("pattern", "flags", "classes", "first"),
    [
        # Optional words and alternatives: every way a match can begin.
        (r"(?:the\s+)?(?:jan|feb)\b\d", 0, ["[fjt]", "[aeh]", "[ben]", r"[\d\s]"], "fjt"),
        (r"\d{4}-\d{2}", 0, [r"[\d]"] * 4 + [r"[\-]", r"[\d]", r"[\d]"], None),
        # A repeated group: its characters at every offset it can reach.
        (r"(?:a|bc)+d", 0, ["[a-b]", "[a-d]"], "ab"),
        # Lookarounds and anchors take no character.
        (r"(?<!\w)(?=x)\bxy", 0, ["[x]", "[y]"], "x"),
        # Case ignored in part of a pattern that keeps case: any character there.
        (r"(?i:ab)c", 0, [], None),
        (r"(?i)abc", 0, [], None),
        # \w and the like read in ASCII in part of a pattern: any character there.
        (r"(?a)\W", 0, [], None),
        (r"(?a:\D)x", 0, [], None),
        (r"(?u:\w)x", re.ASCII, [], None),
        # Capitals beyond the Basic Multilingual Plane in a class that ignores case:
        # left out of guards, which Python 3.11 would get wrong.
        ("ab|\U00010400b", re.IGNORECASE, [], None),
        (r"(?-i:Ab)c", re.IGNORECASE, ["[A]", "[b]", "[c]"], "A"),
        # What follows a back-reference is not known; a pattern that may match nothing
        # has no guard.
        (r"(?P<a>q)(?P=a)z", 0, ["[q]"], "q"),
        (r"x*", 0, [], None),
        # Only the characters every match has: "ab" is as long as the shortest.
        (r"ab(?:cd)?", 0, ["[a]", "[b]"], "a"),
    ],
)
def test_match_prefix(pattern: str, flags: int, classes: list[str], first: str | None) -> None:
    prefix = match_prefix(pattern, flags, 8)
    assert prefix.classes == classes
    assert prefix.first == (None if first is None else frozenset(map(ord, first)))


# Patterns built from the constructs the date rules use, over a small alphabet, so that
# random strings often match them.
_ATOMS = st.sampled_from(["a", "b", "ab", "bba", "[ab]", r"\d", r"\s", "[^a]", ".", r"\b", "(?=a)"])


def _patterns() -> st.SearchStrategy[str]:
    return st.recursive(
        _ATOMS,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map("".join),
            st.tuples(inner, inner).map(lambda p: f"(?:{p[0]}|{p[1]})"),
            st.tuples(inner, st.sampled_from(["?", "*", "+", "{2}", "{1,3}", "*?"])).map(
                lambda p: f"(?:{p[0]}){p[1]}"
            ),
            inner.map(lambda p: f"(?i:{p})"),
            inner.map(lambda p: f"(?!{p})"),
        ),
        max_leaves=8,
    )


@settings(max_examples=1000, deadline=None)
# Matches that reach a character by paths of different lengths.
@example(pattern="(?:a|bb)ab", texts=["bbab", "aab"], ignore_case=False, limit=6)
@example(pattern="(?:a|bb)*ab", texts=["bbaab", "abbab", "ab"], ignore_case=False, limit=6)
@given(
    pattern=_patterns(),
    texts=st.lists(st.text(alphabet="abAB1 ", max_size=10), min_size=1, max_size=20),
    ignore_case=st.booleans(),
    limit=st.integers(1, 6),
)
def test_the_guard_passes_wherever_the_pattern_matches(
    pattern: str, texts: list[str], ignore_case: bool, limit: int
) -> None:
    flags = re.IGNORECASE if ignore_case else 0
    prefix = match_prefix(pattern, flags, limit)
    guard = re.compile("".join(prefix.classes), flags)
    compiled = re.compile(pattern, flags)
    for text in texts:
        for position in range(len(text) + 1):
            match = compiled.match(text, position)
            if match is None:
                continue
            assert guard.match(text, position), (pattern, text, position)
            if prefix.first is not None:
                assert match.end() > position
                assert ord(text[position]) in prefix.first or ignore_case


@pytest.mark.parametrize("language", sorted(scan_languages(RESOURCES_DIR).codes))
def test_every_rule_has_a_guard_of_more_than_one_character(language: str) -> None:
    # Not a rule of the resources, but what makes the scan fast: were a rule to start
    # with any character, it would be tried at every position the trigger passes.
    tagger = compile_tagger(language, RESOURCES_DIR)
    lengths = [
        len(match_prefix(rule.pattern.pattern, rule.pattern.flags, GUARD_LENGTH).classes)
        for rule in tagger.rules.values()
    ]
    assert sum(length > 1 for length in lengths) >= len(lengths) * 0.9, lengths
