"""Event dates: a fast rule-based temporal tagger with calendar-interval normalisation.

One engine, per-language knowledge as data. Each language has a resource file in
`resources/dates/` (month and weekday names, numerals, range connectors, relative words,
season and period words, and the rule patterns that combine them); `shared.json` adds the
character folding, number macros and numeric formats every language shares. At load time
the rules of a language are expanded and compiled into ONE regular expression, so tagging a
text is a single left-to-right scan; the first rule (in file order) that matches at a
position wins, which is why longer expressions (ranges, periods) come first in the files.
A record is scanned once (`find_dates`); its matches are then resolved against a reference
date, first without one when the record's own date has to be inferred from them.

Every mention is normalised to a TIMEX3 value and an inclusive calendar interval
(`start_date`..`end_date`); see `docs/annotation-guidelines.md` for what is annotated and how.

Reference dates. Expressions that need one (relative words, day+month without a year,
weekdays) are resolved against `reference_date`. Its `reference_precision` ("day", "month"
or "year", default "day") says how much of it is known: with "month" only expressions of
a month or coarser are resolved from it (plus day+month, whose year it fixes), with "year"
only those of a year or coarser (plus day+month and month names, which take its year).
When `reference_date` is None such expressions are skipped: without a year they cannot be
placed on the calendar.

Language "und" (unknown) runs every language's rules and keeps the longest non-overlapping
mentions; any other unknown code is treated as "und".
"""

from __future__ import annotations

import calendar
import datetime
import functools
import importlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from dataset_builder.annotators.segments import Segment
from dataset_builder.annotators.trie import char_trie
from dataset_builder.config import RESOURCES_DIR

VERSION = "1.0.0"

RESOURCE_DIR = RESOURCES_DIR / "dates"
LANGUAGES = ("zh", "sv", "vi", "en", "ja")
UNKNOWN_LANGUAGE = "und"
PRECISIONS = ("day", "month", "year")
GRANULARITIES = ("day", "week", "month", "season", "quarter", "year", "decade", "century")

# A relative unit can be resolved from a reference known to this precision or finer.
_UNIT_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
_PRECISION_RANK = {"day": 0, "month": 2, "year": 3}

# Day+month without a year lands in the window (reference - 9 months, reference + 3 months]:
# news reports mostly look back, and an article from early January that mentions
# "December 30" means the December just past.
_WINDOW_MONTHS_BEFORE = 9
_WINDOW_MONTHS_AFTER = 3

_SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{([A-Z_]+)(?::([a-z0-9_]+))?\}")
_NAMED_GROUP = re.compile(r"\(\?P<([a-z0-9_]+)>")
_GROUP_REFERENCE = re.compile(r"\(\?P=([a-z0-9_]+)\)")

_CJK_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CJK_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}

Mention = dict[str, Any]


class InferredDate(NamedTuple):
    date: datetime.date
    precision: str  # "day" | "month" | "year"


class _Resolved(NamedTuple):
    timex: str
    start: datetime.date
    end: datetime.date
    granularity: str
    relative: bool


class _Reference(NamedTuple):
    date: datetime.date
    precision: str

    def allows(self, unit: str) -> bool:
        return _UNIT_RANK[unit] >= _PRECISION_RANK[self.precision]


class _Rule(NamedTuple):
    kind: str
    # semantic group name -> (group names in `pattern`, vocabulary each draws on);
    # a rule may capture one value in alternative groups "s" and "s__2" (names must differ).
    groups: dict[str, list[tuple[str, str | None]]]
    pattern: re.Pattern[str]  # the rule alone, capturing its groups


class _Tagger(NamedTuple):
    language: str
    scanner: re.Pattern[str]  # every rule, capturing only which one matched
    rules: dict[str, _Rule]  # outer group name in `scanner` -> rule
    starts: re.Pattern[str] | None  # finds the positions where the scanner can match
    fold: dict[int, str]  # one-to-one character folding (keeps offsets)
    foldable: re.Pattern[str]  # any character the folding changes
    vocab: dict[str, dict[str, Any]]
    ignore_case: bool


# --- loading -----------------------------------------------------------------------------


def _read_resource(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RESOURCE_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _alternation(words: Iterable[str]) -> str:
    """A regular expression matching any of `words`, longest first, factored as a trie.

    Factoring shared prefixes ("januari|juni|juli" -> "j(?:anuari|u(?:ni|li))") lets the
    regex engine reject a position after one character instead of trying every word.
    """
    return _trie_pattern(char_trie(words))


def _trie_pattern(node: Mapping[str, Any]) -> str:
    # Longer continuations before the end-of-word marker, so "上个月" beats "上月".
    branches = [re.escape(char) + _trie_pattern(child) for char, child in node.items() if char]
    optional = "" in node
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if optional:
        return body if not body else ("(?:" + body + ")?" if len(branches) > 1 else f"(?:{body})?")
    return body


def _compile_rule(
    index: int,
    pattern: str,
    macros: Mapping[str, str],
    vocab: Mapping[str, Mapping[str, Any]],
) -> tuple[str, dict[str, list[tuple[str, str | None]]]]:
    prefix = f"r{index}_"
    groups: dict[str, list[tuple[str, str | None]]] = {}

    def record(group: str, vocab_name: str | None) -> None:
        groups.setdefault(group.split("__")[0], []).append((prefix + group, vocab_name))

    def rename(match: re.Match[str]) -> str:
        record(match.group(1), None)
        return f"(?P<{prefix}{match.group(1)}>"

    pattern = _NAMED_GROUP.sub(rename, pattern)
    pattern = _GROUP_REFERENCE.sub(lambda m: f"(?P={prefix}{m.group(1)})", pattern)

    def expand(match: re.Match[str]) -> str:
        name, group = match.group(1), match.group(2)
        if name in vocab:
            body = _alternation(vocab[name])
        elif name in macros:
            body = macros[name]
        else:
            raise ValueError(f"unknown placeholder {{{name}}} in date rule {index}")
        if group is None:
            return body
        record(group, name if name in vocab else None)
        return f"(?P<{prefix}{group}>{body})"

    # Macros may use other macros and vocabularies; three levels are plenty.
    for _ in range(3):
        pattern = _PLACEHOLDER.sub(expand, pattern)
    if _PLACEHOLDER.search(pattern):
        raise ValueError(f"date rule {index} nests placeholders too deeply")
    return pattern, groups


def _without_captures(pattern: str) -> str:
    """`pattern` with its named groups made non-capturing, except those referred back to.

    Saving captures costs the regex engine time at every position it tries, so the scan
    over a whole text only finds where a rule matches; the rule's own pattern then reads
    its groups at that one position.
    """
    kept = set(_GROUP_REFERENCE.findall(pattern))
    return _NAMED_GROUP.sub(lambda m: m.group(0) if m.group(1) in kept else "(?:", pattern)


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


def _character_class(characters: Iterable[int]) -> str:
    return "[" + "".join(re.escape(chr(code)) for code in sorted(characters)) + "]"


def _first_characters(pattern: str, flags: int) -> frozenset[int] | None:
    """The characters every match of `pattern` starts with; None when that cannot be told."""
    sre = _regex_parser()
    if sre is None:  # pragma: no cover
        return None
    start = _start(sre.parse(pattern, flags).data, sre)
    return None if start.may_be_empty else start.characters


def _jump_finder(
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


def _trigger(resource: Mapping[str, Any], vocab: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The test a position must pass before any rule is tried.

    `trigger` is a regular expression for the characters a date can start with (scripts
    without spaces); `trigger_words` lists the literal words that open rules ("den",
    "under"), to which the first word of every vocabulary entry is added ("förra" of
    "förra veckan"); `trigger_boundary` is put in front (a word start).
    """
    parts = [str(resource["trigger"])] if "trigger" in resource else []
    if "trigger_words" in resource:
        words = set(resource["trigger_words"])
        for entries in vocab.values():
            words.update(word.split()[0] for word in entries if word.split())
        parts.append(_alternation(words))
    if not parts:
        return None
    return str(resource.get("trigger_boundary", "")) + "(?:" + "|".join(parts) + ")"


@functools.cache
def _tagger(language: str) -> _Tagger:
    shared = _read_resource("shared")
    resource = _read_resource(language)
    ignore_case = bool(resource.get("ignore_case", False))
    fold = {**shared["char_map"], **resource.get("char_map", {})}
    macros = {**shared["macros"], **resource.get("macros", {})}
    # Patterns use the words as written (a rule may match them case-sensitively with
    # "(?-i:...)"); values are looked up by the matched text, lowercased where case is ignored.
    written: dict[str, dict[str, Any]] = resource.get("vocab", {})
    vocab = {
        name: {(w.lower() if ignore_case else w): v for w, v in words.items()}
        for name, words in written.items()
    }
    flags = re.IGNORECASE if ignore_case else 0
    rules: dict[str, _Rule] = {}
    branches: list[str] = []
    firsts: list[frozenset[int] | None] = []
    for index, spec in enumerate([*shared["rules"], *resource["rules"]]):
        body, groups = _compile_rule(index, spec["pattern"], macros, written)
        outer = f"r{index}"
        rules[outer] = _Rule(spec["kind"], groups, re.compile(body, flags))
        # The scanner tries the rules in turn at a position and most fail there; a rule
        # that fails after a few steps (boundaries, optional words) costs several times
        # this test of the one character it can start with.
        first = _first_characters(body, flags)
        guard = f"(?={_character_class(first)})" if first else ""
        branches.append(f"{guard}(?P<{outer}>{_without_captures(body)})")
        firsts.append(first)
    combined = "|".join(branches)
    trigger = _trigger(resource, written)
    starts = None
    if trigger:
        # A cheap test that skips positions where no rule can start, so the rules
        # themselves are tried at few positions.
        combined = f"(?={trigger})(?:{combined})"
        if "start_chars" in resource:
            starts = _jump_finder(resource["start_chars"], trigger, firsts, flags)
    return _Tagger(
        language=language,
        scanner=re.compile(combined, flags),
        rules=rules,
        starts=starts,
        fold=str.maketrans(fold),
        foldable=re.compile("[" + "".join(re.escape(ch) for ch in fold) + "]"),
        vocab=vocab,
        ignore_case=ignore_case,
    )


def normalise_language(language: str) -> str:
    """ "zh-Hant" -> "zh"; codes without a resource file become "und"."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else UNKNOWN_LANGUAGE


# --- numbers and calendar arithmetic --------------------------------------------------


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


def _number(token: str) -> int | None:
    token = token.strip()
    if token.isascii() and token.isdigit():
        return int(token)
    return _cjk_number(token) if token else None


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month_interval(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def _year_interval(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _anchor(reference: _Reference) -> datetime.date:
    if reference.precision == "month":
        return reference.date.replace(day=15)
    return reference.date


def _year_for(month: int, day: int | None, reference: _Reference) -> int:
    """The year of a day+month (or a month) written without one."""
    if reference.precision == "year":
        return reference.date.year
    anchor = _anchor(reference)
    low = _add_months(anchor, -_WINDOW_MONTHS_BEFORE)
    high = _add_months(anchor, _WINDOW_MONTHS_AFTER)
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        # Feb 29 is placed as Feb 28: the window only chooses the year.
        candidate = datetime.date(year, month, min(day or 1, calendar.monthrange(year, month)[1]))
        if low < candidate <= high:
            return year
    return anchor.year


# --- interpretation of one match ------------------------------------------------------


class _Fields:
    """The values a rule's groups captured, read by their semantic names."""

    def __init__(self, tagger: _Tagger, rule: _Rule, match: re.Match[str]) -> None:
        self._tagger = tagger
        self._values: dict[str, tuple[str, str | None]] = {}
        self._numbers: dict[str, int | None] = {}  # a match is often resolved twice
        for name, alternatives in rule.groups.items():
            for group, vocab_name in alternatives:
                text = match.group(group)
                if text is not None:
                    self._values[name] = (text, vocab_name)
                    break

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
        number = _number(text)
        return number if number is not None else _roman_number(text.strip())


def _explicit_year(
    fields: _Fields, name: str, reference: _Reference | None
) -> tuple[int | None, bool]:
    """(year, relative) from a written year or a relative-year word such as "今年"."""
    year = fields.number(name)
    if year is not None:
        return year, False
    if fields.has("era"):  # Japanese era years: 令和7年 is 2025, 令和元年 2019
        base, count = fields.number("era"), fields.word_text("ey")
        number = 1 if count == "元" else _number(count)
        return (base + number, False) if base is not None and number is not None else (None, False)
    if fields.has("ry") and reference is not None:
        offset = fields.number("ry")
        return (reference.date.year + offset, True) if offset is not None else (None, False)
    return None, False


def _date_value(day: datetime.date) -> str:
    return day.isoformat()


def _resolve_date(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    month, day = fields.number("m"), fields.number("d")
    if month is None or day is None:
        return None
    year, relative = _explicit_year(fields, "y", reference)
    if year is None:
        if reference is None:
            return None
        year, relative = _year_for(month, day, reference), True
    value = datetime.date(year, month, day)
    return _Resolved(_date_value(value), value, value, "day", relative)


def _resolve_date_range(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    d1, d2 = fields.number("d1"), fields.number("d2")
    m1, m2 = fields.number("m1"), fields.number("m2")
    m1, m2 = m1 or m2, m2 or m1
    if d1 is None or d2 is None or m1 is None or m2 is None:
        return None
    y1, relative = _explicit_year(fields, "y1", reference)
    y2 = fields.number("y2")
    backwards = (m2, d2) < (m1, d1)  # "30/12 - 2/1": the range crosses a new year
    if y1 is None and y2 is None:
        if reference is None:
            return None
        y1, relative = _year_for(m1, d1, reference), True
    if y1 is None and y2 is not None:
        y1 = y2 - 1 if backwards else y2
    if y1 is not None and y2 is None:
        y2 = y1 + 1 if backwards else y1
    if y1 is None or y2 is None:
        return None
    start, end = datetime.date(y1, m1, d1), datetime.date(y2, m2, d2)
    if end < start:
        return None
    return _Resolved(f"{_date_value(start)}/{_date_value(end)}", start, end, "day", relative)


def _resolve_month(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    month = fields.number("m")
    if month is None:
        return None
    year, relative = _explicit_year(fields, "y", reference)
    if year is None:
        if reference is None:
            return None
        year, relative = _year_for(month, None, reference), True
    start, end = _month_interval(year, month)
    return _Resolved(f"{year:04d}-{month:02d}", start, end, "month", relative)


def _resolve_month_range(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    m1, m2 = fields.number("m1"), fields.number("m2")
    y1, relative = _explicit_year(fields, "y1", reference)
    y2 = fields.number("y2")
    y1, y2 = y1 or y2, y2 or y1
    if m1 is None or m2 is None or y1 is None or y2 is None:
        return None
    start, end = _month_interval(y1, m1)[0], _month_interval(y2, m2)[1]
    if end < start:
        return None
    return _Resolved(f"{y1:04d}-{m1:02d}/{y2:04d}-{m2:02d}", start, end, "month", relative)


def _resolve_year(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    year, _ = _explicit_year(fields, "y", None)
    if year is None:
        return None
    start, end = _year_interval(year)
    return _Resolved(f"{year:04d}", start, end, "year", False)


def _resolve_year_range(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    y1, y2 = fields.number("y1"), fields.number("y2")
    if y1 is None or y2 is None or y2 <= y1:
        return None
    return _Resolved(
        f"{y1:04d}/{y2:04d}", _year_interval(y1)[0], _year_interval(y2)[1], "year", False
    )


def _period_year(fields: _Fields, reference: _Reference | None) -> tuple[int | None, bool]:
    """Year of a quarter, half, season or first-N-months period; bare ones mean this year."""
    year, relative = _explicit_year(fields, "y", reference)
    if year is None and fields.has("this_year") and reference is not None:
        return reference.date.year, True
    return year, relative


def _resolve_period_months(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    count = fields.number("n")
    year, relative = _period_year(fields, reference)
    if year is None and not fields.has("y") and not fields.has("ry") and reference is not None:
        year, relative = reference.date.year, True
    if count is None or year is None or not 1 <= count <= 12:
        return None
    start, end = datetime.date(year, 1, 1), _month_interval(year, count)[1]
    return _Resolved(f"{year:04d}-01/{year:04d}-{count:02d}", start, end, "month", relative)


def _resolve_half(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    half = fields.number("h")
    year, relative = _period_year(fields, reference)
    if year is None and not fields.has("y") and not fields.has("ry") and reference is not None:
        year, relative = reference.date.year, True
    if half not in (1, 2) or year is None:
        return None
    first = 1 if half == 1 else 7
    start, end = datetime.date(year, first, 1), _month_interval(year, first + 5)[1]
    # The granularity list has no half-year; "quarter" is the nearest unit it names.
    return _Resolved(f"{year:04d}-H{half}", start, end, "quarter", relative)


def _resolve_quarter(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    quarter = fields.number("q")
    year, relative = _period_year(fields, reference)
    if quarter is None or year is None or not 1 <= quarter <= 4:
        return None
    first = 3 * quarter - 2
    start, end = datetime.date(year, first, 1), _month_interval(year, first + 2)[1]
    return _Resolved(f"{year:04d}-Q{quarter}", start, end, "quarter", relative)


def _resolve_season(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    season = fields.word("s")
    year, relative = _period_year(fields, reference)
    if year is None or season not in _SEASON_MONTHS:
        return None
    first, last = _SEASON_MONTHS[season]
    start = datetime.date(year, first, 1)
    end = _month_interval(year + (last - 1) // 12, (last - 1) % 12 + 1)[1]
    return _Resolved(f"{year:04d}-{season}", start, end, "season", relative)


def _decade(base: int) -> _Resolved:
    start, end = _year_interval(base)[0], _year_interval(base + 9)[1]
    return _Resolved(f"{base // 10:03d}", start, end, "decade", False)


def _century(index: int) -> _Resolved:
    """`index` is the TIMEX3 century value: 19 for the 1900s (the 20th century)."""
    start, end = _year_interval(index * 100)[0], _year_interval(index * 100 + 99)[1]
    return _Resolved(f"{index:02d}", start, end, "century", False)


def _resolve_decade(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    written = fields.number("dec")
    if written is not None:
        if written % 100 == 0 and fields.has("hundreds"):
            return _century(written // 100)  # "1800-talet", "the 1800s"
        return _decade(written) if written % 10 == 0 else None
    tens = fields.number("dd")
    if tens is None or tens % 10:
        return None
    ordinal = fields.number("c")
    # A decade without its century ("90年代") is read as the 1900s.
    century = (ordinal - 1) * 100 if ordinal else 1900
    return _decade(century + tens)


def _resolve_century(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    ordinal = fields.number("c")
    if ordinal is None or not 1 <= ordinal <= 30:
        return None
    return _century(ordinal - 1)


def _relative(unit: str, offset: int, reference: _Reference) -> _Resolved | None:
    if not reference.allows(unit):
        return None
    day = reference.date
    if unit == "year":
        start, end = _year_interval(day.year + offset)
        return _Resolved(f"{day.year + offset:04d}", start, end, "year", True)
    if unit == "month":
        first = _add_months(day.replace(day=1), offset)
        start, end = _month_interval(first.year, first.month)
        return _Resolved(f"{first.year:04d}-{first.month:02d}", start, end, "month", True)
    if unit == "week":
        monday = day - datetime.timedelta(days=day.weekday()) + datetime.timedelta(weeks=offset)
        iso = monday.isocalendar()
        sunday = monday + datetime.timedelta(days=6)
        return _Resolved(f"{iso[0]:04d}-W{iso[1]:02d}", monday, sunday, "week", True)
    target = day + datetime.timedelta(days=offset)
    return _Resolved(_date_value(target), target, target, "day", True)


def _resolve_relative(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    value = fields.word("rel")
    if reference is None or not isinstance(value, list) or len(value) != 2:
        return None
    unit, offset = value
    if unit not in _UNIT_RANK or not isinstance(offset, int):
        return None
    return _relative(unit, offset, reference)


def _resolve_weekday(fields: _Fields, reference: _Reference | None) -> _Resolved | None:
    weekday = fields.number("wd")
    if reference is None or weekday is None or not reference.allows("day"):
        return None
    # The nearest such weekday: at most three days before or after the reference.
    offset = (weekday - reference.date.weekday() + 3) % 7 - 3
    target = reference.date + datetime.timedelta(days=offset)
    return _Resolved(_date_value(target), target, target, "day", True)


_RESOLVERS = {
    "date": _resolve_date,
    "date_range": _resolve_date_range,
    "month": _resolve_month,
    "month_range": _resolve_month_range,
    "year": _resolve_year,
    "year_range": _resolve_year_range,
    "period_months": _resolve_period_months,
    "half": _resolve_half,
    "quarter": _resolve_quarter,
    "season": _resolve_season,
    "decade": _resolve_decade,
    "century": _resolve_century,
    "relative": _resolve_relative,
    "weekday": _resolve_weekday,
}


# --- tagging ------------------------------------------------------------------------
#
# Tagging is two steps: scanning a text finds the rule matches (what each expression says),
# resolving places them on the calendar against a reference date. A record is scanned once;
# its matches are resolved twice when its date must first be inferred from them.


class _Match(NamedTuple):
    """A rule's match in a text, not yet resolved; offsets into the text."""

    start: int
    end: int
    kind: str
    fields: _Fields


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def _scanned(tagger: _Tagger, text: str) -> Iterator[re.Match[str]]:
    """What `tagger.scanner.finditer(text)` yields; faster where the resource names the
    characters a date starts with (`start_chars`), as the scan then jumps between them."""
    if tagger.starts is None:
        yield from tagger.scanner.finditer(text)
        return
    position = 0
    while (start := tagger.starts.search(text, position)) is not None:
        scanned = tagger.scanner.match(text, start.start())
        if scanned is None:
            position = start.start() + 1
        elif scanned.end() > scanned.start():
            yield scanned
            position = scanned.end()
        else:  # an empty match: finditer's rule for what may follow it applies from here
            yield from tagger.scanner.finditer(text, start.start())
            return


def _scan(tagger: _Tagger, text: str) -> list[_Match]:
    """The matches of one language's rules in `text`, in text order."""
    folded = text.translate(tagger.fold) if tagger.foldable.search(text) else text
    urls = [m.span() for m in _URL.finditer(folded)] if "/" in folded or "www" in folded else []
    found: list[_Match] = []
    for scanned in _scanned(tagger, folded):
        rule = tagger.rules[scanned.lastgroup or ""]
        # The first rule to match at a position matches the same text on its own.
        match = rule.pattern.match(folded, scanned.start())
        assert match is not None and match.end() == scanned.end()
        span_group = rule.groups.get("t")
        start, end = match.span(span_group[0][0]) if span_group else match.span()
        if start == end or (urls and _overlaps(start, end, urls)):
            continue
        found.append(_Match(start, end, rule.kind, _Fields(tagger, rule, match)))
    return found


_Resolution = tuple[_Match, _Resolved]


def _resolve(matches: Iterable[_Match], reference: _Reference | None) -> list[_Resolution]:
    """The matches that resolve against `reference`, with their intervals."""
    resolved: list[_Resolution] = []
    for match in matches:
        try:
            interval = _RESOLVERS[match.kind](match.fields, reference)
        except (ValueError, OverflowError):  # February 30, year 0 and the like
            continue
        if interval is not None and interval.start <= interval.end:
            resolved.append((match, interval))
    return resolved


def _merge_longest(resolved: Iterable[_Resolution]) -> list[_Resolution]:
    """Non-overlapping mentions, longest first where they compete, in text order."""
    ordered = sorted(resolved, key=lambda r: (r[0].start, -r[0].end))
    kept: list[_Resolution] = []
    for item in ordered:
        match = item[0]
        if kept and match.start < kept[-1][0].end:
            if match.end - match.start > kept[-1][0].end - kept[-1][0].start:
                kept[-1] = item
            continue
        kept.append(item)
    return kept


def _reference(reference_date: datetime.date | None, precision: str) -> _Reference | None:
    if reference_date is None:
        return None
    return _Reference(reference_date, precision if precision in PRECISIONS else "day")


class FoundDates:
    """The date expressions of one record's segments, scanned once and resolved on demand.

    A record without a printed date is resolved twice: without a reference to infer its
    date (`document_date`), then against that date (`event_dates`); the text is scanned once.
    """

    def __init__(self, segments: Sequence[Segment], language: str) -> None:
        code = normalise_language(language)
        taggers = [_tagger(c) for c in (LANGUAGES if code == UNKNOWN_LANGUAGE else (code,))]
        # Per segment with any, the matches of each language's rules ("und" runs them all).
        scanned = (
            (segment, [_scan(tagger, segment.text) for tagger in taggers])
            for segment in segments
            if segment.text
        )
        self._segments = [(segment, found) for segment, found in scanned if any(found)]

    def _resolved(self, reference: _Reference | None) -> Iterator[tuple[Segment, _Resolution]]:
        for segment, by_language in self._segments:
            if len(by_language) == 1:
                resolved = _resolve(by_language[0], reference)
            else:
                resolved = _merge_longest(
                    item for matches in by_language for item in _resolve(matches, reference)
                )
            for item in resolved:
                yield segment, item

    def event_dates(
        self, reference_date: datetime.date | None, *, reference_precision: str = "day"
    ) -> list[Mention]:
        """The `event_dates` of the record: mentions of every segment, with field and index."""
        reference = _reference(reference_date, reference_precision)
        reference_iso = reference_date.isoformat() if reference_date else None
        return [
            {
                "text": segment.text[match.start : match.end],
                "field": segment.field,
                "field_index": segment.field_index,
                "span_start": match.start,
                "span_end": match.end,
                "timex": resolved.timex,
                "start_date": resolved.start.isoformat(),
                "end_date": resolved.end.isoformat(),
                "granularity": resolved.granularity,
                "relative": resolved.relative,
                "reference_date": reference_iso,
            }
            for segment, (match, resolved) in self._resolved(reference)
        ]

    def document_date(self) -> InferredDate | None:
        """The document date the text implies; see `infer_document_date`."""
        absolute = [resolved for _, (_, resolved) in self._resolved(None) if not resolved.relative]
        days = [r.end for r in absolute if r.granularity == "day"]
        if days:
            return InferredDate(max(days).replace(day=1), "month")
        months = [r.start for r in absolute if r.granularity == "month" and "/" not in r.timex]
        if months:
            return InferredDate(max(months), "month")
        years = Counter(
            int(r.timex) for r in absolute if r.granularity == "year" and "/" not in r.timex
        )
        if years:
            year = max(years, key=lambda y: (years[y], y))
            return InferredDate(datetime.date(year, 1, 1), "year")
        return None


def find_dates(segments: Sequence[Segment], language: str) -> FoundDates:
    """Scan the segments of one record for date expressions, to be resolved later."""
    return FoundDates(segments, language)


def tag_dates(
    text: str,
    language: str,
    reference_date: datetime.date | None,
    *,
    reference_precision: str = "day",
) -> list[Mention]:
    """Date expressions in `text`, with offsets into `text`, in text order.

    Each mention has text, span_start, span_end, timex, start_date, end_date (ISO strings),
    granularity, relative and reference_date (ISO string or None).
    """
    mentions = FoundDates([Segment("body", None, text)], language).event_dates(
        reference_date, reference_precision=reference_precision
    )
    return [{k: v for k, v in m.items() if k not in ("field", "field_index")} for m in mentions]


def event_dates(
    segments: Sequence[Segment],
    language: str,
    reference_date: datetime.date | None,
    *,
    reference_precision: str = "day",
) -> list[Mention]:
    """The `event_dates` of one record: mentions of every segment, with field and field_index."""
    return FoundDates(segments, language).event_dates(
        reference_date, reference_precision=reference_precision
    )


def infer_document_date(segments: Sequence[Segment], language: str) -> InferredDate | None:
    """A document date inferred from the text itself, for records without a published date.

    Only absolute expressions count (written years; nothing resolved against a reference):
    1. the latest day among explicit full dates (year, month and day; a range contributes
       its last day) gives that day's month, precision "month" -- a news text reports
       events of the days around its publication, so the month is known, the day is not;
    2. else the latest explicit year+month gives that month, precision "month";
    3. else the year written most often, ties going to the latest, precision "year"
       (counting beats taking the latest here: targets such as "by 2030" are one-offs).
    Ranges of months or years, decades, centuries, seasons and quarters are not evidence.
    None when the text has no such expression. The date is the first day of the period.
    """
    return FoundDates(segments, language).document_date()


# --- evaluation against hand-checked gold (shared by tests/test_dates.py and benchmarks) ---


class GoldItem(NamedTuple):
    """One annotated unit of tests/gold/dates.json: an article or one related teaser."""

    id: str
    language: str
    reference_date: datetime.date | None
    reference_precision: str
    segments: list[Segment]
    expressions: list[dict[str, Any]]

    def tagged(self) -> list[dict[str, Any]]:
        """What the tagger finds in this item, against the gold's reference date."""
        return event_dates(
            self.segments,
            self.language,
            self.reference_date,
            reference_precision=self.reference_precision,
        )


class Scores(NamedTuple):
    """Strict span matching (field, field_index, span_start, span_end all equal), and the
    share of matched spans whose interval (start_date, end_date) is also right."""

    gold: int
    predicted: int
    matched: int
    interval_matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def interval_accuracy(self) -> float:
        return self.interval_matched / self.matched if self.matched else 0.0

    def __add__(self, other: object) -> Scores:
        if not isinstance(other, Scores):
            return NotImplemented
        return Scores(*(a + b for a, b in zip(self, other, strict=True)))


def _span_key(mention: Mapping[str, Any]) -> tuple[str, int | None, int, int]:
    return (mention["field"], mention["field_index"], mention["span_start"], mention["span_end"])


def score_mentions(
    gold: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]]
) -> Scores:
    gold_by_span = {_span_key(m): m for m in gold}
    predicted_by_span = {_span_key(m): m for m in predicted}
    matched = gold_by_span.keys() & predicted_by_span.keys()
    interval_matched = sum(
        1
        for key in matched
        if (gold_by_span[key]["start_date"], gold_by_span[key]["end_date"])
        == (predicted_by_span[key]["start_date"], predicted_by_span[key]["end_date"])
    )
    return Scores(len(gold_by_span), len(predicted_by_span), len(matched), interval_matched)


def load_gold(gold_path: Path, root: Path) -> list[GoldItem]:
    """Gold items with their segments, re-parsed from the seed files the gold names."""
    from dataset_builder.annotators.segments import ARTICLE_FIELDS, RELATED_FIELDS, record_segments
    from dataset_builder.ingest.layouts.detect import parse_text

    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    records: dict[str, dict[str, Any]] = {}
    items: list[GoldItem] = []
    for item in gold["items"]:
        source = item["source"]
        if source not in records:
            records[source] = parse_text((root / source).read_text(encoding="utf-8"))
        record = records[source]
        if item["related_position"] is None:
            segments = record_segments(record, ARTICLE_FIELDS)
        else:
            segments = record_segments(
                record["related"][item["related_position"] - 1], RELATED_FIELDS
            )
        reference = item["reference_date"]
        items.append(
            GoldItem(
                id=item["id"],
                language=item["language"],
                reference_date=datetime.date.fromisoformat(reference) if reference else None,
                reference_precision=item["reference_precision"] or "day",
                segments=segments,
                expressions=item["expressions"],
            )
        )
    return items


def locate_expression(segment_text: str, text: str, occurrence: int) -> tuple[int, int] | None:
    """Offsets of the `occurrence`-th start of `text` in a segment (to re-anchor gold offsets
    after a parser change); None when there is no such occurrence."""
    start = -1
    for _ in range(occurrence + 1):
        start = segment_text.find(text, start + 1)
        if start < 0:
            return None
    return start, start + len(text)
