"""Topic lexicons: one language's terms compiled into patterns, and finding them in text.

A lexicon (`resources/languages/<code>/topics.json`) maps news vocabulary to IPTC
QCodes; what its matches then count for is `scoring`'s business.

Matching
    Chinese and Japanese lexicons (``"word_boundaries": false``) match as substrings;
    a lexicon may be matched against the text folded one character for one (the
    language's ``topic_folding``): the Chinese lexicon, written in simplified characters,
    is matched against the text converted to simplified characters, so traditional text
    is covered and offsets and evidence terms stay those of the original text.
    The other lexicons match whole words and phrases, case-insensitively; a ``*`` at
    either end of a term lets the word go on there, which is how Swedish compounds are
    covered (``*handel*`` finds "handelsavtal" and "frihandeln"). Inside one word the
    leftmost term wins (the modifier of a compound usually names its domain:
    "investeringsmiljön" is about investment), and at one position the longest. A term
    written in capitals ("AI", "FN") matches only in capitals, and a Latin-letter term
    inside Chinese or Japanese text must not be part of a longer Latin word.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from ahocorasick_rs import AhoCorasick, MatchKind

from dataset_builder.annotators.topics.vocabulary import VocabularyTopic
from dataset_builder.annotators.trie import grouped_trie_pattern, trie_pattern, whitespace_run

# Terms of at most this weight are weak: frequent words that hint at a topic without
# settling it (see "Scoring" in `scoring`).
WEAK_TERM_WEIGHT = 0.5

_MATCH_GROUPS = ("bare", "prefix", "suffix", "both")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_ACRONYM = re.compile(r"^[A-Z0-9&-]*[A-Z][A-Z0-9&-]*$")
# Matches resolved to lexicon terms are memoised per lexicon; past this many distinct
# matched strings (never reached with news text) the memo starts afresh.
_MAX_RESOLVED = 100_000
# The matches of words, and of stretches a phrase may run over, are memoised per lexicon
# of whole words; past this many distinct words (or stretches) the memo starts afresh.
_MAX_WORDS = 200_000
# Stretches of more words than this (Vietnamese, where most syllables may start a phrase,
# has whole clauses of them) seldom recur, so their matches are not memoised.
_MAX_STRETCH_WORDS = 2


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


class _Unresolved:
    """Marks a matched string not yet resolved to a term."""


_UNRESOLVED: Any = _Unresolved()


class Term(NamedTuple):
    """What a matched string stands for, worked out once per string (see `Lexicon.find`)."""

    code: str
    weight: float
    key: str  # the lexicon term, normalised: identifies the term for counting
    role: str | None
    weak: bool  # a weak term (weight at most `WEAK_TERM_WEIGHT`)
    check_edges: bool  # a Latin-letter end in a CJK lexicon: see `Lexicon._stands_alone`
    # The code and the key in one string, which keeps its hash: what a per-term cap
    # counts (see "Scoring" in `scoring`).
    counted_as: str


def _term_key(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()).lower())


class Lexicon:
    """The compiled vocabulary of one language."""

    def __init__(
        self,
        document: Mapping[str, Any],
        vocabulary: Mapping[str, VocabularyTopic],
        fold: Callable[[str], str] | None = None,
    ) -> None:
        self.language: str = document["language"]
        # Applied to a text before matching; one character for one, so offsets are kept.
        self.fold = fold
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
        # For a lexicon without word boundaries and with no term holding a space (which
        # the pattern matches as any run of whitespace): an Aho-Corasick automaton, which
        # finds the same leftmost-longest matches several times faster than the pattern,
        # which it then stands in for.
        self._automaton: AhoCorasick | None = None
        bare_forms = sorted(set(forms["bare"]))
        # The automaton's patterns, and the term each stands for, resolved when first found.
        self._automaton_patterns = bare_forms
        self._terms_by_pattern: list[Term | None] = [_UNRESOLVED] * len(bare_forms)
        if not self.word_boundaries and bare_forms and not any(" " in f for f in bare_forms):
            self._automaton = AhoCorasick(bare_forms, matchkind=MatchKind.LeftmostLongest)
            self._pattern = re.compile("(?!)")
        else:
            self._pattern = self._compile(forms, 0)
        self._forms = forms
        # (match group, matched text as written) -> its term, or None when it names none;
        # for a lexicon without word boundaries, by matched text alone.
        self._resolved: dict[tuple[str, str], Term | None] = {}
        self._resolved_bare: dict[str, Term | None] = {}
        # A word a phrase may start in ends with one of the words a phrase goes on from.
        # (A pattern: with thousands of them (Vietnamese), comparing each with the end of
        # every new word was slow.)
        self._phrase_word_end = re.compile(
            "(?:" + trie_pattern(sorted(phrase_words)) + r")\Z" if phrase_words else "(?!)"
        )
        # For lexicons of whole words (see `_find_by_word`): the matches of each word (a
        # whitespace-separated run of characters) seen so far, at offsets into the word;
        # the words a phrase may start in; and those words with those that have a match.
        self._word_matches: dict[str, tuple[tuple[int, int, Term], ...]] = {}
        self._notable_words: set[str] = set()
        self._phrase_starts: set[str] = set()
        # The matches in each stretch of text run from a word a phrase may start in (see
        # `_find_by_word`), at offsets into the stretch.
        self._stretch_matches: dict[str, tuple[tuple[int, int, Term], ...]] = {}

    @cached_property
    def _pattern_ignoring_case(self) -> re.Pattern[str]:
        # Compiled when first needed: few texts change length when lower-cased, and
        # compiling it took as long as the rest of the lexicon.
        return self._compile(self._forms, re.IGNORECASE)

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
            trie = trie_pattern(terms, whitespace_run) if flags else grouped_trie_pattern(terms)
            return re.compile(trie or "(?!)", flags)
        tries = {
            group: trie_pattern(sorted(set(terms)), whitespace_run)
            for group, terms in forms.items()
        }
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

    def _resolve(self, group: str, core: str) -> Term | None:
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
        key = _term_key(core)
        return Term(
            entry.code, entry.weight, key, entry.role, weak, check_edges, f"{entry.code}\0{key}"
        )

    def find(self, text: str) -> list[tuple[int, int, Term]]:
        """Start, end and term of every match in `text`, in text order."""
        lowered = text.lower()
        if len(lowered) != len(text):
            return self._resolve_all(text, self._pattern_ignoring_case.finditer(text))
        if self.word_boundaries:
            return self._find_by_word(text, lowered)
        return self._find_substrings(text, lowered)

    def _find_substrings(self, text: str, lowered: str) -> list[tuple[int, int, Term]]:
        """`find` for a lexicon without word boundaries, on `text` lower-cased as `lowered`.

        `_resolve_all`, cut down to a pattern that matches bare terms and nothing else:
        with one match for every few characters of Chinese text, each step counts.
        """
        results = []
        if self._automaton is not None and lowered == text:
            # The matched text is then the automaton's pattern as written: its term is
            # looked up by the pattern's index, without slicing and hashing the match.
            terms = self._terms_by_pattern
            for index, start, end in self._automaton.find_matches_as_indexes(text):
                term = terms[index]
                if term is _UNRESOLVED:
                    term = terms[index] = self._resolve("bare", self._automaton_patterns[index])
                if term is None:
                    continue
                if term.check_edges and not self._stands_alone(text, start, end):
                    continue
                results.append((start, end, term))
            return results
        resolved = self._resolved_bare
        if self._automaton is not None:
            found: Iterable[tuple[int, int, int]] = self._automaton.find_matches_as_indexes(lowered)
        else:
            found = ((0, *match.span()) for match in self._pattern.finditer(lowered))
        for _, start, end in found:
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
    ) -> list[tuple[int, int, Term]]:
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

    def _find_by_word(self, text: str, lowered: str) -> list[tuple[int, int, Term]]:
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
        word_matches = self._word_matches
        # (`filterfalse`, `compress` and `map` keep the loops over all words out of Python.)
        new = set(itertools.filterfalse(word_matches.__contains__, words))
        if new:
            if len(word_matches) + len(new) > _MAX_WORDS:
                word_matches.clear()
                self._notable_words.clear()
                self._phrase_starts.clear()
                self._stretch_matches.clear()
                new = set(words)
            self._learn(new)
        notable, phrase_starts, stretch_matches = (
            self._notable_words,
            self._phrase_starts,
            self._stretch_matches,
        )
        found: list[tuple[int, int, Term]] = []
        add = found.append
        find = text.find
        length = len(text)
        count = len(words)
        position = 0  # where the next word to find starts, or whitespace before it
        last = -1  # the index of the last word matched so far
        for index in itertools.compress(itertools.count(), map(notable.__contains__, words)):
            if index <= last:  # matched with a phrase before it
                continue
            word = words[index]
            start = find(word, position)
            end = start + len(word)
            # The first occurrence that is a whole whitespace-separated word.
            while (start and not text[start - 1].isspace()) or (
                end < length and not text[end].isspace()
            ):
                start = find(word, start + 1)
                end = start + len(word)
            last = index
            if word in phrase_starts:
                while last + 1 < count and words[last] in phrase_starts:
                    last += 1
                    end = find(words[last], end) + len(words[last])
                if last - index >= _MAX_STRETCH_WORDS:  # too long to recur
                    found += self._resolve_all(text, self._pattern.finditer(lowered, start, end))
                    position = end
                    continue
                # What the pattern finds from a word start to a word end depends on that
                # stretch of text alone, and short stretches recur ("i augusti").
                stretch = text[start:end]
                matches = stretch_matches.get(stretch)
                if matches is None:
                    if len(stretch_matches) >= _MAX_WORDS:
                        stretch_matches.clear()
                    matches = stretch_matches[stretch] = tuple(
                        self._resolve_all(stretch, self._pattern.finditer(lowered[start:end]))
                    )
            else:
                matches = word_matches[word]
            for at, to, term in matches:
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
        matches: list[list[tuple[int, int, Term]]] = [[] for _ in batch]
        for start, end, term in self._resolve_all(joined, self._pattern.finditer(joined.lower())):
            index = bisect.bisect(offsets, start) - 1
            matches[index].append((start - offsets[index], end - offsets[index], term))
        for word, word_matches in zip(batch, matches, strict=True):
            self._word_matches[word] = tuple(word_matches)
            if self._phrase_word_end.search(word.lower()):
                self._phrase_starts.add(word)
                self._notable_words.add(word)
            elif word_matches:
                self._notable_words.add(word)

    @staticmethod
    def _stands_alone(text: str, start: int, end: int) -> bool:
        """A Latin-letter term in CJK text must not be part of a longer Latin word."""
        if text[start] in _ASCII_ALNUM and start > 0 and text[start - 1] in _ASCII_ALNUM:
            return False
        return not (text[end - 1] in _ASCII_ALNUM and end < len(text) and text[end] in _ASCII_ALNUM)


def load_lexicon(
    path: Path,
    vocabulary: Mapping[str, VocabularyTopic],
    fold: Callable[[str], str] | None = None,
) -> Lexicon:
    return Lexicon(json.loads(path.read_text(encoding="utf-8")), vocabulary, fold)
