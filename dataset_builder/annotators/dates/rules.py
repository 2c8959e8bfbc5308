"""Compiling a language's date resources into one scanner.

The words and rules of `languages/<code>/dates.json`, with those of `shared/dates.json`,
become ONE regular expression: tagging a text is a single left-to-right scan, and the
first rule (in file order) that matches at a position wins. Each rule also keeps its own
pattern, which reads the rule's groups at the one position where the scan found it.

A rule pattern names its parts with groups and draws on the resource through
placeholders: `{NAME}` is a vocabulary (any of its words) or a macro (a regular
expression), `{NAME:group}` the same captured as `group`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from dataset_builder.annotators.dates.starts import jump_finder, match_prefix
from dataset_builder.annotators.languages import LanguageDataError, scan_languages
from dataset_builder.annotators.trie import trie_pattern

_PLACEHOLDER = re.compile(r"\{([A-Z_]+)(?::([a-z0-9_]+))?\}")
_NAMED_GROUP = re.compile(r"\(\?P<([a-z0-9_]+)>")
_GROUP_REFERENCE = re.compile(r"\(\?P=([a-z0-9_]+)\)")
# Characters of a rule's matches tested before the rule is tried.
GUARD_LENGTH = 6


class Rule(NamedTuple):
    kind: str
    # semantic group name -> (group names in `pattern`, vocabulary each draws on);
    # a rule may capture one value in alternative groups "s" and "s__2" (names must differ).
    groups: dict[str, list[tuple[str, str | None]]]
    pattern: re.Pattern[str]  # the rule alone, capturing its groups


class Tagger(NamedTuple):
    language: str
    scanner: re.Pattern[str]  # every rule, capturing only which one matched
    rules: dict[str, Rule]  # outer group name in `scanner` -> rule
    starts: re.Pattern[str] | None  # finds the positions where the scanner can match
    fold: dict[int, str]  # one-to-one character folding (keeps offsets)
    foldable: re.Pattern[str]  # any character the folding changes
    vocab: dict[str, dict[str, Any]]
    ignore_case: bool
    # A cue of the future in the clause before a match ("will meet on Thursday"); the
    # rules' own {FUT} lookahead sees only what follows.
    future_before: re.Pattern[str] | None = None


def _read_resource(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


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
            body = trie_pattern(vocab[name])
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


def _trigger(resource: Mapping[str, Any], vocab: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The test a position must pass before any rule is tried.

    `trigger` is a regular expression for the characters a date can start with (scripts
    without spaces); `trigger_words` lists the literal words that open rules ("den",
    "under"), to which the first word of every vocabulary entry is added ("förra" of
    "förra veckan") except in the vocabularies listed under `inner_vocab` (words that only
    follow another word of a rule, such as month names after "tháng");
    `trigger_boundary` is put in front (a word start).
    """
    parts = [str(resource["trigger"])] if "trigger" in resource else []
    if "trigger_words" in resource:
        words = set(resource["trigger_words"])
        inner = set(resource.get("inner_vocab", ()))  # vocabularies that never open a rule
        for name, entries in vocab.items():
            if name not in inner:
                words.update(word.split()[0] for word in entries if word.split())
        parts.append(trie_pattern(words))
    if not parts:
        return None
    return str(resource.get("trigger_boundary", "")) + "(?:" + "|".join(parts) + ")"


@functools.cache
def compile_tagger(language: str, root: Path) -> Tagger:
    """The compiled date rules of a language declared under the resource folder `root`."""
    declared = scan_languages(root)
    shared = _read_resource(declared.shared_dates_path)
    path = declared[language].dates_path
    resource = _read_resource(path)
    if resource.get("language") != language:
        raise LanguageDataError(
            f"{path}: 'language' is {resource.get('language')!r}, not {language!r}"
        )
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
    rules: dict[str, Rule] = {}
    branches: list[str] = []
    firsts: list[frozenset[int] | None] = []
    for index, spec in enumerate([*shared["rules"], *resource["rules"]]):
        body, groups = _compile_rule(index, spec["pattern"], macros, written)
        outer = f"r{index}"
        rules[outer] = Rule(spec["kind"], groups, re.compile(body, flags))
        # The scanner tries the rules in turn at a position and most fail there; a rule
        # that fails after a few steps (boundaries, optional words) costs several times
        # this test of the characters it can start with.
        prefix = match_prefix(body, flags, GUARD_LENGTH)
        guard = f"(?={''.join(prefix.classes)})" if prefix.classes else ""
        branches.append(f"{guard}(?P<{outer}>{_without_captures(body)})")
        firsts.append(prefix.first)
    combined = "|".join(branches)
    trigger = _trigger(resource, written)
    starts = None
    if trigger:
        # A cheap test that skips positions where no rule can start, so the rules
        # themselves are tried at few positions.
        combined = f"(?={trigger})(?:{combined})"
        if "start_chars" in resource:
            starts = jump_finder(resource["start_chars"], trigger, firsts, flags)
    return Tagger(
        language=language,
        scanner=re.compile(combined, flags),
        rules=rules,
        starts=starts,
        fold=str.maketrans(fold),
        foldable=re.compile("[" + "".join(re.escape(ch) for ch in fold) + "]"),
        vocab=vocab,
        ignore_case=ignore_case,
        future_before=(
            re.compile(resource["future_before"], flags) if "future_before" in resource else None
        ),
    )
