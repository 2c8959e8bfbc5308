"""The dataset card (`README.md` of the published folder) and the build's report files.

The card is `card_template.md` filled in with values computed here: counts and tables from
the published Parquet files and the build report, measurements from the benchmarks'
result files (`measurements.py`), field tables from `schema/`, and the dataset's
statements (`statements.yaml`, read through `statements.py`, which Croissant reads too).
This module computes values only; every sentence is in the template or the statements.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from string import Template
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from dataset_builder.config import (
    CONFIGS,
    SPLIT_HASH_PREFIX,
    SPLITS,
)
from dataset_builder.identity import Identity
from dataset_builder.publish.manifest import write_manifest
from dataset_builder.publish.staging import CARD_COPIES
from dataset_builder.release import measurements
from dataset_builder.release.citation import (
    citation_cff,
    dataset_apa,
    dataset_bibtex,
    dataset_identity,
)
from dataset_builder.release.croissant import croissant_metadata
from dataset_builder.release.figure import TIMELINE, draw_timeline
from dataset_builder.release.markdown import bullets, counts_table, markdown_text, table
from dataset_builder.release.statements import (
    CARD,
    PLAIN,
    Statement,
    annotation_method,
    biases,
    build_totals,
    keywords,
    language_name,
    language_names,
    licences,
    limitations,
    lookup,
    machine_translated,
    say,
    speaking_for,
    summary,
    uses,
)
from dataset_builder.release.stats import (
    batches,
    config_files,
    dataset_statistics,
    published_splits,
    split_files,
)
from dataset_builder.validate.contract import CONFIG_SCHEMAS, field_table, hf_yaml_features

TEMPLATE = Path(__file__).with_name("card_template.md")
# The release's licence file, which the card's front matter links for the Hub.
LICENSE_FILE = "LICENSE"
# Longest text the card shows of a value; longer ones are cut and end in "…".
FIELD_EXAMPLE_CHARACTERS = 40
RECORD_EXAMPLE_CHARACTERS = 70
# Items of a list the worked example shows; the rest are counted.
RECORD_EXAMPLE_ITEMS = 2

SCRIPT_NAMES = {
    "Hans": "Simplified",
    "Hant": "Traditional",
    "Latn": "Latin",
    "Jpan": "Japanese",
}


def bcp47_names() -> dict[str, str]:
    """The card's names of language-script tags: `zh-Hans` is "Chinese, Simplified script"."""
    return {
        f"{language}-{script}": f"{name}, {SCRIPT_NAMES[script]} script"
        for language, name in language_names().items()
        for script in SCRIPT_NAMES
    }


def release_date(identity: Identity | None = None) -> str | None:
    """Release date of the dataset's version: dataset.toml's `released`, else the date of
    the version's heading `## [X.Y.Z] - YYYY-MM-DD` in its changelog; None if neither."""
    return dataset_identity(identity).released


def changelog_entries(identity: Identity) -> str | None:
    """The changelog's version entries, one heading level down to sit inside the card."""
    text = identity.changelog_text()
    if text is None:
        return None
    _, _, entries = text.partition("\n## ")
    return ("### " + entries.replace("\n## ", "\n### ")) if entries else ""


def _links(identity: Identity) -> str | None:
    """The dataset's addresses, in one line; None when dataset.toml gives none."""
    links = [
        say(f"links.{key}", CARD, url=markdown_text(value), contact=markdown_text(value))
        for key, value in (
            ("url", identity.url),
            ("repository", identity.repository),
            ("contact", identity.contact),
        )
        if value
    ]
    return " · ".join(links) if links else None


def _size_category(n: int) -> str:
    for bound, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < bound:
            return label
    return "100K<n<1M" if n < 1_000_000 else "n>1M"


def _bcp47(stats: Mapping[str, Any]) -> list[str]:
    return sorted(tag for tag in stats.get("bcp47", {}) if not tag.startswith("und"))


def _tag(keyword: str) -> str:
    """A keyword as a Hub tag: lower case, hyphens for spaces."""
    return keyword.lower().replace(" ", "-")


def front_matter(root: Path, stats: Mapping[str, Any], identity: Identity) -> dict[str, Any]:
    infos = []
    # A configuration or split without rows is not listed: `datasets` cannot load it.
    published = {config: published_splits(root, config) for config in CONFIGS}
    configs = [config for config in CONFIGS if published[config]]
    for config in configs:
        sizes = stats["sizes"][config]
        # The layout of `datasets.DatasetInfo._to_yaml_dict()`, which a test compares.
        infos.append(
            {
                "config_name": config,
                "features": hf_yaml_features(config),
                "splits": [
                    {
                        "name": split,
                        "num_bytes": sizes[split]["num_bytes"],
                        "num_examples": sizes[split]["examples"],
                    }
                    for split in published[config]
                ],
                "download_size": sum(s["download_bytes"] for s in sizes.values()),
                "dataset_size": sum(s["num_bytes"] for s in sizes.values()),
            }
        )
    languages = [code for code in stats.get("languages", {}) if code != "und"]
    hub = lookup("hub")
    # The Hub reads `license_name` and `license_link` only beside `license: other`; the
    # link names the release's own licence file.
    other = (
        {"license_name": identity.license_name, "license_link": LICENSE_FILE}
        if identity.license == "other"
        else {}
    )
    return {
        "pretty_name": identity.pretty_name,
        "version": identity.version,
        "license": identity.license,
        **other,
        "language": languages,
        "language_details": _bcp47(stats),
        "multilinguality": "multilingual" if len(languages) > 1 else "monolingual",
        # Text a machine made: the machine translations among the articles.
        "language_creators": [
            "found",
            *(["machine-generated"] if machine_translated(stats) else []),
        ],
        "annotations_creators": hub["annotations_creators"],
        "source_datasets": hub["source_datasets"],
        "size_categories": [_size_category(stats["articles"])],
        "task_categories": hub["task_categories"],
        "task_ids": hub["task_ids"],
        "tags": [_tag(keyword) for keyword in keywords()],
        "configs": [
            {
                "config_name": config,
                **({"default": True} if config == "default" else {}),
                # Every shard by name, so the card itself says which files make each split.
                "data_files": [
                    {
                        "split": split,
                        "path": [
                            p.relative_to(root).as_posix() for p in split_files(root, config, split)
                        ],
                    }
                    for split in published[config]
                ],
            }
            for config in configs
        ],
        "dataset_info": infos,
    }


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _example_value(value: Any) -> str:
    """A value of the example record as the data dictionary shows it: short, one line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        if not value:
            return "[]"
        first = "{…}" if isinstance(value[0], dict) else _example_value(value[0])
        more = f", … ({len(value)} in all)" if len(value) > 1 else ""
        return f"[{first}{more}]"
    if isinstance(value, dict):
        return "{…}"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return _shorten(text, FIELD_EXAMPLE_CHARACTERS)


def _field_value(record: Mapping[str, Any], path: str) -> Any:
    """The value at a field table's path (`topics[].evidence[].term`) in `record`: the
    first element of every list on the way; None when a list on the way is empty."""
    node: Any = record
    for part in path.split("."):
        name = part.removesuffix("[]")
        node = node.get(name) if isinstance(node, Mapping) else None
        if part.endswith("[]"):
            node = node[0] if node else None
        if node is None:
            return None
    return node


class _Flow(dict[str, Any]):
    """A mapping the front matter writes on one line: `{name: id, dtype: string}`."""


class _FrontMatterDumper(yaml.SafeDumper):
    pass


_FrontMatterDumper.add_representer(
    _Flow,
    lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True),
)


def _flow_features(front: dict[str, Any]) -> dict[str, Any]:
    """The front matter with each feature of plain values on one line, which keeps the
    YAML short; everything else keeps the block style."""

    def flow(node: Any) -> Any:
        if isinstance(node, list):
            return [flow(item) for item in node]
        if isinstance(node, dict):
            if all(not isinstance(value, (dict, list)) for value in node.values()):
                return _Flow(node)
            return {key: flow(value) for key, value in node.items()}
        return node

    infos = [{**info, "features": flow(info["features"])} for info in front["dataset_info"]]
    return {**front, "dataset_info": infos}


def _fields_table(config: str, record: Mapping[str, Any] | None) -> str:
    rows = [
        [
            f"`{name}`",
            kind,
            markdown_text(_example_value(_field_value(record, name))) if record else "",
            description,
        ]
        for name, kind, description in field_table(config)
    ]
    return table(["field", "type", "example", "description"], rows)


def _configuration(config: str) -> str:
    """What a configuration holds, and the schema its fields follow."""
    description = say(f"configurations.{config}", CARD)
    return f"{description} {say('fields', CARD, schema=CONFIG_SCHEMAS[config])}"


def example_records(root: Path) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The shortest article of the release (by body, then id) and its first teaser (by
    id), as dicts; None where there is none."""
    shortest: tuple[int, str] | None = None
    for batch in batches(root, "default", ["id", "body"]):
        lengths = pc.utf8_length(batch["body"]).to_pylist()
        for length, record_id in zip(lengths, batch["id"].to_pylist(), strict=True):
            if shortest is None or (length, record_id) < shortest:
                shortest = (length, record_id)
    article = _first_row(root, "default", pc.field("id") == shortest[1]) if shortest else None
    teaser = None
    if article is not None:
        teaser = _first_row(root, "related", pc.field("parent_id") == article["id"])
    return article, teaser


def _first_row(root: Path, config: str, condition: pc.Expression) -> dict[str, Any] | None:
    """The first record of `config` (by id) that meets `condition`, or None."""
    files = config_files(root, config)
    if not files:
        return None
    rows = pq.read_table([str(path) for path in files], filters=condition).sort_by("id").slice(0, 1)
    found = rows.to_pylist()
    return found[0] if found else None


def _compact(value: Any, depth: int = 0) -> Any:
    """A record value for the worked example: long texts cut, long lists shortened (a list
    inside a list to its first item)."""
    if isinstance(value, str):
        return _shorten(value, RECORD_EXAMPLE_CHARACTERS)
    if isinstance(value, list):
        keep = RECORD_EXAMPLE_ITEMS if depth == 0 else 1
        shown = [_compact(item, depth + 1) for item in value[:keep]]
        rest = len(value) - keep
        return [*shown, f"… {rest} more"] if rest > 0 else shown
    if isinstance(value, dict):
        return {key: _compact(item, depth) for key, item in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _record_block(record: Mapping[str, Any] | None) -> str | None:
    """The record as a JSON code block, one field a line."""
    if record is None:
        return None
    lines = [
        f"  {json.dumps(key)}: {json.dumps(_compact(value), ensure_ascii=False)}"
        for key, value in record.items()
    ]
    # `<`, `>` and `&` as JSON escapes: the same JSON, and no renderer that ignores the
    # code block sees a tag or an entity in it.
    escapes: dict[str, str | int | None] = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
    text = ("{\n" + ",\n".join(lines) + "\n}").translate(str.maketrans(escapes))
    # A fence longer than any run of backticks in the text, so no value can close it.
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}json\n{text}\n{fence}"


def _splits_table(stats: Mapping[str, Any]) -> str:
    rows = [
        [config, *(stats["sizes"][config][split]["examples"] for split in SPLITS)]
        for config in CONFIGS
    ]
    return table(["configuration", *SPLITS], rows)


def _rights_table(root: Path) -> str:
    statements: set[tuple[str, str]] = set()
    for batch in batches(root, "default", ["outlet", "rights"]):
        pairs = pa.Table.from_batches([batch]).group_by(["outlet", "rights"]).aggregate([])
        for pair in pairs.to_pylist():
            statements.add(
                (pair["outlet"] or "unknown", pair["rights"] or "no rights statement recorded")
            )
    rows = [[markdown_text(outlet), markdown_text(rights)] for outlet, rights in sorted(statements)]
    return table(["outlet", "rights statement"], rows)


def _licensing() -> str:
    """One bullet per licence or rights statement, its name a link where it has one."""
    items = []
    for licence in licences():
        name = f"[{licence['name']}]({licence['url']})" if "url" in licence else licence["name"]
        items.append(f"**{name}.** {CARD.text(licence['text'])}")
    return bullets(items)


def licence_file(identity: Identity) -> str:
    """The release's LICENSE: every licence or rights statement of the dataset, as text."""
    with speaking_for(identity):
        title = say("licence_file.title", PLAIN, pretty_name=identity.pretty_name)
        parts = [f"{title}\n{'=' * len(title)}", say("licence_file.intro", PLAIN)]
        for licence in licences():
            heading = licence["name"] + (f" <{licence['url']}>" if "url" in licence else "")
            text = PLAIN.text(" ".join(licence["text"].split()))
            parts += [f"{heading}\n{'-' * len(heading)}", text]
    return "\n\n".join(parts) + "\n"


def _years(stats: Mapping[str, Any]) -> list[int]:
    """The publication years of the release's articles, inferred ones included."""
    return sorted({int(key.split(" ")[0]) for key in stats.get("years", {}) if key != "unknown"})


def _key_facts(stats: Mapping[str, Any], identity: Identity) -> str:
    """The card's first list: what the release holds, a line each."""
    languages = stats.get("languages", {})
    outlets = stats.get("outlets", {})
    years = _years(stats)
    facts: list[tuple[str, str | None]] = [
        ("articles", f"{stats['articles']:,}"),
        ("stories", f"{stats['stories']['stories']:,}" if "stories" in stats else None),
        ("teasers", f"{stats['related']:,}"),
        (
            "languages",
            ", ".join(f"{language_name(code)} (`{code}`, {n:,})" for code, n in languages.items()),
        ),
        ("outlets", ", ".join(f"{markdown_text(name)} ({n:,})" for name, n in outlets.items())),
        ("publication_years", f"{years[0]}–{years[-1]}" if years else None),
        ("licence", say("key_facts.licence_text", CARD, file=LICENSE_FILE)),
        ("links", _links(identity)),
    ]
    return bullets(
        [f"**{lookup(f'key_facts.{name}')}**: {value}" for name, value in facts if value]
    )


def _gaps(stats: Mapping[str, Any]) -> list[Statement]:
    """What the articles lack, counted: topics, event dates, publication dates; and the
    years they were published in and speak of."""
    articles = stats["articles"]
    without = stats.get("without", {})
    made = [
        Statement(
            lookup("gaps.title"),
            say(
                "gaps.text",
                CARD,
                articles=f"{articles:,}",
                no_topic=f"{without.get('topic', 0):,}",
                no_event_dates=f"{without.get('event_dates', 0):,}",
                no_published_date=f"{without.get('published_date', 0):,}",
            ),
        )
    ]
    years = _years(stats)
    mentioned = sorted({year for _, year in stats.get("event_dates", {}).get("article_years", {})})
    if years and mentioned:
        made.append(
            Statement(
                lookup("time_span.title"),
                say(
                    "time_span.text",
                    CARD,
                    first=years[0],
                    last=years[-1],
                    first_mentioned=mentioned[0],
                    last_mentioned=mentioned[-1],
                ),
            )
        )
    translated = machine_translated(stats)
    if translated:
        made.append(
            Statement(
                lookup("machine_share.title"),
                say("machine_share.text", CARD, share=f"{100 * translated / articles:.0f}%"),
            )
        )
    return made


def _glossary() -> str:
    return bullets(
        [f"**{entry['term']}**: {CARD.text(entry['text'])}" for entry in lookup("glossary")]
    )


def _teaching() -> str:
    return bullets([CARD.text(item) for item in lookup("teaching")])


def _latest_changes(identity: Identity) -> str:
    """The changelog entry of the latest version, one heading level down."""
    changelog = changelog_entries(identity)
    if not changelog:
        return say("no_changelog", CARD)
    return changelog.split("\n### ", 1)[0].strip()


def card_values(
    root: Path, report: Mapping[str, Any], stats: Mapping[str, Any], identity: Identity
) -> dict[str, str | None]:
    """Every value of the card template. None leaves out the paragraph that holds it.

    Statements are `identity`'s where its dataset.toml has its own (`speaking_for`).
    """
    with speaking_for(identity):
        return _card_values(root, report, stats, identity)


def _card_values(
    root: Path, report: Mapping[str, Any], stats: Mapping[str, Any], identity: Identity
) -> dict[str, str | None]:
    meta = yaml.dump(
        _flow_features(front_matter(root, stats, identity)),
        Dumper=_FrontMatterDumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    considerations = [
        s.markdown() for s in _gaps(stats) + biases(stats, CARD) + limitations(stats, CARD)
    ]
    article, teaser = example_records(root)
    return {
        "front_matter": meta,
        "pretty_name": identity.pretty_name,
        "dataset_name": identity.name,
        "version": identity.version,
        "released": say("released", CARD, date=identity.released) if identity.released else "",
        "summary": summary(stats, CARD, subset="configuration"),
        "key_facts": _key_facts(stats, identity),
        "apa": dataset_apa(identity.released, identity),
        "bibtex": dataset_bibtex(identity.released, identity),
        "default_description": _configuration("default"),
        "default_fields": _fields_table("default", article),
        "example_id": markdown_text(article["id"]) if article else None,
        "related_description": _configuration("related"),
        "related_fields": _fields_table("related", teaser),
        "example_related_id": markdown_text(teaser["id"]) if teaser else None,
        "example_record": _record_block(article),
        "glossary": _glossary(),
        "teaching": _teaching(),
        "uses": bullets(uses(CARD)),
        "limitations": bullets(considerations),
        "articles_count": f"{stats['articles']:,}",
        "stories": f"{stats['stories']['stories']:,}" if "stories" in stats else None,
        "stories_with_copies": f"{stats.get('stories', {}).get('with_copies', 0):,}",
        "articles_with_copies": f"{stats.get('stories', {}).get('articles_with_copies', 0):,}",
        "languages_table": counts_table(stats.get("bcp47", {}), "language (BCP-47)", bcp47_names()),
        "outlets_table": counts_table(stats.get("outlets", {}), "outlet"),
        "years_table": counts_table(stats.get("years", {}), "year of publication"),
        "timeline": TIMELINE.as_posix(),
        "accuracy": measurements.accuracy(),
        "personal_information": say("personal_information", CARD),
        "splits_table": _splits_table(stats),
        "split_prefix": SPLIT_HASH_PREFIX,
        "collection": say("collection", CARD),
        "preprocessing": say("preprocessing", CARD, subset="configuration"),
        "build_totals": build_totals(report["totals"], CARD),
        "annotation_language": annotation_method("language", CARD),
        "annotation_topics": annotation_method("topics", CARD),
        "annotation_event_dates": annotation_method("event_dates", CARD),
        "rights_table": _rights_table(root),
        "licensing": _licensing(),
        "maintenance": say("maintenance", CARD),
        "changelog": _latest_changes(identity),
    }


def placeholders(template: str) -> set[str]:
    """The `$name`s of a template."""
    return {
        match.group("named") or match.group("braced")
        for match in Template.pattern.finditer(template)
        if match.group("named") or match.group("braced")
    }


def render_template(template: str, values: Mapping[str, str | None]) -> str:
    """`template` filled with `values`, a paragraph at a time.

    A paragraph (text between blank lines) is left out when it comes out empty or holds a
    value that is None. Every placeholder needs a value and every value a placeholder, so
    the template and this module cannot drift apart silently.
    """
    missing, unused = placeholders(template) - set(values), set(values) - placeholders(template)
    if missing or unused:
        raise ValueError(
            f"card template and values differ: no value for {sorted(missing)}, "
            f"no placeholder for {sorted(unused)}"
        )
    paragraphs = []
    for paragraph in template.strip("\n").split("\n\n"):
        names = placeholders(paragraph)
        if any(values[name] is None for name in names):
            continue
        text = Template(paragraph).substitute({name: values[name] for name in names})
        if text.strip():
            paragraphs.append(text)
    return "\n\n".join(paragraphs) + "\n"


def render_card(
    root: Path, report: Mapping[str, Any], stats: Mapping[str, Any], identity: Identity
) -> str:
    values = card_values(root, report, stats, identity)
    return render_template(TEMPLATE.read_text(encoding="utf-8"), values)


def write_release_metadata(root: Path, report: Any) -> None:
    """Write report, rejects, figure, citation, card and manifest into a staged release.

    The manifest comes last: it lists the checksum of every other file. The dataset is
    the report's (`report.identity`).
    """
    identity: Identity = report.identity
    report.write_json(root / "build_report.json")
    report_data = report.summary()  # without the per-article lists: memory stays flat
    with (root / "rejects.jsonl").open("w", encoding="utf-8") as handle:
        for reject in report.sorted_rejects():
            handle.write(json.dumps(reject, ensure_ascii=False, sort_keys=True) + "\n")
    stats = dataset_statistics(root)
    draw_timeline(root, stats.get("event_dates", {}).get("article_years", {}))
    (root / "CITATION.cff").write_text(citation_cff(identity=identity), encoding="utf-8")
    (root / LICENSE_FILE).write_text(licence_file(identity), encoding="utf-8")
    (root / "README.md").write_text(
        render_card(root, report_data, stats, identity), encoding="utf-8"
    )
    croissant = croissant_metadata(root, report_data, stats, identity=identity)
    (root / "croissant.json").write_text(
        json.dumps(croissant, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    write_manifest(root, report.inputs, identity)


def copy_card(release: Path, target: Path) -> None:
    """Copy the card (as DATASET_CARD.md), CITATION.cff and the figure into `target`."""
    for name, copy in CARD_COPIES.items():
        (target / copy).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(release / name, target / copy)
