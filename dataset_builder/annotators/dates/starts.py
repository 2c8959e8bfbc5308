"""Where a date rule can start: the characters a pattern's matches begin with.

The scanner of a language tries every rule at each position it reaches; a rule that is
bound to fail there still costs several steps (boundaries, optional words, words of a
vocabulary), so each rule is guarded by a test of the characters its matches can begin
with, one class per character (`match_prefix`). Where a resource names every character a
date can start with (`start_chars`), the scan jumps from one such character to the next
(`jump_finder`).
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable
from types import ModuleType
from typing import Any, NamedTuple


def _regex_parser() -> ModuleType | None:
    """Python's own regular expression parser, an internal module (`sre_parse` before 3.11)."""
    for name in ("re._parser", "sre_parse"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None  # pragma: no cover - rules then go without guards


# Characters as the parser gives a class: its literals, ranges and categories (\d, \s,
# \w and their negations); None stands for any character, an empty set for none.
_Chars = frozenset[tuple[Any, Any]] | None
_NO_CHARS: _Chars = frozenset()
# Flags that change what \w, \d, \s and case-insensitive letters match.
_CHARACTER_SETS = re.ASCII | re.LOCALE | re.UNICODE
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


class _Prefix(NamedTuple):
    """What the matches of a pattern hold at each of their first offsets (over every
    match long enough to reach it), and the lengths they can have (`limit`: that or more)."""

    at: list[_Chars]
    lengths: frozenset[int]


def _union(a: _Chars, b: _Chars) -> _Chars:
    return None if a is None or b is None else a | b


def _unknown(limit: int) -> _Prefix:
    return _Prefix([None] * limit, frozenset(range(limit + 1)))


def _one(chars: _Chars, limit: int) -> _Prefix:
    return _Prefix([chars] + [_NO_CHARS] * (limit - 1), frozenset({1}))


def _then(at: list[_Chars], offsets: set[int], step: _Prefix, limit: int) -> set[int]:
    """Adds `step`, following a match of any length in `offsets`, into `at`; the lengths
    after it."""
    after: set[int] = set()
    for offset in offsets:
        if offset < limit:
            for i, chars in enumerate(step.at[: limit - offset]):
                at[offset + i] = _union(at[offset + i], chars)
        after.update(min(offset + length, limit) for length in step.lengths)
    return after


def _sequence(items: Iterable[tuple[Any, Any]], sre: ModuleType, limit: int, flags: int) -> _Prefix:
    at = [_NO_CHARS] * limit
    offsets = {0}
    for op, value in items:
        offsets = _then(at, offsets, _element(op, value, sre, limit, flags), limit)
    return _Prefix(at, frozenset(offsets))


def _element(op: Any, value: Any, sre: ModuleType, limit: int, flags: int) -> _Prefix:
    """`_Prefix` of one operation `op` of a parsed pattern, with its `value` as the parser
    gives it: a code point, a class's items, (group, added flags, removed flags, pattern)
    for a group, (None, [alternatives]) for a choice, (minimum, maximum, pattern) for a
    repetition, and so on."""
    if op is sre.LITERAL:
        return _one(frozenset({(op, value)}), limit)
    if op in (sre.NOT_LITERAL, sre.ANY):
        return _one(None, limit)
    if op is sre.IN:
        known = all(
            item_op in (sre.LITERAL, sre.RANGE)
            or (item_op is sre.CATEGORY and str(item) in _CATEGORIES)
            for item_op, item in value
        )
        return _one(frozenset(value) if known else None, limit)
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):  # zero-width: no character of the match
        return _Prefix([_NO_CHARS] * limit, frozenset({0}))
    if op is sre.SUBPATTERN:
        inner = _sequence(value[3].data, sre, limit, flags)
        if (value[1] & re.IGNORECASE and not flags & re.IGNORECASE) or (
            (value[1] | value[2]) & _CHARACTER_SETS
        ):
            # Case ignored, or \w and the like read otherwise, here only: the classes
            # are compiled with the pattern's own flags.
            return _Prefix([None if chars else chars for chars in inner.at], inner.lengths)
        return inner
    if op is getattr(sre, "ATOMIC_GROUP", None):  # "(?>...)", Python 3.11 and later
        return _sequence(value.data, sre, limit, flags)
    if op is sre.BRANCH:
        alternatives = [_sequence(item.data, sre, limit, flags) for item in value[1]]
        return _Prefix(
            [
                functools.reduce(_union, column)
                for column in zip(*(a.at for a in alternatives), strict=True)
            ],
            frozenset().union(*(a.lengths for a in alternatives)),
        )
    if op is sre.GROUPREF_EXISTS:
        yes = _sequence(value[1].data, sre, limit, flags)
        no = _sequence(value[2].data if value[2] else (), sre, limit, flags)
        return _Prefix(
            [_union(a, b) for a, b in zip(yes.at, no.at, strict=True)], yes.lengths | no.lengths
        )
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        least, most, repeated = value
        once = _sequence(repeated.data, sre, limit, flags)
        at = [_NO_CHARS] * limit
        offsets, lengths, count = {0}, {0} if least == 0 else set(), 0
        while count < most:
            count += 1
            after = _then(at, offsets, once, limit)
            if count >= least or after == offsets:  # the same from here on
                lengths |= after
            if after == offsets:
                break
            offsets = after
        return _Prefix(at, frozenset(lengths))
    return _unknown(limit)  # a back-reference, or what this does not know


def _class(chars: frozenset[tuple[Any, Any]], sre: ModuleType) -> str:
    ranges = sorted(
        (item, item) if op is sre.LITERAL else item for op, item in chars if op is not sre.CATEGORY
    )
    merged: list[list[int]] = []
    for low, high in ranges:
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    parts = [_CATEGORIES[str(item)] for op, item in chars if op is sre.CATEGORY]
    parts += [
        re.escape(chr(low)) + ("" if low == high else "-" + re.escape(chr(high)))
        for low, high in merged
    ]
    return "[" + "".join(sorted(parts)) + "]"


class MatchPrefix(NamedTuple):
    """How the matches of a pattern begin."""

    # One character class per leading character, as far as every match has one and it
    # is not any character: as a lookahead, a test that fails where the pattern cannot
    # match, at a fraction of what trying the pattern costs.
    classes: list[str]
    first: frozenset[int] | None  # the characters a match starts with; None: any


def match_prefix(pattern: str, flags: int, limit: int) -> MatchPrefix:
    """How the matches of `pattern` begin, looking at `limit` characters at most.

    Stops at the first character that may be any, and at the shortest length a match
    can have (the characters after it belong to what follows the match).
    """
    sre = _regex_parser()
    if sre is None:  # pragma: no cover
        return MatchPrefix([], None)
    parsed = sre.parse(pattern, flags)
    if parsed.state.flags & ~flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
        return MatchPrefix([], None)  # "(?i)", "(?a)": not the flags the classes get
    found = _sequence(parsed.data, sre, limit, flags)
    leading = []
    for chars in found.at[: min(found.lengths)]:
        if not chars:  # None: any character
            break
        if flags & re.IGNORECASE and any(
            op is not sre.CATEGORY and (item if op is sre.LITERAL else item[1]) > 0xFFFF
            for op, item in chars
        ):
            # Python 3.11 drops capital letters beyond the Basic Multilingual Plane from
            # a class of several items that ignores case (CPython issue 126505).
            break
        leading.append(chars)
    first = None
    if leading and all(op is not sre.CATEGORY for op, _ in leading[0]):
        first = frozenset(
            code
            for op, item in leading[0]
            for code in ((item,) if op is sre.LITERAL else range(item[0], item[1] + 1))
        )
    return MatchPrefix([_class(chars, sre) for chars in leading], first)


def jump_finder(
    start_chars: str, trigger: str, firsts: Iterable[frozenset[int] | None], flags: int
) -> re.Pattern[str]:
    """A pattern that finds the positions passing `trigger`, jumping from one of the
    `start_chars` (a character class) to the next.

    Python's regex engine skips ahead in C only for a pattern that starts by consuming a
    character from a known set; a lookahead such as the trigger does not qualify. So this
    pattern consumes the first character and looks back over it to test the trigger.
    """
    chars = re.compile(start_chars, flags)
    missing = {c for first in firsts for c in first or () if not chars.fullmatch(chr(c))}
    if missing:
        raise ValueError(f"start_chars {start_chars} lacks {''.join(sorted(map(chr, missing)))}")
    return re.compile(f"{start_chars}(?<=(?={trigger})[\\s\\S])", flags)
