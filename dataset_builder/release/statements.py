"""The dataset's statements (`statements.yaml`), filled in with values from a release.

The card, the Croissant metadata and CITATION.cff say what they say about the dataset
through this module, so each thing is said in one wording. A statement is Markdown with
`$name` placeholders; a `Style` says how it reaches a document: the card keeps the Markdown
and escapes every value from the data, Croissant drops `**` emphasis and takes values as
they are. Statements that depend on the data (which outlets are state-run, which articles
are translations, how many dates are inferred) are assembled here from the release's
statistics and the facts the dataset's `dataset.toml` records about outlets.

`statements.yaml` holds what is true of any corpus; a dataset's own statements (the
`description` and `[card]` table of its dataset.toml) replace the general ones of the same
name while the dataset speaks (`speaking_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

import yaml

from dataset_builder.annotators.languages import scan_languages
from dataset_builder.config import MIN_LANGUAGE_CONFIDENCE, RESOURCES_DIR
from dataset_builder.identity import Identity
from dataset_builder.release.markdown import markdown_text

STATEMENTS_FILE = Path(__file__).with_name("statements.yaml")

# The name of what is in no declared language (the declared ones are named in
# resources/languages.json).
UNDETERMINED_NAME = "undetermined"

# What the statistics call an article without an outlet (stats.dataset_statistics).
NO_OUTLET = "unknown"


def _same(text: str) -> str:
    return text


def _without_emphasis(text: str) -> str:
    return text.replace("**", "")


@dataclass(frozen=True)
class Style:
    """How statements reach one kind of document."""

    # A value from the data (an outlet's name), made safe for the document.
    quote: Callable[[str], str]
    # A statement of `statements.yaml`, before its values are filled in.
    text: Callable[[str], str]


CARD = Style(quote=markdown_text, text=_same)
PLAIN = Style(quote=_same, text=_without_emphasis)


@dataclass(frozen=True)
class Statement:
    """A titled statement: a bias or limitation, a bullet of the card."""

    title: str
    text: str

    def markdown(self) -> str:
        return f"**{self.title}.** {self.text}"

    def plain(self) -> str:
        return f"{self.title}. {self.text}"


@cache
def general_statements() -> dict[str, Any]:
    """The statements of `statements.yaml`, true of any corpus."""
    loaded: dict[str, Any] = yaml.safe_load(STATEMENTS_FILE.read_text(encoding="utf-8"))
    return loaded


def merged_statements(identity: Identity) -> dict[str, Any]:
    """The general statements with the dataset's own in place of the same names.

    Tables merge key by key; a limitation replaces the general one of the same title and
    the others are added; anything else is replaced whole.
    """

    def merge(general: Any, own: Any) -> Any:
        if isinstance(general, dict) and isinstance(own, Mapping):
            return {**general, **{k: merge(general.get(k), v) for k, v in own.items()}}
        return own

    merged: dict[str, Any] = merge(general_statements(), dict(identity.card))
    own_limitations = identity.card.get("limitations", [])
    titles = {limitation["title"]: limitation for limitation in own_limitations}
    general = general_statements()["limitations"]
    merged["limitations"] = [titles.pop(item["title"], item) for item in general] + [
        limitation for limitation in own_limitations if limitation["title"] in titles
    ]
    if identity.description is not None:
        merged["summary"] = {**merged["summary"], "about": identity.description}
    return merged


# The datasets speaking, innermost last: (identity, its statements).
_speaking: list[tuple[Identity, dict[str, Any]]] = []


@contextmanager
def speaking_for(identity: Identity) -> Iterator[Identity]:
    """Within this block, statements are `identity`'s: its own in place of the general ones."""
    _speaking.append((identity, merged_statements(identity)))
    try:
        yield identity
    finally:
        _speaking.pop()


def speaker() -> Identity | None:
    """The dataset whose statements are said now, or None outside `speaking_for`."""
    return _speaking[-1][0] if _speaking else None


def statements() -> dict[str, Any]:
    """The statements in force: the speaking dataset's, else the general ones."""
    return _speaking[-1][1] if _speaking else general_statements()


def lookup(path: str) -> Any:
    """The statement at a dotted path of `statements.yaml`: `annotation.language`, `uses.0`."""
    node: Any = statements()
    for key in path.split("."):
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def say(path: str, style: Style, **values: object) -> str:
    """The statement at `path` in `style`, its `$name`s filled with `values`.

    A name without a value raises KeyError: no statement leaves a placeholder unfilled.
    """
    return Template(style.text(lookup(path))).substitute(values)


def join_and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def join_or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def counted(counts: Mapping[str, int], style: Style) -> str:
    """`name (count), ...`: a count table in one line."""
    return ", ".join(f"{style.quote(name)} ({count})" for name, count in counts.items())


def language_names() -> dict[str, str]:
    """English name of every language code the data may hold; "und" included."""
    names = {language.code: language.name for language in scan_languages(RESOURCES_DIR)}
    return {**names, "und": UNDETERMINED_NAME}


def language_name(code: str) -> str:
    return language_names().get(code, code)


def languages_and_outlets(
    languages: Mapping[str, int], outlets: Mapping[str, int], style: Style = CARD
) -> str:
    """The count of languages and outlets: an undetermined language or a missing outlet
    is not counted as one, but said apart."""
    known_languages = [code for code in languages if code != "und"]
    known_outlets = [name for name in outlets if name != NO_OUTLET]
    apart = []
    if "und" in languages:
        apart.append(say("summary.undetermined", style, count=languages["und"]))
    if NO_OUTLET in outlets:
        apart.append(say("summary.no_outlet", style, count=outlets[NO_OUTLET]))
    text = say(
        "summary.languages_and_outlets",
        style,
        languages=len(known_languages),
        outlets=len(known_outlets),
    )
    return text + (f" ({'; '.join(apart)})" if apart else "")


def summary(stats: Mapping[str, Any], style: Style, subset: str) -> str:
    """What the dataset is, what this version holds, how it was made.

    `subset` is what the document calls a configuration ("configuration", "record set").
    """
    contents = say(
        "summary.contents",
        style,
        articles=stats["articles"],
        related=stats["related"],
        languages_and_outlets=languages_and_outlets(
            stats.get("languages", {}), stats.get("outlets", {}), style
        ),
        subset=subset,
    )
    return " ".join([about(style), contents, say("summary.method", style)])


def about(style: Style) -> str:
    dataset = speaker()
    return say("summary.about", style, pretty_name=dataset.pretty_name if dataset else "")


def build_totals(totals: Mapping[str, int], style: Style) -> str:
    """What the build was offered and what became of it (the build report's totals)."""
    return say(
        "build_totals",
        style,
        offered=totals["articles_offered"],
        published=totals["published"],
        rejected=totals["rejected"],
        duplicates=totals["duplicates"],
        related_published=totals["related_published"],
    )


def annotation_method(annotation: str, style: Style) -> str:
    """How `language`, `topics` or `event_dates` are annotated."""
    return say(f"annotation.{annotation}", style, min_confidence=f"{MIN_LANGUAGE_CONFIDENCE:g}")


def uses(style: Style) -> list[str]:
    return [say(f"uses.{i}", style) for i in range(len(lookup("uses")))]


def _outlet_facts() -> dict[str, dict[str, Any]]:
    facts: dict[str, dict[str, Any]] = statements()["outlets"]
    return facts


def sources(outlets: Mapping[str, int], style: Style) -> Statement | None:
    """Who runs the outlets of the release, and which coverage is therefore absent.

    State-run outlets and their share of the articles come from the data and the outlet
    facts; "critical coverage is absent" only when every article comes from a state-run
    outlet, and a side's coverage only when every outlet's country is recorded and none
    is that side's.
    """
    if not outlets:
        return None
    facts = _outlet_facts()
    articles = sum(outlets.values())
    recorded = [name for name in outlets if name in facts]
    unrecorded = [name for name in outlets if name not in facts]
    state = [name for name in recorded if facts[name].get("state")]
    absent = []
    if state and len(state) == len(outlets):
        absent.append(lookup("sources.critical"))
    if not unrecorded:
        countries = {facts[name].get("country") for name in recorded}
        absent += [
            Template(lookup("sources.side")).substitute(adjective=adjective)
            for side, adjective in lookup("sides").items()
            if side not in countries
        ]
    sentences = []
    if state:
        count = sum(outlets[name] for name in state)
        sentences.append(
            say(
                "sources.all_state"
                if len(state) == len(outlets)
                else f"sources.some_state.{'one' if count == 1 else 'other'}",
                style,
                count=count,
                articles=articles,
                sources=join_and([facts[name]["description"] for name in state]),
            )
        )
        if absent:
            sentences.append(say("sources.official_absent", style, absent=join_or(absent)))
        else:
            sentences.append(say("sources.official", style))
    elif absent:
        sentences.append(say("sources.absent", style, absent=join_or(absent)))
    if unrecorded:
        names = [
            lookup("sources.no_outlet") if name == NO_OUTLET else style.quote(name)
            for name in unrecorded
        ]
        sentences.append(say("sources.unrecorded", style, outlets=join_and(names)))
    if not sentences:
        return None
    title = lookup("sources.title" if state else "sources.title_without_state")
    return Statement(title, " ".join(sentences))


def translations(
    translated: Mapping[tuple[str, str], int], articles: int, style: Style
) -> list[Statement]:
    """One statement for the machine-translated articles, one for the other translations.

    `translated` maps (language, outlet) to the number of articles that are translations
    (`translated_from` set); an outlet's translations are machine-made when its facts say so.
    """
    facts = _outlet_facts()
    groups: dict[str, dict[tuple[str, str], int]] = {"machine": {}, "human": {}}
    for (language, outlet), n in translated.items():
        kind = "machine" if facts.get(outlet, {}).get("machine_translation") else "human"
        groups[kind][(language, outlet)] = n
    made = []
    for kind, group in groups.items():
        if not group:
            continue
        count = sum(group.values())
        languages = [language_name(code) for code in _by_count(group, 0)]
        outlets = [style.quote(name) for name in _by_count(group, 1)]
        text = say(
            f"translations.{kind}.{'one' if count == 1 else 'other'}",
            style,
            count=count,
            articles=articles,
            languages=join_and(languages),
            any_language=join_or(languages),
            outlets=join_and(outlets),
        )
        made.append(Statement(lookup(f"translations.{kind}.title"), text))
    return made


def _by_count(group: Mapping[tuple[str, str], int], part: int) -> list[str]:
    """The languages (part 0) or outlets (part 1) of `group`, most articles first."""
    totals: dict[str, int] = {}
    for key, n in group.items():
        totals[key[part]] = totals.get(key[part], 0) + n
    return sorted(totals, key=lambda name: (-totals[name], name))


def biases(stats: Mapping[str, Any], style: Style) -> list[Statement]:
    made = [sources(stats.get("outlets", {}), style)]
    made += translations(stats.get("translations", {}), stats["articles"], style)
    return [statement for statement in made if statement is not None]


def limitations(stats: Mapping[str, Any], style: Style) -> list[Statement]:
    """The limitations of `statements.yaml`, each made when its `when` count is not zero."""
    values = {
        "articles": stats["articles"],
        "inferred_dates": stats.get("date_sources", {}).get("inferred", 0),
    }
    made = []
    for limitation in lookup("limitations"):
        if "when" in limitation and not values[limitation["when"]]:
            continue
        text = Template(style.text(limitation["text"])).substitute(values)
        made.append(Statement(limitation["title"], text))
    return made


def dataset_licence(identity: Identity) -> dict[str, str]:
    """The licence dataset.toml gives what the dataset adds, as a licence statement."""
    if identity.spdx:
        statement = {
            "name": identity.license,
            "text": say("dataset_licence.spdx", CARD, license=identity.license),
        }
        if " " not in identity.license:  # one licence, not an expression: it has a page
            statement["url"] = f"https://spdx.org/licenses/{identity.license}.html"
        return statement
    if identity.license == "other":
        name = identity.license_name or ""
        text = identity.license_details or say("dataset_licence.other", CARD, name=name)
        return {"name": name, "text": text}
    return {
        "name": lookup("dataset_licence.unknown_name"),
        "text": lookup("dataset_licence.unknown"),
    }


def licences() -> list[dict[str, str]]:
    """Each licence or rights statement: `name`, `text` (Markdown) and maybe `url`.

    A dataset's own `[[card.licences]]` are its whole list; else the publishers' rights,
    the dataset's licence and the vocabulary's.
    """
    found: list[dict[str, str]] = lookup("licences")
    dataset = speaker()
    if dataset is None or "licences" in dataset.card:
        return found
    return [found[0], dataset_licence(dataset), *found[1:]]


def licence_text(style: Style) -> str:
    """Every licence's text, one after the other: the licensing in a paragraph."""
    return " ".join(style.text(licence["text"]) for licence in licences())


def keywords() -> list[str]:
    dataset = speaker()
    if dataset is not None and dataset.keywords:
        return list(dataset.keywords)
    found: list[str] = lookup("keywords")
    return found


def machine_translated(stats: Mapping[str, Any]) -> int:
    """Articles that are machine translations, by their outlets' facts."""
    facts = _outlet_facts()
    return sum(
        n
        for (_, outlet), n in stats.get("translations", {}).items()
        if facts.get(outlet, {}).get("machine_translation")
    )
