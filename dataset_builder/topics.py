"""IPTC Media Topics for articles and teasers, with the evidence that led to them.

The annotator is deterministic and offline: one lexicon per language
(`resources/topics/<language>.json`) maps news vocabulary to IPTC QCodes, and every
topic it assigns lists the matched terms with their field and character offsets.

Matching
    Chinese and Japanese lexicons (``"word_boundaries": false``) match as substrings.
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
    is about. Each distinct term counts at most `MAX_COUNTED_PER_TERM` times per item (its
    heaviest occurrences), a weak term once, so repetition alone cannot carry a topic. A
    top-level topic's score includes its level-2 children's evidence.

Threshold
    A top-level topic is kept when all of these hold:
    - its score is at least `MIN_SCORE` (one title match, or three body matches);
    - its score is at least `MIN_SHARE_OF_BEST` of the best top-level score, which drops
      passing mentions in long articles;
    - it is anchored: the title or headline names it, or one paragraph (the lead, the
      summary, or a blank-line separated paragraph of the body) uses at least
      `MIN_DISTINCT_TERMS_IN_PARAGRAPH` different full-weight terms for it. One word in an
      enumeration ("cooperation in trade, culture and health") is not a subject.
    A level-2 topic is kept when its parent is kept and its own score is at least
    `MIN_SCORE`. Topics are ordered by score, then by code.

Primary topic
    The kept top-level topic with the most heading (title or headline) score; without
    heading evidence, or on a tie, the best scored. A heading says what an item is about,
    while a long body gives more matches to whatever it goes into at length.

Language
    Text in a language without a lexicon (including "und") is matched with every
    lexicon: a topic backed by evidence is more useful than none, and the evidence
    shows which term matched. Identical spans found by two lexicons count once.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from dataset_builder.config import RESOURCES_DIR, SCHEMA_DIR
from dataset_builder.segments import ARTICLE_FIELDS, RELATED_FIELDS, Segment, record_segments

LEXICON_DIR = RESOURCES_DIR / "topics"
VOCABULARY_PATH = SCHEMA_DIR / "iptc-mediatopics.json"
LEXICON_LANGUAGES = ("zh", "sv", "vi", "en", "ja")

# Bump when the scoring rules below change; lexicon changes are picked up by a hash.
RULES_VERSION = "1"

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
MIN_DISTINCT_TERMS_IN_PARAGRAPH = 2

_MATCH_GROUPS = ("bare", "prefix", "suffix", "both")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_ACRONYM = re.compile(r"^[A-Z0-9&-]*[A-Z][A-Z0-9&-]*$")


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


class TermEntry(NamedTuple):
    code: str
    weight: float
    exact_form: str | None  # set for capitalised terms, which match only as written


class TermMatch(NamedTuple):
    start: int
    end: int
    code: str
    weight: float
    key: str  # the lexicon term, normalised: identifies the term for counting


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
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [_char_pattern(char) + emit(node[char]) for char in sorted(node) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return ("(?:" + body + ")" if len(branches) == 1 else body) + "?"
        return body

    return emit(trie)


class Lexicon:
    """The compiled vocabulary of one language."""

    def __init__(self, document: Mapping[str, Any], vocabulary: Mapping[str, VocabularyTopic]):
        self.language: str = document["language"]
        self.word_boundaries: bool = bool(document["word_boundaries"])
        self._entries: dict[tuple[str, str], TermEntry] = {}
        forms: dict[str, list[str]] = {group: [] for group in _MATCH_GROUPS}
        for entry in document["entries"]:
            code = entry["code"]
            if code not in vocabulary:
                raise LexiconError(f"{self.language}: {code} is not in the IPTC vocabulary")
            weight = float(entry.get("weight", 1.0))
            for raw in entry["terms"]:
                group, core = self._split_wildcards(raw)
                key = _term_key(core)
                if not key or "*" in key:
                    raise LexiconError(f"{self.language}: unusable term {raw!r}")
                if (group, key) in self._entries:
                    raise LexiconError(f"{self.language}: term {raw!r} is listed twice")
                exact = core if _ACRONYM.match(core) else None
                self._entries[group, key] = TermEntry(code, weight, exact)
                # Text is not normalised before matching (offsets must stay valid), so
                # decomposed spellings of accented terms are matched too.
                for form in {key, unicodedata.normalize("NFD", key)}:
                    forms[group].append(form)
        # Matching lower-cased text case-sensitively is several times faster than
        # IGNORECASE; the latter is kept for the rare text whose lower-casing changes its
        # length (offsets must stay those of the original text).
        self._pattern = self._compile(forms, 0)
        self._pattern_ignoring_case = self._compile(forms, re.IGNORECASE)

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
        tries = {group: _trie_pattern(sorted(set(terms))) for group, terms in forms.items()}
        if not self.word_boundaries:
            return re.compile(f"(?P<bare>{tries['bare'] or '(?!)'})", flags)
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

    def matches(self, text: str) -> Iterator[TermMatch]:
        lowered = text.lower()
        if len(lowered) == len(text):
            found = self._pattern.finditer(lowered)
        else:
            found = self._pattern_ignoring_case.finditer(text)
        for match in found:
            group = match.lastgroup
            if group is None:
                continue
            core = text[match.start(group) : match.end(group)]
            entry = self._entries.get((group, _term_key(core)))
            if entry is None:  # a case-folding quirk made the text match no listed term
                continue
            if entry.exact_form is not None and " ".join(core.split()) != entry.exact_form:
                continue
            start, end = match.span()
            if not self.word_boundaries and not self._stands_alone(text, *match.span(group)):
                continue
            yield TermMatch(start, end, entry.code, entry.weight, _term_key(core))

    @staticmethod
    def _stands_alone(text: str, start: int, end: int) -> bool:
        """A Latin-letter term in CJK text must not be part of a longer Latin word."""
        if text[start] in _ASCII_ALNUM and start > 0 and text[start - 1] in _ASCII_ALNUM:
            return False
        return not (text[end - 1] in _ASCII_ALNUM and end < len(text) and text[end] in _ASCII_ALNUM)


def load_lexicon(path: Path, vocabulary: Mapping[str, VocabularyTopic]) -> Lexicon:
    return Lexicon(json.loads(path.read_text(encoding="utf-8")), vocabulary)


# --- The annotator ------------------------------------------------------------------


class _Hit(NamedTuple):
    score: float
    field_weight: float
    segment_position: int
    paragraph: int  # blank-line separated paragraph of the segment the match lies in
    match: TermMatch


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
        evidence: dict[str, list[_Hit]] = {}
        counted: dict[tuple[str, str], int] = {}
        # Heaviest occurrences first, so the per-term cap keeps title matches over body.
        for hit in sorted(hits, key=lambda h: (-h.field_weight, h.segment_position, h.match)):
            term = (hit.match.code, hit.match.key)
            limit = (
                MAX_COUNTED_PER_WEAK_TERM
                if hit.match.weight <= WEAK_TERM_WEIGHT
                else MAX_COUNTED_PER_TERM
            )
            if counted.get(term, 0) >= limit:
                continue
            counted[term] = counted.get(term, 0) + 1
            evidence.setdefault(hit.match.code, []).append(hit)
            parent = self._vocabulary[hit.match.code].parent
            if parent is not None:
                evidence.setdefault(parent, []).append(hit)

        scores = {code: round(sum(h.score for h in found), 3) for code, found in evidence.items()}
        top_level = {code: s for code, s in scores.items() if self._vocabulary[code].level == 1}
        if not top_level:
            return TopicResult([], None)
        floor = max(MIN_SCORE, MIN_SHARE_OF_BEST * max(top_level.values()))
        anchored = self._anchored(hits, segments)
        kept = {code for code, score in top_level.items() if score >= floor and code in anchored}
        kept |= {
            code
            for code, score in scores.items()
            if self._vocabulary[code].parent in kept and score >= MIN_SCORE
        }
        ordered = sorted(kept, key=lambda code: (-scores[code], code))
        topics = [self._topic(code, scores[code], evidence[code], segments) for code in ordered]
        return TopicResult(topics, self._primary(ordered, evidence, segments))

    def _primary(
        self,
        ordered: Sequence[str],
        evidence: Mapping[str, list[_Hit]],
        segments: Sequence[Segment],
    ) -> str | None:
        """The kept top-level topic the heading gives most weight to, else the best scored.

        A heading says what an item is about; the body of a long article gives more room,
        and so more matches, to whatever it goes into at length.
        """
        top_level = [code for code in ordered if self._vocabulary[code].level == 1]
        if not top_level:
            return None
        heading_scores = {
            code: sum(
                hit.score
                for hit in evidence[code]
                if segments[hit.segment_position].field in HEADING_FIELDS
            )
            for code in top_level
        }
        # `top_level` is already in score order, so ties on the heading keep that order.
        return max(top_level, key=lambda code: heading_scores[code])

    def _top_level(self, code: str) -> str:
        return self._vocabulary[code].parent or code

    def _anchored(self, hits: Sequence[_Hit], segments: Sequence[Segment]) -> set[str]:
        """Top-level topics named in a heading or developed in a paragraph.

        One term in a list ("cooperation in trade, culture and education") is not what an
        item is about; a topic the heading names, or that a paragraph uses two different
        terms for, is.
        """
        anchored: set[str] = set()
        terms_in_paragraph: dict[tuple[str, int, int], set[str]] = {}
        for hit in hits:
            topic = self._top_level(hit.match.code)
            field = segments[hit.segment_position].field
            if field in HEADING_FIELDS:
                anchored.add(topic)
            elif field in PARAGRAPH_FIELDS and hit.match.weight > WEAK_TERM_WEIGHT:
                paragraph = (topic, hit.segment_position, hit.paragraph)
                terms_in_paragraph.setdefault(paragraph, set()).add(hit.match.key)
        anchored.update(
            topic
            for (topic, _, _), terms in terms_in_paragraph.items()
            if len(terms) >= MIN_DISTINCT_TERMS_IN_PARAGRAPH
        )
        return anchored

    def _hits(self, segments: Sequence[Segment], language: str) -> list[_Hit]:
        lexicons = self._lexicons_for(language)
        hits: list[_Hit] = []
        seen: set[tuple[int, int, int, str]] = set()
        for position, segment in enumerate(segments):
            if not segment.text:
                continue
            field_weight = FIELD_WEIGHTS.get(segment.field, FIELD_WEIGHTS["body"])
            breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(segment.text)]
            for lexicon in lexicons:
                for match in lexicon.matches(segment.text):
                    span = (position, match.start, match.end, match.code)
                    if span in seen:
                        continue
                    seen.add(span)
                    paragraph = bisect.bisect(breaks, match.start)
                    score = field_weight * match.weight
                    hits.append(_Hit(score, field_weight, position, paragraph, match))
        return hits

    def _topic(
        self, code: str, score: float, hits: list[_Hit], segments: Sequence[Segment]
    ) -> dict[str, Any]:
        topic = self._vocabulary[code]
        evidence = []
        for hit in sorted(hits, key=lambda h: (h.segment_position, h.match.start, h.match.end)):
            segment = segments[hit.segment_position]
            evidence.append(
                {
                    "term": segment.text[hit.match.start : hit.match.end],
                    "field": segment.field,
                    "field_index": segment.index,
                    "span_start": hit.match.start,
                    "span_end": hit.match.end,
                }
            )
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
    from dataset_builder.parse import parse_text  # the parser is not needed to annotate

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
