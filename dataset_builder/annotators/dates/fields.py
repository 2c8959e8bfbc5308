"""What a rule's match says: the values of its groups, read as words or numbers.

A group that draws on a vocabulary (month names, relative words) reads as the value the
resource gives the word; any other group as a number, written in Arabic, full-width
(folded before the scan), Chinese or Roman numerals.
"""

from __future__ import annotations

import re
from typing import Any

from dataset_builder.annotators.dates.rules import Rule, Tagger

_CJK_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CJK_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _cjk_number(token: str) -> int | None:
    if "十" not in token:
        if not all(ch in _CJK_DIGITS for ch in token):
            return None
        return int("".join(str(_CJK_DIGITS[ch]) for ch in token))
    tens_text, _, units_text = token.partition("十")
    tens = 1 if not tens_text else _CJK_DIGITS.get(tens_text)
    units = 0 if not units_text else _CJK_DIGITS.get(units_text)
    if tens is None or units is None or len(tens_text) > 1 or len(units_text) > 1:
        return None
    return tens * 10 + units


def _roman_number(token: str) -> int | None:
    values = [_ROMAN.get(ch) for ch in token.upper()]
    if not values or None in values:
        return None
    digits = [v for v in values if v is not None]
    total = 0
    for i, value in enumerate(digits):
        total += -value if i + 1 < len(digits) and digits[i + 1] > value else value
    return total


def read_number(token: str) -> int | None:
    """A number written in Arabic (or folded full-width) digits or in Chinese numerals."""
    token = token.strip()
    if token.isascii() and token.isdigit():
        return int(token)
    return _cjk_number(token) if token else None


class Fields:
    """The values a rule's groups captured, read by their semantic names."""

    def __init__(self, tagger: Tagger, rule: Rule, match: re.Match[str]) -> None:
        self._tagger = tagger
        self._values: dict[str, tuple[str, str | None]] = {}
        self._numbers: dict[str, int | None] = {}  # a match is often resolved twice
        for name, alternatives in rule.groups.items():
            for group, vocab_name in alternatives:
                text = match.group(group)
                if text is not None:
                    self._values[name] = (text, vocab_name)
                    break

    def assume(self, name: str, value: int) -> None:
        """Read `name` as `value` where the text around the match says it (a cue of tense
        before a weekday, the start month of the fiscal years of the document)."""
        self._values[name] = ("", None)
        self._numbers[name] = value

    def has(self, name: str) -> bool:
        return name in self._values

    def word_text(self, name: str) -> str:
        return self._values[name][0] if name in self._values else ""

    def word(self, name: str) -> Any:
        """The vocabulary value of a word group (a month name's number, a relative word's unit)."""
        text, vocab_name = self._values[name]
        key = text.lower() if self._tagger.ignore_case else text
        return self._tagger.vocab[vocab_name][key] if vocab_name else None

    def number(self, name: str) -> int | None:
        if name not in self._numbers:
            self._numbers[name] = self._read_number(name)
        return self._numbers[name]

    def _read_number(self, name: str) -> int | None:
        if name not in self._values:
            return None
        text, vocab_name = self._values[name]
        if vocab_name:
            value = self.word(name)
            return value if isinstance(value, int) else None
        number = read_number(text)
        return number if number is not None else _roman_number(text.strip())
