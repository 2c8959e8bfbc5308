"""Folding a text before a topic lexicon is matched: one character for one, so the
offsets of the matches are those of the original text.

A language's ``topic_folding`` (`resources/languages.json`) names one of `FOLDINGS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from dataset_builder.annotators.language import to_simplified

# Characters beyond the plane `_traditional_characters` covers (rare Chinese characters,
# emoji): text with any of them is always converted to simplified characters.
_BEYOND_PLANE = re.compile("[\U00010000-\U0010ffff]")


@cache
def _traditional_characters() -> re.Pattern[str]:
    """Finds a character of the Basic Multilingual Plane that `to_simplified` changes.

    Most Chinese text is written in simplified characters, which the conversion leaves
    as they are; finding that out with a search is much cheaper than converting. The
    characters it changes are found by converting the whole plane once. (A class that
    also held characters beyond the plane would be searched many times slower.)
    """
    plane = "".join(map(chr, [*range(0xD800), *range(0xE000, 0x10000)]))
    converted = to_simplified(plane)
    if len(converted) != len(plane):  # not one for one after all: always convert
        return re.compile("(?s:.)")
    changed = [char for char, simple in zip(plane, converted, strict=True) if char != simple]
    return re.compile("[" + "".join(map(re.escape, changed)) + "]" if changed else "(?!)")


def simplified(text: str) -> str:
    """`to_simplified(text)`, without converting text that it would leave as it is."""
    if _traditional_characters().search(text) or _BEYOND_PLANE.search(text):
        return to_simplified(text)
    return text


FOLDINGS: dict[str, Callable[[str], str]] = {"to_simplified": simplified}
