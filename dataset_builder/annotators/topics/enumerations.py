"""Lists of three or more short items in a text: a topic term there is weak evidence.

"在政治、经贸、投资、文化等领域", "trade, culture, sport and health": an enumeration of
fields names each of them in passing. Chinese and Japanese separate items with 、 (or ・);
Japanese also uses 、 between clauses, whose parts carry kana particles, so an item is a
run of up to eight characters without spaces, punctuation or hiragana. Alphabetic lists
end with a conjunction ("A, B and C", "A, B, C och D", "A, B và C"): the `list_words` of
the declared languages (`resources/languages.json`).

Both kinds of list pattern would be tried at every position of the text they are run on,
which made them the costliest part of annotating an article. They are run only where
they can match, which cheaper patterns find:
- a CJK list holds two or more separators, each at most one item (8 characters) after
  the previous one;
- a Latin list is made of word characters, spaces and commas only, and ends with its last
  ", " item, the conjunction and the last item, which `_list_end` finds quickly (it starts
  with ", ", which `re` looks for before trying the rest); within such a run, a list is
  found from the comma after its first item: what follows the comma is the rest of a
  list, and an item ends at the comma.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dataset_builder.annotators.trie import literal

_CJK_ITEM = r"[^\s、，,。．.；;：:！？!?()（）《》「」『』“”\"'・—\u3041-\u309f]{1,8}"
CJK_ENUMERATION = re.compile(rf"{_CJK_ITEM}(?:[、・—]{_CJK_ITEM}){{2,}}")
_CJK_SEPARATOR = re.compile("[、・—]")
_CJK_ITEM_MAX = 8
_LATIN_WORD = r"[\w'’&()-]{1,30}"
# The words of an item are possessive: a word is followed by a space or a comma, which
# it cannot hold, so none of its shorter matches is followed by the rest of an item or a
# list, and not trying them made looking for lists several times faster.
_LATIN_ITEM = rf"[^\W\d_]{_LATIN_WORD}+(?: {_LATIN_WORD}+){{0,4}}?"
_LATIN_RUN = re.compile(r"[\w'’&(),\- ]+")


class Enumerations:
    """Finds the lists of a text, Latin ones ending with one of `list_words`."""

    def __init__(self, list_words: Iterable[str]) -> None:
        words = list(dict.fromkeys(list_words))
        # Without list words no alphabetic list can end.
        conjunction = "(?:" + "|".join(map(literal, words)) + ")" if words else "(?!)"
        last_item = rf"[^\W\d_]{_LATIN_WORD}?(?: {_LATIN_WORD}){{0,2}}(?![\w'’&()-])"
        rest_of_list = rf"(?:, {_LATIN_ITEM})+,? {conjunction} {last_item}"
        # What `_latin` finds, searched for at every position: the definition it keeps to.
        self.latin_pattern = re.compile(rf"(?<![\w'’&()-]){_LATIN_ITEM}{rest_of_list}")
        self._list_end = re.compile(rf", {_LATIN_ITEM},? {conjunction} {last_item}")
        self._rest_of_list = re.compile(rest_of_list)
        self._first_item = re.compile(rf"(?<![\w'’&()-]){_LATIN_ITEM}(?=, )")

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where `text` lists three or more short items ("政治、经贸、投资", "trade, culture and
        health"): a term there is one field among many, not what the text is about."""
        spans = []
        if "、" in text or "・" in text or "—" in text:
            spans += _cjk_enumerations(text)
        if ", " in text:
            spans += self._latin(text)
        return sorted(spans)

    def _latin(self, text: str) -> list[tuple[int, int]]:
        """`self.latin_pattern` matches in `text`, searched only in stretches that can hold one.

        A list lies within one run of word characters, spaces and commas, and the characters
        around a run end any list, so searching each run that holds the end of a list finds
        exactly the lists a search of the whole text finds. Searching every run was slow:
        on a run with many commas but no list the search tries every word. (A list end lies
        within one run, so each is found by a search of the whole text.)
        """
        spans: list[tuple[int, int]] = []
        searched_to = 0
        backwards = ""  # `text` reversed, to find where the run of a list end starts
        for list_end in self._list_end.finditer(text):
            if list_end.start() < searched_to:  # in a run already searched
                continue
            backwards = backwards or text[::-1]
            run_start, searched_to = _run_around(text, backwards, list_end.start())
            spans += self._latin_in_run(text, run_start, searched_to)
        return spans

    def _latin_in_run(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """The spans of `self.latin_pattern.finditer(text, start, end)`, found in fewer steps.

        That search tries every word as the start of a list, and goes over the rest of the
        list again for each. But an item holds no comma, so a list's first item ends at the
        first comma after its start, and whether a list starts there, and where it ends,
        depends only on what follows that comma. So at each comma followed by the rest of a
        list, the leftmost first item that ends there (and starts after the previous comma
        or list) starts a list, if there is one: those are the lists the search finds.
        """
        spans = []
        item_from = start  # where the first item of the next list may start
        comma = text.find(",", start, end)
        while comma >= 0:
            rest = self._rest_of_list.match(text, comma, end)
            if rest is not None:
                first_item = self._first_item.search(text, item_from, comma + 2)
                if first_item is not None:
                    spans.append((first_item.start(), rest.end()))
                    item_from = rest.end()
                    comma = text.find(",", item_from, end)
                    continue
            item_from = comma + 1
            comma = text.find(",", item_from, end)
        return spans


def _cjk_enumerations(text: str) -> list[tuple[int, int]]:
    """`CJK_ENUMERATION` matches in `text`, searched only near chains of separators.

    A list's separators follow each other within `_CJK_ITEM_MAX` + 1 characters, its
    first item starts at most `_CJK_ITEM_MAX` characters before the first one and its
    last item ends at most that many after the last one. So each cluster of separators
    that close together is searched from `_CJK_ITEM_MAX` characters before it (or the
    end of the previous list, as `finditer` would) to `_CJK_ITEM_MAX` + 1 after it,
    which finds exactly the lists a search of the whole text finds.
    """
    separators = [match.start() for match in _CJK_SEPARATOR.finditer(text)]
    spans: list[tuple[int, int]] = []
    searched_to = 0
    first = 0
    while first < len(separators) - 1:
        last = first
        while (
            last + 1 < len(separators)
            and separators[last + 1] - separators[last] <= _CJK_ITEM_MAX + 1
        ):
            last += 1
        if last > first:  # a list needs two separators
            start = max(separators[first] - _CJK_ITEM_MAX, searched_to)
            end = separators[last] + _CJK_ITEM_MAX + 1
            for match in CJK_ENUMERATION.finditer(text, start, end):
                spans.append(match.span())
                searched_to = match.end()
        first = last + 1
    return spans


def _run_around(text: str, backwards: str, position: int) -> tuple[int, int]:
    """Start and end of the `_LATIN_RUN` around `position` in `text` (`backwards` is
    `text` reversed)."""
    before = _LATIN_RUN.match(backwards, len(text) - position)
    after = _LATIN_RUN.match(text, position)
    return (
        len(text) - before.end() if before else position,
        after.end() if after else position,
    )
