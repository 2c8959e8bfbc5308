"""Where a date rule can start: the characters a pattern's matches begin with.

The scanner of a language tries every rule at each position it reaches; a rule that is
bound to fail there still costs several steps (boundaries, optional words), so each rule
is guarded by a one-character test of how its matches can start. Where a resource names
every character a date can start with (`start_chars`), the scan jumps from one such
character to the next (`jump_finder`).
"""

from __future__ import annotations

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


class _Start(NamedTuple):
    """How a pattern's match can start: its possible first characters (None: any), and
    whether it can match the empty string (then whatever follows it can come first)."""

    characters: frozenset[int] | None
    may_be_empty: bool


_ANY_START = _Start(None, False)


def _start(items: Iterable[tuple[Any, Any]], sre: ModuleType) -> _Start:
    """How a match of the parsed pattern `items` (a sequence of regex operations) starts."""
    found: set[int] = set()
    for op, value in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):  # zero-width: the next step decides
            continue
        if op is sre.LITERAL:
            step = _Start(frozenset({value}), False)
        elif op is sre.IN:
            step = _class_start(value, sre)
        elif op is sre.SUBPATTERN:  # (group, added flags, removed flags, pattern)
            step = _ANY_START if value[1] & re.IGNORECASE else _start(value[3].data, sre)
        elif op is sre.BRANCH:  # (None, [alternatives])
            options = [_start(alternative.data, sre) for alternative in value[1]]
            if any(option.characters is None for option in options):
                return _ANY_START
            step = _Start(
                frozenset().union(*(option.characters or () for option in options)),
                any(option.may_be_empty for option in options),
            )
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):  # (minimum, maximum, pattern)
            repeated = _start(value[2].data, sre)
            step = repeated._replace(may_be_empty=repeated.may_be_empty or value[0] == 0)
        else:  # any character, a category, a back-reference, ...
            return _ANY_START
        if step.characters is None:
            return _ANY_START
        found |= step.characters
        if not step.may_be_empty:
            return _Start(frozenset(found), False)
    return _Start(frozenset(found), True)


def _class_start(items: Iterable[tuple[Any, Any]], sre: ModuleType) -> _Start:
    """The characters of a parsed character class; any for negated classes and categories."""
    characters: set[int] = set()
    for op, value in items:
        if op is sre.LITERAL:
            characters.add(value)
        elif op is sre.RANGE:
            characters.update(range(value[0], value[1] + 1))
        else:
            return _ANY_START
    return _Start(frozenset(characters), False)


def character_class(characters: Iterable[int]) -> str:
    return "[" + "".join(re.escape(chr(code)) for code in sorted(characters)) + "]"


def first_characters(pattern: str, flags: int) -> frozenset[int] | None:
    """The characters every match of `pattern` starts with; None when that cannot be told."""
    sre = _regex_parser()
    if sre is None:  # pragma: no cover
        return None
    start = _start(sre.parse(pattern, flags).data, sre)
    return None if start.may_be_empty else start.characters


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
