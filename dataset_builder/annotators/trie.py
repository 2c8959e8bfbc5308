"""Character tries: the shape of the regular expressions that match many words at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def char_trie(words: Iterable[str]) -> dict[str, Any]:
    """The words as a tree of characters; an empty key marks the end of a word.

    Children keep the order in which the words first reach them.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return trie
