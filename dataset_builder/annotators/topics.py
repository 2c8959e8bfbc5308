"""IPTC Media Topics for articles and teasers, with the evidence that led to them.

The annotator is deterministic and offline: one lexicon per language
(`resources/topics/<language>.json`) maps news vocabulary to IPTC QCodes, and every
topic it assigns lists the matched terms with their field and character offsets.

Matching
    Chinese and Japanese lexicons (``"word_boundaries": false``) match as substrings;
    the Chinese lexicon, written in simplified characters, is matched against the text
    converted to simplified characters one for one, so traditional text is covered and
    offsets and evidence terms stay those of the original text.
    The other lexicons match whole words and phrases, case-insensitively; a ``*`` at
    either end of a term lets the word go on there, which is how Swedish compounds are
    covered (``*handel*`` finds "handelsavtal" and "frihandeln"). Inside one word the
    leftmost term wins (the modifier of a compound usually names its domain:
    "investeringsmiljön" is about investment), and at one position the longest. A term
    written in capitals ("AI", "FN") matches only in capitals, and a Latin-letter term
    inside Chinese or Japanese text must not be part of a longer Latin word.

Scoring
    A match scores its term weight times the weight of its field: title and headline 3,
    lead and summary 2, body 1, caption 0.5. Term weight is 1, or 0.5 for weak terms:
    frequent words that hint at a topic without settling it, such as titles of office of
    general remit ("prime minister", "政府"), which say who acts rather than what the item
    is about. A term that is one item of a list of three or more ("在政治、经贸、投资、
    文化等领域", "trade, culture, sport and health") also counts as weak: an enumeration
    of fields is weak evidence for each. Each distinct term counts at most
    `MAX_COUNTED_PER_TERM` times per item (its heaviest occurrences), a weak term once, so
    repetition alone cannot carry a topic. A top-level topic's score includes its level-2
    children's evidence.

Threshold
    A top-level topic is kept when all of these hold:
    - its score is at least `MIN_SCORE` (one title match, or three body matches);
    - its score is at least `MIN_SHARE_OF_BEST` of the best top-level score, which drops
      passing mentions in long articles;
    - it is anchored: the title or headline names it, or one paragraph (the lead, the
      summary, or a blank-line separated paragraph of the body) uses at least
      `MIN_DISTINCT_TERMS_IN_PARAGRAPH` different terms for it outside enumerations, at
      least one of them full-weight. One word in an enumeration ("cooperation in trade,
      culture and health") is not a subject.
    A level-2 topic is kept when its parent is kept and its own score is at least
    `MIN_SCORE`. Topics are ordered by score, then by code.

Primary topic
    Lexicon entries may give their terms a role (``"role"``):
    - ``"act"``: the term names a diplomatic act (a condolence or congratulatory message,
      talks, a state visit, a joint statement). When a heading names one, the act's topic
      (politics) is primary: a condolence message after floods is filed under politics,
      the floods are a secondary topic.
    - ``"frame"``: the term names the form of a decision or an agreement (resolution,
      policy, decree, plan, treaty, convention). It still counts for its topic, but not
      when choosing the primary one: a resolution on the state economy, or a convention
      against cybercrime, is filed under what it is about.
    Otherwise the primary topic is the kept top-level topic with the most heading (title
    or headline) score, then the most lead or summary score, then the best scored, frame
    terms left out of the first two. A heading says what an item is about, while a long
    body gives more matches to whatever it goes into at length.

Language
    Text in a language without a lexicon (including "und") is matched with every
    lexicon: a topic backed by evidence is more useful than none, and the evidence
    shows which term matched. Identical spans found by two lexicons count once.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from dataset_builder.annotators.language import to_simplified
from dataset_builder.annotators.segments import (
    ARTICLE_FIELDS,
    RELATED_FIELDS,
    Segment,
    record_segments,
)
from dataset_builder.annotators.trie import char_trie
from dataset_builder.config import RESOURCES_DIR, SCHEMA_DIR

LEXICON_DIR = RESOURCES_DIR / "topics"
VOCABULARY_PATH = SCHEMA_DIR / "iptc-mediatopics.json"
LEXICON_LANGUAGES = ("zh", "sv", "vi", "en", "ja")

# Bump when the scoring rules below change; lexicon changes are picked up by a hash.
RULES_VERSION = "2"

FIELD_WEIGHTS: Mapping[str, float] = {
    "title": 3.0,
    "headline": 3.0,
    "lead": 2.0,
    "summary": 2.0,
    "body": 1.0,
    # Captions mostly repeat names and the photo credit, and the body covers the event.
    "caption": 0.5,
}
MAX_COUNTED_PER_TERM = 3
# Weak terms are frequent words (titles of office, "visit", "international"); how often
# a text repeats them says more about its style than about its subject.
MAX_COUNTED_PER_WEAK_TERM = 1
WEAK_TERM_WEIGHT = 0.5
MIN_SCORE = 3.0
MIN_SHARE_OF_BEST = 0.2
# Where a topic must show up to be kept (see "Threshold" above).
HEADING_FIELDS = frozenset({"title", "headline"})
PARAGRAPH_FIELDS = frozenset({"lead", "summary", "body"})
OPENING_FIELDS = frozenset({"lead", "summary"})
MIN_DISTINCT_TERMS_IN_PARAGRAPH = 2

_MATCH_GROUPS = ("bare", "prefix", "suffix", "both")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_ACRONYM = re.compile(r"^[A-Z0-9&-]*[A-Z][A-Z0-9&-]*$")
# Lists of three or more short items. Chinese and Japanese separate items with 、 (or ・);
# Japanese also uses 、 between clauses, whose parts carry kana particles, so an item is
# a run of up to eight characters without spaces, punctuation or hiragana.
_CJK_ITEM = r"[^\s、，,。．.；;：:！？!?()（）《》「」『』“”\"'・—\u3041-\u309f]{1,8}"
_CJK_ENUMERATION = re.compile(rf"{_CJK_ITEM}(?:[、・—]{_CJK_ITEM}){{2,}}")
# Alphabetic lists end with a conjunction: "A, B and C", "A, B, C och D", "A, B và C".
_LATIN_WORD = r"[\w'’&()-]{1,30}"
# The words of an item are possessive: a word is followed by a space or a comma, which
# it cannot hold, so none of its shorter matches is followed by the rest of an item or a
# list, and not trying them made looking for lists several times faster.
_LATIN_ITEM = rf"[^\W\d_]{_LATIN_WORD}+(?: {_LATIN_WORD}+){{0,4}}?"
_LATIN_REST_OF_LIST = (
    rf"(?:, {_LATIN_ITEM})+,? (?:and|or|och|eller|samt|và|hoặc|cũng như) "
    rf"[^\W\d_]{_LATIN_WORD}?(?: {_LATIN_WORD}){{0,2}}(?![\w'’&()-])"
)
_LATIN_ENUMERATION = re.compile(rf"(?<![\w'’&()-]){_LATIN_ITEM}{_LATIN_REST_OF_LIST}")
# Both enumeration patterns are tried at every position of the text they are run on,
# which made them the costliest part of annotating an article. They are run only where
# they can match (see `enumeration_spans`), which these patterns find cheaply:
# - a CJK list holds two or more separators, each at most one item (8 characters)
#   after the previous one;
_CJK_SEPARATOR = re.compile("[、・—]")
_CJK_ITEM_MAX = 8
# - a Latin list is made of word characters, spaces and commas only, and ends with its
#   last ", " item, the conjunction and the last item, which `_LATIN_LIST_END` finds
#   quickly (it starts with ", ", which `re` looks for before trying the rest).
_LATIN_RUN = re.compile(r"[\w'’&(),\- ]+")
_LATIN_LIST_END = re.compile(
    rf", {_LATIN_ITEM},? (?:and|or|och|eller|samt|và|hoặc|cũng như) "
    rf"[^\W\d_]{_LATIN_WORD}?(?: {_LATIN_WORD}){{0,2}}(?![\w'’&()-])"
)
# - within such a run, a list is found from the comma after its first item: what
#   follows the comma is the rest of a list, and an item ends at the comma.
_LATIN_LIST_AFTER_COMMA = re.compile(_LATIN_REST_OF_LIST)
_LATIN_FIRST_ITEM = re.compile(rf"(?<![\w'’&()-]){_LATIN_ITEM}(?=, )")
# Matches resolved to lexicon terms are memoised per lexicon; past this many distinct
# matched strings (never reached with news text) the memo starts afresh.
_MAX_RESOLVED = 100_000
# The matches of words are memoised per lexicon of whole words; past this many distinct
# words the memo starts afresh.
_MAX_WORDS = 200_000
# Characters beyond the plane `_traditional_characters` covers (rare Chinese characters,
# emoji): text with any of them is always converted to simplified characters.
_BEYOND_PLANE = re.compile("[\U00010000-\U0010ffff]")


class TopicResult(NamedTuple):
    topics: list[dict[str, Any]]
    primary_topic: str | None


class TopicAnnotator(Protocol):
    """What the pipeline needs of a topic annotator."""

    name: str
    version: str  # changes whenever output may change; used as a cache key

    def annotate(self, segments: Sequence[Segment], language: str) -> TopicResult: ...


@dataclass(frozen=True)
class VocabularyTopic:
    code: str
    level: int
    parent: str | None
    label: str  # official English label


def load_vocabulary(path: Path = VOCABULARY_PATH) -> dict[str, VocabularyTopic]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        topic["code"]: VocabularyTopic(
            topic["code"], topic["level"], topic["parent"], topic["labels"]["en"]
        )
        for topic in document["topics"]
    }


# --- Lexicons -----------------------------------------------------------------------


class LexiconError(ValueError):
    """A lexicon file that cannot be used as it is."""


# What a term says besides its topic (see "Primary topic" in the module docstring).
ACT_ROLE = "act"  # names a diplomatic act: condolence message, talks, state visit
FRAME_ROLE = "frame"  # names the form of a decision or agreement: resolution, convention
TERM_ROLES = frozenset({ACT_ROLE, FRAME_ROLE})


class TermEntry(NamedTuple):
    code: str
    weight: float
    exact_form: str | None  # set for capitalised terms, which match only as written
    role: str | None


class TermMatch(NamedTuple):
    start: int
    end: int
    code: str
    weight: float
    key: str  # the lexicon term, normalised: identifies the term for counting
    role: str | None


class _Unresolved:
    """Marks a matched string not yet resolved to a term."""


_UNRESOLVED: Any = _Unresolved()


class _Term(NamedTuple):
    """What a matched string stands for, worked out once per string (see `Lexicon.find`)."""

    code: str
    weight: float
    key: str  # the lexicon term, normalised: identifies the term for counting
    role: str | None
    weak: bool  # a weak term (weight at most `WEAK_TERM_WEIGHT`)
    check_edges: bool  # a Latin-letter end in a CJK lexicon: see `Lexicon._stands_alone`


def _term_key(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()).lower())


def _char_pattern(char: str) -> str:
    return r"\s+" if char == " " else re.escape(char)


def _trie_pattern(terms: Sequence[str]) -> str:
    """One regular expression for many literal terms, shaped as a trie.

    Python's `re` tries alternatives one after another, so a flat alternation of hundreds
    of terms is slow; a trie shares prefixes and, with greedy optional tails, prefers the
    longest term at each position.
    """
    return _emit_trie(char_trie(terms))


def _emit_trie(node: dict[str, Any]) -> str:
    branches = [_char_pattern(char) + _emit_trie(node[char]) for char in sorted(node) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return ("(?:" + body + ")" if len(branches) == 1 else body) + "?"
    return body


def _grouped_trie_pattern(terms: Sequence[str]) -> str:
    """`_trie_pattern(terms)` laid out to find the branch for a position in fewer steps.

    At each position that holds the first character of a term, `re` tried the trie's
    first characters one after another; with hundreds of them (Chinese), that was most
    of the cost of matching. Here the first character is matched by a class, then its
    group among a few groups of first characters is told apart by looking behind, then
    the second character is matched among those that follow the group's first ones,
    and the first one checked by looking behind at both. The matches are the same: at
    most one branch can match at a position, as in the trie.
    """
    trie = char_trie(terms)
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
            if second == " ":  # any run of whitespace, as in `_char_pattern`
                step, behind, rest = r"\s", r"\s", r"\s*"
            else:
                step = behind = re.escape(second)
                rest = ""
            checks = [
                f"(?<={re.escape(first)}{behind}){rest}{_emit_trie(trie[first][second])}"
                for first in group_firsts
            ]
            branches.append(
                step + (checks[0] if len(checks) == 1 else "(?:" + "|".join(checks) + ")")
            )
        # A one-character term matches when no longer one does.
        branches += [f"(?<={re.escape(first)})" for first in group if "" in trie[first]]
        groups.append(f"(?<=[{''.join(map(re.escape, group))}])(?:{'|'.join(branches)})")
    return f"[{''.join(map(re.escape, firsts))}](?:{'|'.join(groups)})"


class Lexicon:
    """The compiled vocabulary of one language."""

    def __init__(self, document: Mapping[str, Any], vocabulary: Mapping[str, VocabularyTopic]):
        self.language: str = document["language"]
        self.word_boundaries: bool = bool(document["word_boundaries"])
        self._entries: dict[tuple[str, str], TermEntry] = {}
        forms: dict[str, list[str]] = {group: [] for group in _MATCH_GROUPS}
        # Words that a phrase goes on from ("förenta" in "förenta nationerna").
        phrase_words: set[str] = set()
        for entry in document["entries"]:
            code = entry["code"]
            if code not in vocabulary:
                raise LexiconError(f"{self.language}: {code} is not in the IPTC vocabulary")
            weight = float(entry.get("weight", 1.0))
            role = entry.get("role")
            if role is not None and role not in TERM_ROLES:
                raise LexiconError(f"{self.language}: unknown role {role!r} for {code}")
            for raw in entry["terms"]:
                group, core = self._split_wildcards(raw)
                key = _term_key(core)
                if not key or "*" in key:
                    raise LexiconError(f"{self.language}: unusable term {raw!r}")
                if (group, key) in self._entries:
                    raise LexiconError(f"{self.language}: term {raw!r} is listed twice")
                exact = core if _ACRONYM.match(core) else None
                self._entries[group, key] = TermEntry(code, weight, exact, role)
                # Text is not normalised before matching (offsets must stay valid), so
                # decomposed spellings of accented terms are matched too.
                for form in {key, unicodedata.normalize("NFD", key)}:
                    forms[group].append(form)
                    phrase_words.update(form.split(" ")[:-1])
        # Matching lower-cased text case-sensitively is several times faster than
        # IGNORECASE; the latter is kept for the rare text whose lower-casing changes its
        # length (offsets must stay those of the original text).
        self._pattern = self._compile(forms, 0)
        self._pattern_ignoring_case = self._compile(forms, re.IGNORECASE)
        # (match group, matched text as written) -> its term, or None when it names none;
        # for a lexicon without word boundaries, by matched text alone.
        self._resolved: dict[tuple[str, str], _Term | None] = {}
        self._resolved_bare: dict[str, _Term | None] = {}
        # For lexicons of whole words (see `_find_by_word`): the matches of each word (a
        # whitespace-separated run of characters) seen so far, at offsets into the word;
        # the words a phrase may start in; and those words with those that have a match.
        self._phrase_words = tuple(sorted(phrase_words))
        self._word_matches: dict[str, tuple[tuple[int, int, _Term], ...]] = {}
        self._notable_words: set[str] = set()
        self._phrase_starts: set[str] = set()

    def _split_wildcards(self, term: str) -> tuple[str, str]:
        if not self.word_boundaries:
            return "bare", term.strip("*")
        leading, trailing = term.startswith("*"), term.endswith("*")
        core = term.strip("*")
        if leading and trailing:
            return "both", core
        if leading:
            return "suffix", core
        if trailing:
            return "prefix", core
        return "bare", core

    def _compile(self, forms: Mapping[str, list[str]], flags: int) -> re.Pattern[str]:
        if not self.word_boundaries:
            # The term is all of a match: no group to capture it, which costs time.
            terms = sorted(set(forms["bare"]))
            trie = _trie_pattern(terms) if flags else _grouped_trie_pattern(terms)
            return re.compile(trie or "(?!)", flags)
        tries = {group: _trie_pattern(sorted(set(terms))) for group, terms in forms.items()}
        # A word start, then: a whole-word term, a term the word may go on after, or
        # -- at the first position inside the word where one fits -- a term that ends
        # the word or one the word goes on after.
        alternatives = []
        if tries["bare"]:
            alternatives.append(rf"(?P<bare>{tries['bare']})(?!\w)")
        if tries["prefix"]:
            alternatives.append(rf"(?P<prefix>{tries['prefix']})\w*")
        inner = []
        if tries["suffix"]:
            inner.append(rf"(?P<suffix>{tries['suffix']})(?!\w)")
        if tries["both"]:
            inner.append(rf"(?P<both>{tries['both']})\w*")
        if inner:
            alternatives.append(r"\w*?(?:" + "|".join(inner) + ")")
        if not alternatives:
            return re.compile("(?!)")
        return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", flags)

    def _resolve(self, group: str, core: str) -> _Term | None:
        """The term a match of `group` on the text `core` stands for, if any."""
        entry = self._entries.get((group, _term_key(core)))
        if entry is None:  # a case-folding quirk made the text match no listed term
            return None
        if entry.exact_form is not None and " ".join(core.split()) != entry.exact_form:
            return None
        check_edges = not self.word_boundaries and (
            core[0] in _ASCII_ALNUM or core[-1] in _ASCII_ALNUM
        )
        weak = entry.weight <= WEAK_TERM_WEIGHT
        return _Term(entry.code, entry.weight, _term_key(core), entry.role, weak, check_edges)

    def find(self, text: str) -> list[tuple[int, int, _Term]]:
        """Start, end and term of every match in `text`, in text order."""
        lowered = text.lower()
        if len(lowered) != len(text):
            return self._resolve_all(text, self._pattern_ignoring_case.finditer(text))
        if self.word_boundaries:
            return self._find_by_word(text, lowered)
        return self._find_substrings(text, lowered)

    def _find_substrings(self, text: str, lowered: str) -> list[tuple[int, int, _Term]]:
        """`find` for a lexicon without word boundaries, on `text` lower-cased as `lowered`.

        `_resolve_all`, cut down to a pattern that matches bare terms and nothing else:
        with one match for every few characters of Chinese text, each step counts.
        """
        resolved = self._resolved_bare
        results = []
        for match in self._pattern.finditer(lowered):
            start, end = match.span()
            core = text[start:end]
            term = resolved.get(core, _UNRESOLVED)
            if term is _UNRESOLVED:
                if len(resolved) >= _MAX_RESOLVED:
                    resolved.clear()
                term = resolved[core] = self._resolve("bare", core)
            if term is None:
                continue
            if term.check_edges and not self._stands_alone(text, start, end):
                continue
            results.append((start, end, term))
        return results

    def _resolve_all(
        self, text: str, found: Iterator[re.Match[str]]
    ) -> list[tuple[int, int, _Term]]:
        """Start, end and term of the `found` matches of the pattern in `text`.

        Whether a matched string names a term, and which, depends on the string alone,
        so it is worked out once per distinct string (normalising and looking up the
        term for every match was much of the cost of annotating).
        """
        resolved = self._resolved
        results = []
        for match in found:
            group = match.lastgroup
            if group is None:  # a pattern without groups (see `_compile`): a bare term
                group = "bare"
                core_start, core_end = match.span()
            else:
                core_start, core_end = match.span(group)
            core = text[core_start:core_end]
            try:
                term = resolved[group, core]
            except KeyError:
                if len(resolved) >= _MAX_RESOLVED:
                    resolved.clear()
                term = resolved[group, core] = self._resolve(group, core)
            if term is None:
                continue
            if term.check_edges and not self._stands_alone(text, core_start, core_end):
                continue
            results.append((match.start(), match.end(), term))
        return results

    def _find_by_word(self, text: str, lowered: str) -> list[tuple[int, int, _Term]]:
        """`find` for a lexicon of whole words, on `text` lower-cased as `lowered`.

        Running the pattern over the text was slow: it tries the terms a word may end or
        go on with at every letter of every word. But a match goes on over the end of a
        word (a whitespace-separated run of characters) only where a phrase does, so the
        matches in the text are those of its words, each matched on its own, except from
        a word a phrase may start in to the first following word a phrase cannot go on
        from, where the pattern is run. Text repeats its words, so the matches of each
        word are worked out once, and most words have none.
        """
        words = text.split()
        # (`filterfalse`, `compress` and `map` keep the loops over all words out of Python.)
        new = set(itertools.filterfalse(self._word_matches.__contains__, words))
        if new:
            if len(self._word_matches) + len(new) > _MAX_WORDS:
                self._word_matches.clear()
                self._notable_words.clear()
                self._phrase_starts.clear()
                new = set(words)
            self._learn(new)
        notable, phrase_starts, word_matches = (
            self._notable_words,
            self._phrase_starts,
            self._word_matches,
        )
        found: list[tuple[int, int, _Term]] = []
        add = found.append
        position = 0  # where the next word to find starts, or whitespace before it
        last = -1  # the index of the last word matched so far
        for index in itertools.compress(itertools.count(), map(notable.__contains__, words)):
            if index <= last:  # matched with a phrase before it
                continue
            word = words[index]
            start = text.find(word, position)
            while not _stands_as_word(text, start, start + len(word)):
                start = text.find(word, start + 1)
            end = start + len(word)
            if word in phrase_starts:
                last = index
                while last + 1 < len(words) and words[last] in phrase_starts:
                    last += 1
                    end = text.find(words[last], end) + len(words[last])
                found += self._resolve_all(text, self._pattern.finditer(lowered, start, end))
            else:
                last = index
                for at, to, term in word_matches[word]:
                    add((start + at, start + to, term))
            position = end
        return found

    def _learn(self, words: set[str]) -> None:
        """Works out the matches of each of `words`, all in one run of the pattern."""
        batch = list(words)
        # Offsets into the lower-cased words are those into the words (`find` keeps to
        # text whose lower-casing keeps its length), and no match goes on over a NUL: no
        # term holds one, nor is it a word character or whitespace.
        offsets = list(itertools.accumulate((len(word) + 1 for word in batch), initial=0))
        joined = "\0".join(batch)
        matches: list[list[tuple[int, int, _Term]]] = [[] for _ in batch]
        for start, end, term in self._resolve_all(joined, self._pattern.finditer(joined.lower())):
            index = bisect.bisect(offsets, start) - 1
            matches[index].append((start - offsets[index], end - offsets[index], term))
        for word, word_matches in zip(batch, matches, strict=True):
            self._word_matches[word] = tuple(word_matches)
            if self._phrase_words and word.lower().endswith(self._phrase_words):
                self._phrase_starts.add(word)
                self._notable_words.add(word)
            elif word_matches:
                self._notable_words.add(word)

    def matches(self, text: str) -> Iterator[TermMatch]:
        for start, end, term in self.find(text):
            yield TermMatch(start, end, term.code, term.weight, term.key, term.role)

    @staticmethod
    def _stands_alone(text: str, start: int, end: int) -> bool:
        """A Latin-letter term in CJK text must not be part of a longer Latin word."""
        if text[start] in _ASCII_ALNUM and start > 0 and text[start - 1] in _ASCII_ALNUM:
            return False
        return not (text[end - 1] in _ASCII_ALNUM and end < len(text) and text[end] in _ASCII_ALNUM)


def _stands_as_word(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` is a whole whitespace-separated word of `text`."""
    return (start == 0 or text[start - 1].isspace()) and (end == len(text) or text[end].isspace())


def load_lexicon(path: Path, vocabulary: Mapping[str, VocabularyTopic]) -> Lexicon:
    return Lexicon(json.loads(path.read_text(encoding="utf-8")), vocabulary)


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


def _simplified(text: str) -> str:
    """`to_simplified(text)`, without converting text that it would leave as it is."""
    if _traditional_characters().search(text) or _BEYOND_PLANE.search(text):
        return to_simplified(text)
    return text


# --- The annotator ------------------------------------------------------------------


# A match as it is counted: (segment position, start, end, code, key, weak, score,
# paragraph, enumerated, role), where
# - key is the lexicon term, normalised;
# - weak says it is a weak term, or one item of a list of three or more;
# - paragraph is the blank-line separated paragraph of the segment it lies in;
# - enumerated says it is one item of a list of three or more.
# Its first four fields put hits in text order, and no two hits share them. A plain
# tuple, unpacked by the loops over hits: much faster than a named tuple's fields.
_Hit = tuple[int, int, int, str, str, bool, float, int, bool, str | None]


def enumeration_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` lists three or more short items ("政治、经贸、投资", "trade, culture and
    health"): a term there is one field among many, not what the text is about."""
    spans = []
    if "、" in text or "・" in text or "—" in text:
        spans += _cjk_enumerations(text)
    if ", " in text:
        spans += _latin_enumerations(text)
    return sorted(spans)


def _cjk_enumerations(text: str) -> list[tuple[int, int]]:
    """`_CJK_ENUMERATION` matches in `text`, searched only near chains of separators.

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
            for match in _CJK_ENUMERATION.finditer(text, start, end):
                spans.append(match.span())
                searched_to = match.end()
        first = last + 1
    return spans


def _latin_enumerations(text: str) -> list[tuple[int, int]]:
    """`_LATIN_ENUMERATION` matches in `text`, searched only in stretches that can hold one.

    A list lies within one run of word characters, spaces and commas, and the characters
    around a run end any list, so searching each run that holds the end of a list finds
    exactly the lists a search of the whole text finds. Searching every run was slow:
    on a run with many commas but no list the search tries every word. (A list end lies
    within one run, so each is found by a search of the whole text.)
    """
    spans: list[tuple[int, int]] = []
    searched_to = 0
    backwards = ""  # `text` reversed, to find where the run of a list end starts
    for list_end in _LATIN_LIST_END.finditer(text):
        if list_end.start() < searched_to:  # in a run already searched
            continue
        backwards = backwards or text[::-1]
        run_start, searched_to = _run_around(text, backwards, list_end.start())
        spans += _latin_enumerations_in_run(text, run_start, searched_to)
    return spans


def _latin_enumerations_in_run(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of `_LATIN_ENUMERATION.finditer(text, start, end)`, found in fewer steps.

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
        rest = _LATIN_LIST_AFTER_COMMA.match(text, comma, end)
        if rest is not None:
            first_item = _LATIN_FIRST_ITEM.search(text, item_from, comma + 2)
            if first_item is not None:
                spans.append((first_item.start(), rest.end()))
                item_from = rest.end()
                comma = text.find(",", item_from, end)
                continue
        item_from = comma + 1
        comma = text.find(",", item_from, end)
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


class LexiconTopicAnnotator:
    """Assigns IPTC Media Topics from per-language lexicons (see the module docstring)."""

    name = "iptc-lexicon"

    def __init__(
        self,
        lexicons: Mapping[str, Lexicon],
        vocabulary: Mapping[str, VocabularyTopic],
        version: str,
    ) -> None:
        self._lexicons = dict(lexicons)
        self._all_lexicons = tuple(self._lexicons[language] for language in sorted(lexicons))
        self._vocabulary = vocabulary
        # Looked up for every hit, so kept as plain dicts.
        self._parent = {code: topic.parent for code, topic in vocabulary.items()}
        self._top_level_code = {code: topic.parent or code for code, topic in vocabulary.items()}
        # A topic and its parent, which its evidence counts for too.
        self._lineage = {
            code: (code,) if topic.parent is None else (code, topic.parent)
            for code, topic in vocabulary.items()
        }
        self.version = version

    @classmethod
    def from_directory(
        cls, lexicon_dir: Path = LEXICON_DIR, vocabulary_path: Path = VOCABULARY_PATH
    ) -> LexiconTopicAnnotator:
        vocabulary = load_vocabulary(vocabulary_path)
        paths = sorted(lexicon_dir.glob("*.json"))
        lexicons = {path.stem: load_lexicon(path, vocabulary) for path in paths}
        digest = hashlib.sha256()
        for path in [*paths, vocabulary_path]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return cls(lexicons, vocabulary, f"{RULES_VERSION}+{digest.hexdigest()[:12]}")

    def _lexicons_for(self, language: str) -> Sequence[Lexicon]:
        lexicon = self._lexicons.get(language)
        return (lexicon,) if lexicon is not None else self._all_lexicons

    def annotate(self, segments: Sequence[Segment], language: str) -> TopicResult:
        hits = self._hits(segments, language)
        if not hits:
            return TopicResult([], None)
        evidence: dict[str, list[_Hit]] = {}
        totals: dict[str, float] = {}  # the scores of `evidence`, added up in its order
        counted: dict[tuple[str, str], int] = {}
        counted_hits = []
        lineage = self._lineage
        # Heaviest occurrences first (see `_hits`), so the per-term cap keeps title matches
        # over body.
        for hit in hits:
            _, _, _, hit_code, key, weak, score, _, _, _ = hit
            term = (hit_code, key)
            count = counted.get(term, 0)
            if count >= (MAX_COUNTED_PER_WEAK_TERM if weak else MAX_COUNTED_PER_TERM):
                continue
            counted[term] = count + 1
            counted_hits.append(hit)
            for code in lineage[hit_code]:
                if code in evidence:
                    evidence[code].append(hit)
                    totals[code] += score
                else:
                    evidence[code] = [hit]
                    totals[code] = score

        parent_of = self._parent
        scores = {code: round(total, 3) for code, total in totals.items()}
        top_level = {code: s for code, s in scores.items() if parent_of[code] is None}
        if not top_level:
            return TopicResult([], None)
        floor = max(MIN_SCORE, MIN_SHARE_OF_BEST * max(top_level.values()))
        # Anchoring is only worth checking for topics that pass the score floor.
        candidates = {code for code, score in top_level.items() if score >= floor}
        kept = self._anchored(hits, segments, candidates)
        kept |= {
            code for code, score in scores.items() if parent_of[code] in kept and score >= MIN_SCORE
        }
        ordered = sorted(kept, key=lambda code: (-scores[code], code))
        listed = self._evidence(counted_hits, kept, segments)
        topics = [self._topic(code, scores[code], listed[code]) for code in ordered]
        return TopicResult(topics, self._primary(ordered, evidence, segments))

    def _primary(
        self,
        ordered: Sequence[str],
        evidence: Mapping[str, list[_Hit]],
        segments: Sequence[Segment],
    ) -> str | None:
        """The kept top-level topic the item is filed under (see the module docstring)."""
        top_level = [code for code in ordered if self._parent[code] is None]
        if not top_level:
            return None
        fields = [segment.field for segment in segments]
        for code in top_level:
            if any(
                role == ACT_ROLE and fields[position] in HEADING_FIELDS
                for position, _, _, _, _, _, _, _, _, role in evidence[code]
            ):
                return code
        if len(top_level) == 1:  # nothing to choose between
            return top_level[0]

        def weight_in(code: str, kinds: frozenset[str]) -> float:
            return sum(
                score
                for position, _, _, _, _, _, score, _, _, role in evidence[code]
                if fields[position] in kinds and role != FRAME_ROLE
            )

        # `top_level` is in score order, so full ties keep that order.
        return max(
            top_level,
            key=lambda code: (
                weight_in(code, HEADING_FIELDS),
                weight_in(code, OPENING_FIELDS),
            ),
        )

    def _top_level(self, code: str) -> str:
        return self._top_level_code[code]

    def _anchored(
        self, hits: Sequence[_Hit], segments: Sequence[Segment], topics: set[str]
    ) -> set[str]:
        """Those of the top-level `topics` named in a heading or developed in a paragraph.

        One term in a list ("cooperation in trade, culture and education") is not what an
        item is about; a topic the heading names, or that a paragraph uses two different
        terms for (at least one of them a full-weight term outside a list), is.
        """
        unanchored = set(topics)
        terms_in_paragraph: dict[tuple[str, int, int], set[str]] = {}
        strong_paragraphs: set[tuple[str, int, int]] = set()
        top_level_code = self._top_level_code
        fields = [segment.field for segment in segments]
        for position, _, _, code, key, weak, _, number, enumerated, _ in hits:
            if not unanchored:
                break
            topic = top_level_code[code]
            if topic not in unanchored:
                continue
            field = fields[position]
            if field in HEADING_FIELDS:
                unanchored.remove(topic)
            elif field in PARAGRAPH_FIELDS and not enumerated:
                paragraph = (topic, position, number)
                terms = terms_in_paragraph.setdefault(paragraph, set())
                terms.add(key)
                if not weak:
                    strong_paragraphs.add(paragraph)
                if len(terms) >= MIN_DISTINCT_TERMS_IN_PARAGRAPH and paragraph in strong_paragraphs:
                    unanchored.remove(topic)
        return topics - unanchored

    def _find(self, text: str, lexicons: Sequence[Lexicon]) -> list[tuple[int, int, _Term]]:
        """Start, end and term of the matches of `lexicons` in `text`."""
        if len(lexicons) == 1:
            lexicon = lexicons[0]
            return lexicon.find(_simplified(text) if lexicon.language == "zh" else text)
        found: list[tuple[int, int, _Term]] = []
        simplified: str | None = None
        for lexicon in lexicons:
            if lexicon.language == "zh":
                # Traditional characters map one for one, so offsets stay valid.
                simplified = simplified or _simplified(text)
                found += lexicon.find(simplified)
            else:
                found += lexicon.find(text)
        # Identical spans found by two lexicons count once (the first one's).
        seen: set[tuple[int, int, str]] = set()
        unique = []
        for start, end, term in found:
            if (start, end, term.code) not in seen:
                seen.add((start, end, term.code))
                unique.append((start, end, term))
        unique.sort(key=lambda match: (match[0], match[1], match[2].code))
        return unique

    def _hits(self, segments: Sequence[Segment], language: str) -> list[_Hit]:
        """The matches in `segments`, in the order they are counted in: heaviest field
        first, full-weight before weak, then text order."""
        lexicons = self._lexicons_for(language)
        # Hits by minus their field weight and whether they are weak, each in text order.
        groups: dict[tuple[float, bool], list[_Hit]] = {}
        bisect_right = bisect.bisect_right  # looked up once: the loop below runs for every match
        for position, (field, _, text) in enumerate(segments):
            if not text:
                continue
            found = self._find(text, lexicons)
            if not found:
                continue
            field_weight = FIELD_WEIGHTS.get(field, FIELD_WEIGHTS["body"])
            strong_hits = groups.setdefault((-field_weight, False), [])
            weak_hits = groups.setdefault((-field_weight, True), [])
            breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)] if "\n" in text else []
            # A match is in a list when a list starting at or before it reaches its end.
            lists = enumeration_spans(text)
            list_starts = [start for start, _ in lists]
            list_reach = list(itertools.accumulate((end for _, end in lists), max))
            for start, end, (code, weight, key, role, weak, _) in found:
                paragraph = bisect_right(breaks, start) if breaks else 0
                enumerated = False
                if lists:
                    index = bisect_right(list_starts, start)
                    enumerated = index > 0 and list_reach[index - 1] >= end
                    if enumerated:
                        weak, weight = True, min(weight, WEAK_TERM_WEIGHT)
                score = field_weight * weight
                hit = (position, start, end, code, key, weak, score, paragraph, enumerated, role)
                (weak_hits if weak else strong_hits).append(hit)
        return [hit for group in sorted(groups) for hit in groups[group]]

    def _evidence(
        self, hits: Sequence[_Hit], codes: set[str], segments: Sequence[Segment]
    ) -> dict[str, list[dict[str, Any]]]:
        """The evidence for each of `codes` among the counted `hits`, in text order."""
        listed: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
        lineage = self._lineage
        for position, start, end, hit_code, _, _, _, _, _, _ in sorted(hits):
            item = None
            for code in lineage[hit_code]:
                if code not in listed:
                    continue
                if item is None:
                    field, field_index, text = segments[position]
                    item = {
                        "term": text[start:end],
                        "field": field,
                        "field_index": field_index,
                        "span_start": start,
                        "span_end": end,
                    }
                    listed[code].append(item)
                else:  # the parent's: a copy of its own
                    listed[code].append(item.copy())
        return listed

    def _topic(self, code: str, score: float, evidence: list[dict[str, Any]]) -> dict[str, Any]:
        topic = self._vocabulary[code]
        return {
            "code": code,
            "label": topic.label,
            "level": topic.level,
            "score": score,
            "evidence": evidence,
        }


@cache
def default_topic_annotator() -> LexiconTopicAnnotator:
    """The annotator over the packaged lexicons, loaded once per process."""
    return LexiconTopicAnnotator.from_directory()


# --- Evaluation against hand-labelled gold -------------------------------------------


class GoldItem(NamedTuple):
    id: str
    language: str
    codes: frozenset[str]  # top-level codes that apply
    primary: str


def load_gold(path: Path) -> list[GoldItem]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return [
        GoldItem(item["id"], item["language"], frozenset(item["codes"]), item["primary"])
        for item in document["items"]
    ]


def seed_item_segments(paths: Sequence[Path]) -> dict[str, list[Segment]]:
    """Segments of each parsed seed article and of its related teasers, by gold item id.

    Articles are named by file stem, teasers `<stem>-r01`, `-r02`, ... in page order.
    """
    from dataset_builder.ingest.layouts.detect import parse_text

    items: dict[str, list[Segment]] = {}
    for path in paths:
        record = parse_text(path.read_text(encoding="utf-8"))
        items[path.stem] = record_segments(record, ARTICLE_FIELDS)
        for number, teaser in enumerate(record["related"], start=1):
            items[f"{path.stem}-r{number:02d}"] = record_segments(teaser, RELATED_FIELDS)
    return items


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _scores(gold: Sequence[GoldItem], predicted: Mapping[str, TopicResult]) -> dict[str, Any]:
    predicted_codes = {
        item.id: {t["code"] for t in predicted[item.id].topics if t["level"] == 1} for item in gold
    }
    codes = sorted(set().union(*(item.codes for item in gold), *predicted_codes.values()))
    per_code: dict[str, dict[str, float | int]] = {}
    for code in codes:
        true_positive = sum(
            code in item.codes and code in predicted_codes[item.id] for item in gold
        )
        predicted_count = sum(code in predicted_codes[item.id] for item in gold)
        support = sum(code in item.codes for item in gold)
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        per_code[code] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_f1(precision, recall), 4),
            "support": support,
        }
    macro_f1 = sum(float(s["f1"]) for s in per_code.values()) / len(per_code) if per_code else 0.0
    correct = sum(predicted[item.id].primary_topic == item.primary for item in gold)
    return {
        "macro_f1": round(macro_f1, 4),
        "primary_accuracy": round(correct / len(gold), 4) if gold else 0.0,
        "per_code": per_code,
    }


def evaluate_topics(
    gold: Sequence[GoldItem], predicted: Mapping[str, TopicResult]
) -> dict[str, Any]:
    """Per-code precision/recall/F1 over top-level codes, macro-F1 and primary accuracy.

    Macro-F1 averages over every code that is in the gold or was predicted, so a code the
    annotator assigns but the gold never uses counts against it.
    """
    missing = [item.id for item in gold if item.id not in predicted]
    if missing:
        raise KeyError(f"no prediction for gold items: {', '.join(missing)}")
    figures = _scores(gold, predicted)
    per_language = {}
    for language in sorted({item.language for item in gold}):
        subset = [item for item in gold if item.language == language]
        scores = _scores(subset, predicted)
        per_language[language] = {
            "macro_f1": scores["macro_f1"],
            "primary_accuracy": scores["primary_accuracy"],
            "n": len(subset),
        }
    mismatches = []
    for item in gold:
        result = predicted[item.id]
        codes = sorted(t["code"] for t in result.topics if t["level"] == 1)
        if set(codes) != item.codes or result.primary_topic != item.primary:
            mismatches.append(
                {
                    "id": item.id,
                    "gold_codes": sorted(item.codes),
                    "predicted_codes": codes,
                    "gold_primary": item.primary,
                    "predicted_primary": result.primary_topic,
                }
            )
    return {**figures, "per_language": per_language, "items": len(gold), "mismatches": mismatches}
