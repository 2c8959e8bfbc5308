"""Scoring topic matches: which topics an item is about, and which one is primary.

Scoring
    A match scores its term weight times the weight of its field: title and headline 3,
    lead and summary 2, body 1, caption 0.5. Term weight is 1, or 0.5 for weak terms:
    frequent words that hint at a topic without settling it, such as titles of office of
    general remit ("prime minister", "政府"), which say who acts rather than what the item
    is about. A term that is one item of a list of three or more ("在政治、经贸、投资、
    文化等领域", "trade, culture, sport and health") also counts as weak: an enumeration
    of fields is weak evidence for each (`enumerations`). Each distinct term counts at
    most `MAX_COUNTED_PER_TERM` times per item (its heaviest occurrences), a weak term
    once, so repetition alone cannot carry a topic. A top-level topic's score includes
    its level-2 children's evidence.

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
    or headline) score, then the most evidence in the whole item (where the lead or
    summary weighs more than the body), frame terms left out. A heading says what an item
    is about; when it names two topics alike, what the item goes on about decides.

Language
    Text in a language without a lexicon (including "und") is matched with every
    lexicon: a topic backed by evidence is more useful than none, and the evidence
    shows which term matched. Identical spans found by two lexicons count once.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from dataset_builder.annotators.languages import Language, scan_languages
from dataset_builder.annotators.segments import Segment
from dataset_builder.annotators.topics.enumerations import Enumerations
from dataset_builder.annotators.topics.folding import FOLDINGS
from dataset_builder.annotators.topics.lexicon import (
    ACT_ROLE,
    FRAME_ROLE,
    WEAK_TERM_WEIGHT,
    Lexicon,
    LexiconError,
    Term,
    load_lexicon,
)
from dataset_builder.annotators.topics.vocabulary import (
    VOCABULARY_PATH,
    VocabularyTopic,
    load_vocabulary,
)
from dataset_builder.config import RESOURCES_DIR

# Bump when the scoring rules below change, or a language's `list_words` or `topic_folding`
# (resources/languages.json), which the hash does not cover; lexicon and vocabulary
# changes are picked up by the hash.
RULES_VERSION = "5"

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
MIN_SCORE = 3.0
MIN_SHARE_OF_BEST = 0.2
# Where a topic must show up to be kept (see "Threshold" above).
HEADING_FIELDS = frozenset({"title", "headline"})
PARAGRAPH_FIELDS = frozenset({"lead", "summary", "body"})
OPENING_FIELDS = frozenset({"lead", "summary"})
ALL_FIELDS = frozenset(FIELD_WEIGHTS)
MIN_DISTINCT_TERMS_IN_PARAGRAPH = 2
# A short item (paragraph fields of at most `SHORT_ITEM_WORDS` words, where a Chinese or
# Japanese character counts as one: a brief, an easy-to-read article of one-sentence
# paragraphs) has too few words per paragraph to use two terms in one. When the rules
# above keep no topic for it, a topic is also anchored by full-weight terms (outside
# lists) in `MIN_PARAGRAPHS_IN_SHORT_ITEM` different paragraphs, and the score floor
# shrinks with the length, down to `MIN_SHORT_ITEM_SCORE`.
SHORT_ITEM_WORDS = 350
MIN_PARAGRAPHS_IN_SHORT_ITEM = 2
MIN_SHORT_ITEM_SCORE = 2.0

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+")


class TopicResult(NamedTuple):
    topics: list[dict[str, Any]]
    primary_topic: str | None


# A match as it is counted: (segment position, start, end, code, key, weak, score,
# paragraph, enumerated, role, counted_as), where
# - key is the lexicon term, normalised;
# - counted_as is `Term.counted_as`: the code and key the per-term cap counts;
# - weak says it is a weak term, or one item of a list of three or more;
# - paragraph is the blank-line separated paragraph of the segment it lies in;
# - enumerated says it is one item of a list of three or more.
# Its first four fields put hits in text order, and no two hits share them. A plain
# tuple, unpacked by the loops over hits: much faster than a named tuple's fields.
_Hit = tuple[int, int, int, str, str, bool, float, int, bool, str | None, str]


class LexiconTopicAnnotator:
    """Assigns IPTC Media Topics from per-language lexicons (see the module docstring)."""

    name = "iptc-lexicon"

    def __init__(
        self,
        lexicons: Mapping[str, Lexicon | Callable[[], Lexicon]],
        vocabulary: Mapping[str, VocabularyTopic],
        version: str,
        list_words: Iterable[str] = (),
    ) -> None:
        # A lexicon may be given as the function that compiles it, which runs at its
        # language's first text: annotating one article then compiles one lexicon.
        self._lexicons = {
            code: lexicon for code, lexicon in lexicons.items() if isinstance(lexicon, Lexicon)
        }
        self._compilers = {
            code: compile_lexicon
            for code, compile_lexicon in lexicons.items()
            if not isinstance(compile_lexicon, Lexicon)
        }
        self._languages = tuple(sorted(lexicons))
        self._enumerations = Enumerations(list_words)
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
    def from_resources(
        cls, root: Path = RESOURCES_DIR, vocabulary_path: Path = VOCABULARY_PATH
    ) -> LexiconTopicAnnotator:
        """The annotator over the lexicons of the languages declared under `root`."""
        vocabulary = load_vocabulary(vocabulary_path)
        declared = sorted(scan_languages(root), key=lambda language: language.code)

        def compiler(language: Language) -> Callable[[], Lexicon]:
            def compile_lexicon() -> Lexicon:
                fold = FOLDINGS[language.topic_folding] if language.topic_folding else None
                lexicon = load_lexicon(language.topics_path, vocabulary, fold)
                if lexicon.language != language.code:
                    raise LexiconError(
                        f"{language.topics_path}: 'language' is {lexicon.language!r}, "
                        f"not {language.code!r}"
                    )
                return lexicon

            return compile_lexicon

        lexicons = {language.code: compiler(language) for language in declared}
        list_words = [word for language in declared for word in language.list_words]
        return cls(lexicons, vocabulary, lexicon_version(root, vocabulary_path), list_words)

    def _lexicon(self, language: str) -> Lexicon:
        lexicon = self._lexicons.get(language)
        if lexicon is None:
            lexicon = self._lexicons[language] = self._compilers.pop(language)()
        return lexicon

    def load_all(self) -> None:
        """Compile every lexicon now (before worker processes are forked, which then share
        them) rather than at each language's first text."""
        for language in self._languages:
            self._lexicon(language)

    def _lexicons_for(self, language: str) -> Sequence[Lexicon]:
        if language in self._languages:
            return (self._lexicon(language),)
        return tuple(self._lexicon(code) for code in self._languages)

    def annotate(self, segments: Sequence[Segment], language: str) -> TopicResult:
        hits = self._hits(segments, language)
        if not hits:
            return TopicResult([], None)
        evidence: dict[str, list[_Hit]] = {}  # by top-level topic: all that `_primary` reads
        totals: dict[str, float] = {}  # the scores of each topic's hits, added up in order
        counted: dict[str, int] = {}  # by `Term.counted_as`
        counted_hits: list[_Hit] = []
        count_of, count_hit = counted.get, counted_hits.append
        lineage, top_level_code = self._lineage, self._top_level_code
        caps = (MAX_COUNTED_PER_TERM, MAX_COUNTED_PER_WEAK_TERM)  # by whether a term is weak
        # Heaviest occurrences first (see `_hits`), so the per-term cap keeps title matches
        # over body.
        for hit in hits:
            _, _, _, hit_code, _, weak, score, _, _, _, term = hit
            count = count_of(term, 0)
            if count >= caps[weak]:
                continue
            counted[term] = count + 1
            count_hit(hit)
            for code in lineage[hit_code]:
                if code in totals:
                    totals[code] += score
                else:
                    totals[code] = score
            topic = top_level_code[hit_code]
            if topic in evidence:
                evidence[topic].append(hit)
            else:
                evidence[topic] = [hit]

        parent_of = self._parent
        scores = {code: round(total, 3) for code, total in totals.items()}
        top_level = {code: s for code, s in scores.items() if parent_of[code] is None}
        if not top_level:
            return TopicResult([], None)
        floor = max(MIN_SCORE, MIN_SHARE_OF_BEST * max(top_level.values()))
        # Anchoring is only worth checking for topics that pass the score floor.
        candidates = {code for code, score in top_level.items() if score >= floor}
        kept = self._anchored(hits, segments, candidates, short=False)
        if not kept:
            kept = self._short_item_topics(hits, segments, top_level)
        kept |= {
            code for code, score in scores.items() if parent_of[code] in kept and score >= MIN_SCORE
        }
        ordered = sorted(kept, key=lambda code: (-scores[code], code))
        listed = self._evidence(counted_hits, kept, segments)
        topics = [self._topic(code, scores[code], listed[code]) for code in ordered]
        return TopicResult(topics, self._primary(ordered, evidence, segments))

    def _short_item_topics(
        self, hits: Sequence[_Hit], segments: Sequence[Segment], top_level: Mapping[str, float]
    ) -> set[str]:
        """The top-level topics of a short item that the rules for any item leave without
        one: the floor shrinks with the length, and a topic returned to in two paragraphs
        is anchored (see `SHORT_ITEM_WORDS`)."""
        words = sum(
            len(_WORD.findall(segment.text))
            for segment in segments
            if segment.field in PARAGRAPH_FIELDS
        )
        if words > SHORT_ITEM_WORDS:
            return set()
        min_score = max(MIN_SHORT_ITEM_SCORE, MIN_SCORE * words / SHORT_ITEM_WORDS)
        floor = max(min_score, MIN_SHARE_OF_BEST * max(top_level.values()))
        candidates = {code for code, score in top_level.items() if score >= floor}
        return self._anchored(hits, segments, candidates, short=True)

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
        in_heading = [segment.field in HEADING_FIELDS for segment in segments]
        in_any = [segment.field in ALL_FIELDS for segment in segments]
        # One pass over each topic's evidence: whether a heading names an act, and the
        # scores the choice below adds up (frame terms left out).
        weights: dict[str, tuple[float, float]] = {}
        for code in top_level:
            heading_scores, all_scores = [], []
            for position, _, _, _, _, _, score, _, _, role, _ in evidence[code]:
                if role == ACT_ROLE and in_heading[position]:
                    return code
                if role != FRAME_ROLE:
                    if in_heading[position]:
                        heading_scores.append(score)
                    if in_any[position]:
                        all_scores.append(score)
            weights[code] = (sum(heading_scores), sum(all_scores))
        if len(top_level) == 1:  # nothing to choose between
            return top_level[0]
        # The heading decides; when it names topics equally, the whole item's evidence
        # (where the opening already weighs more) does, not the order of the codes.
        return max(top_level, key=weights.__getitem__)

    def _anchored(
        self, hits: Sequence[_Hit], segments: Sequence[Segment], topics: set[str], short: bool
    ) -> set[str]:
        """Those of the top-level `topics` named in a heading or developed in a paragraph.

        One term in a list ("cooperation in trade, culture and education") is not what an
        item is about; a topic the heading names, or that a paragraph uses two different
        terms for (at least one of them a full-weight term outside a list), is.
        """
        unanchored = set(topics)
        terms_in_paragraph: dict[tuple[str, int, int], set[str]] = {}
        strong_paragraphs: set[tuple[str, int, int]] = set()
        paragraphs_of: dict[str, set[tuple[int, int]]] = {}  # short items: strong ones
        top_level_code = self._top_level_code
        fields = [segment.field for segment in segments]
        for position, _, _, code, key, weak, _, number, enumerated, _, _ in hits:
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
                    if short:
                        developed = paragraphs_of.setdefault(topic, set())
                        developed.add((position, number))
                        if len(developed) >= MIN_PARAGRAPHS_IN_SHORT_ITEM:
                            unanchored.remove(topic)
                            continue
                if len(terms) >= MIN_DISTINCT_TERMS_IN_PARAGRAPH and paragraph in strong_paragraphs:
                    unanchored.remove(topic)
        return topics - unanchored

    def _find(self, text: str, lexicons: Sequence[Lexicon]) -> list[tuple[int, int, Term]]:
        """Start, end and term of the matches of `lexicons` in `text`."""
        if len(lexicons) == 1:
            lexicon = lexicons[0]
            return lexicon.find(lexicon.fold(text) if lexicon.fold else text)
        found: list[tuple[int, int, Term]] = []
        folded: dict[Callable[[str], str], str] = {}
        for lexicon in lexicons:
            if lexicon.fold:
                # A folding maps one character to one, so offsets stay valid.
                if lexicon.fold not in folded:
                    folded[lexicon.fold] = lexicon.fold(text)
                found += lexicon.find(folded[lexicon.fold])
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
            add_strong, add_weak = strong_hits.append, weak_hits.append
            lists = self._enumerations.spans(text)
            # A match is in a list when a list starting at or before it reaches its end.
            list_starts = [start for start, _ in lists]
            list_reach = list(itertools.accumulate((end for _, end in lists), max))
            for start, end, (code, weight, key, role, weak, _, counted_as) in found:
                index = bisect_right(list_starts, start) if lists else 0
                enumerated = index > 0 and list_reach[index - 1] >= end
                if enumerated:
                    weak, weight = True, min(weight, WEAK_TERM_WEIGHT)
                hit = (
                    position,
                    start,
                    end,
                    code,
                    key,
                    weak,
                    field_weight * weight,
                    bisect_right(breaks, start),  # the paragraph
                    enumerated,
                    role,
                    counted_as,
                )
                (add_weak if weak else add_strong)(hit)
        return list(itertools.chain.from_iterable(groups[group] for group in sorted(groups)))

    def _evidence(
        self, hits: Sequence[_Hit], codes: set[str], segments: Sequence[Segment]
    ) -> dict[str, list[dict[str, Any]]]:
        """The evidence for each of `codes` among the counted `hits`, in text order."""
        listed: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
        lineage = self._lineage
        # For each code hit: the list its hits go to (its own topic's, else its parent's)
        # and the list a copy goes to (its parent's, when both are listed), or None.
        targets: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]] | None] | None] = {}
        for position, start, end, hit_code, _, _, _, _, _, _, _ in sorted(hits):
            if hit_code in targets:
                target = targets[hit_code]
            else:
                lists = [listed[code] for code in lineage[hit_code] if code in listed]
                target = targets[hit_code] = (
                    (lists[0], lists[1] if len(lists) > 1 else None) if lists else None
                )
            if target is None:
                continue
            field, field_index, text = segments[position]
            item = {
                "term": text[start:end],
                "field": field,
                "field_index": field_index,
                "span_start": start,
                "span_end": end,
            }
            target[0].append(item)
            if target[1] is not None:  # the parent's: a copy of its own
                target[1].append(item.copy())
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


def lexicon_version(root: Path = RESOURCES_DIR, vocabulary_path: Path = VOCABULARY_PATH) -> str:
    """The version of the annotator over the lexicons declared under `root`: the rules'
    version and a digest of the files, read without compiling them."""
    # Each lexicon is hashed under the name `<code>.json`, its file name when the lexicons
    # lay in one folder: the version then stays that of the same content.
    digest = hashlib.sha256()
    for language in sorted(scan_languages(root), key=lambda language: language.code):
        digest.update(f"{language.code}.json".encode() + b"\0")
        digest.update(language.topics_path.read_bytes())
    digest.update(vocabulary_path.name.encode() + b"\0" + vocabulary_path.read_bytes())
    return f"{RULES_VERSION}+{digest.hexdigest()[:12]}"


@cache
def default_topic_version() -> str:
    """The version of `default_topic_annotator()`, known without loading it (a build's
    main process needs the version for its cache, not the lexicons)."""
    return lexicon_version()


@cache
def default_topic_annotator() -> LexiconTopicAnnotator:
    """The annotator over the packaged lexicons, loaded once per process."""
    return LexiconTopicAnnotator.from_resources()
