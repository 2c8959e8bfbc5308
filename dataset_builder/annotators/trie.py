"""Character tries, and the regular expressions shaped as tries that match many words at once.

Python's `re` tries the alternatives of a group one after another, so a flat alternation
of hundreds of words is slow; a trie shares prefixes ("januari|juni|juli" ->
"j(?:anuari|u(?:ni|li))"), which lets the engine reject a position after one character,
and with greedy optional tails it prefers the longest word at each position. The date
rules and the topic lexicons both build their word lists with `trie_pattern`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

CharPattern = Callable[[str], str]


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


def literal(char: str) -> str:
    """A character matched as itself (a space too)."""
    return re.escape(char)


def whitespace_run(char: str) -> str:
    """A character matched as itself, except a space, which matches any run of whitespace
    (a phrase of a lexicon still matches where the text breaks its line)."""
    return r"\s+" if char == " " else re.escape(char)


def trie_pattern(words: Iterable[str], char_pattern: CharPattern = literal) -> str:
    """A regular expression matching any of `words`, factored as a trie ("" for no words).

    Branches follow the order in which the words first reach them: at one position only
    one branch can match a character, unless the pattern ignores case and two words differ
    only in case there.
    """
    return emit_trie(char_trie(words), char_pattern)


def emit_trie(node: Mapping[str, Any], char_pattern: CharPattern = literal) -> str:
    """The regular expression of the trie `node` (see `trie_pattern`)."""
    branches = [
        char_pattern(char) + emit_trie(child, char_pattern) for char, child in node.items() if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        # A word ends here: longer continuations are optional and greedy, so "上个月"
        # beats "上月".
        return ("(?:" + body + ")" if len(branches) == 1 else body) + "?"
    return body


def grouped_trie_pattern(words: Sequence[str]) -> str:
    """`trie_pattern(words, whitespace_run)` laid out to find the branch for a position in
    fewer steps; `words` must be sorted.

    At each position that holds the first character of a word, `re` tried the trie's
    first characters one after another; with hundreds of them (Chinese), that was most
    of the cost of matching. Here the first character is matched by a class, then its
    group among a few groups of first characters is told apart by looking behind, then
    the second character is matched among those that follow the group's first ones,
    and the first one checked by looking behind at both. The matches are the same: at
    most one branch can match at a position, as in the trie.
    """
    trie = char_trie(words)
    firsts = sorted(char for char in trie if char)
    if not firsts:
        return ""
    size = -(-len(firsts) // max(1, round(math.sqrt(len(firsts)) / 2)))
    groups = []
    for at in range(0, len(firsts), size):
        group = firsts[at : at + size]
        followed: dict[str, list[str]] = {}  # second character -> first ones it follows
        for first in group:
            for second in trie[first]:
                if second:
                    followed.setdefault(second, []).append(first)
        branches = []
        for second, group_firsts in sorted(followed.items()):
            if second == " ":  # any run of whitespace, as in `whitespace_run`
                step, behind, rest = r"\s", r"\s", r"\s*"
            else:
                step = behind = re.escape(second)
                rest = ""
            checks = [
                f"(?<={re.escape(first)}{behind}){rest}"
                f"{emit_trie(trie[first][second], whitespace_run)}"
                for first in group_firsts
            ]
            branches.append(
                step + (checks[0] if len(checks) == 1 else "(?:" + "|".join(checks) + ")")
            )
        # A one-character word matches when no longer one does.
        branches += [f"(?<={re.escape(first)})" for first in group if "" in trie[first]]
        groups.append(f"(?<=[{''.join(map(re.escape, group))}])(?:{'|'.join(branches)})")
    return f"[{''.join(map(re.escape, firsts))}](?:{'|'.join(groups)})"
