"""The dataset card (`README.md` of the published folder) and the build's report files.

The card is `card_template.md` filled in with values computed here: counts and tables from
the published Parquet files and the build report, measurements from the benchmarks'
result files (`measurements.py`), field tables from `schema/`, and the dataset's
statements (`statements.yaml`, read through `statements.py`, which Croissant reads too).
This module computes values only; every sentence is in the template or the statements.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from string import Template
from typing import Any

import pyarrow as pa
import yaml

from dataset_builder.build.dedup import NEAR_DUPLICATE_THRESHOLD
from dataset_builder.config import (
    CONFIGS,
    LANGUAGES,
    SCHEMA_DIR,
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
    annotation_method,
    biases,
    build_totals,
    keywords,
    language_names,
    licence_text,
    licences,
    limitations,
    lookup,
    machine_translated,
    say,
    speaking_for,
    summary,
    uses,
)
from dataset_builder.release.stats import batches, dataset_statistics, published_splits, split_files
from dataset_builder.validate.contract import CONFIG_SCHEMAS, field_table, hf_yaml_features

TEMPLATE = Path(__file__).with_name("card_template.md")

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


def topic_labels() -> dict[str, str]:
    """English IPTC labels of the vocabulary's codes, for the card's tables."""
    vocabulary = json.loads((SCHEMA_DIR / "iptc-mediatopics.json").read_text(encoding="utf-8"))
    return {topic["code"]: topic["labels"]["en"] for topic in vocabulary["topics"]}


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
    # The Hub reads `license_name` and `license_details` only beside `license: other`.
    other = (
        {
            "license_name": identity.license_name,
            "license_details": identity.license_details or licence_text(PLAIN),
        }
        if identity.license == "other"
        else {}
    )
    return {
        "pretty_name": identity.pretty_name,
        "version": identity.version,
        "license": identity.license,
        **other,
        "language": languages,
        "language_bcp47": _bcp47(stats),
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


def _fields_table(config: str) -> str:
    rows = [[f"`{name}`", kind, description] for name, kind, description in field_table(config)]
    return table(["field", "type", "description"], rows)


def _configuration(config: str) -> str:
    """What a configuration holds, and the schema its fields follow."""
    description = say(f"configurations.{config}", CARD)
    return f"{description} {say('fields', CARD, schema=CONFIG_SCHEMAS[config])}"


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
    event_stats = stats.get("event_dates", {})
    body = stats.get("body_characters")
    labels = topic_labels()
    released = identity.released
    meta = yaml.safe_dump(
        front_matter(root, stats, identity), allow_unicode=True, sort_keys=False, width=100
    )
    changelog = changelog_entries(identity)
    considerations = [s.markdown() for s in biases(stats, CARD) + limitations(stats, CARD)]
    return {
        "front_matter": meta,
        "pretty_name": identity.pretty_name,
        "dataset_name": identity.name,
        "version": identity.version,
        "released": say("released", CARD, date=released) if released else "",
        "links": _links(identity),
        "split_prefix": SPLIT_HASH_PREFIX,
        "summary": summary(stats, CARD, subset="configuration"),
        "configured_languages": ", ".join(f"`{code}`" for code in LANGUAGES),
        "languages_table": counts_table(stats.get("bcp47", {}), "language (BCP-47)", bcp47_names()),
        "timeline": TIMELINE.as_posix(),
        "default_description": _configuration("default"),
        "default_fields": _fields_table("default"),
        "related_description": _configuration("related"),
        "related_fields": _fields_table("related"),
        "splits_table": _splits_table(stats),
        "collection": say("collection", CARD),
        "outlets_table": counts_table(stats.get("outlets", {}), "outlet"),
        "rights_table": _rights_table(root),
        "preprocessing": say("preprocessing", CARD, subset="configuration"),
        "build_totals": build_totals(report["totals"], CARD),
        "annotation_platform": say("annotation.platform", CARD),
        "annotation_language": annotation_method("language", CARD),
        "annotation_topics": annotation_method("topics", CARD),
        "topics_accuracy": measurements.topics_accuracy(),
        "annotation_event_dates": annotation_method("event_dates", CARD),
        "dates_accuracy": measurements.dates_accuracy(),
        "body_min": f"{body['min']:,}" if body else None,
        "body_median": f"{body['median']:,}" if body else None,
        "body_max": f"{body['max']:,}" if body else None,
        "articles_count": f"{stats['articles']:,}",
        "stories": f"{stats['stories']['stories']:,}" if "stories" in stats else None,
        "stories_with_copies": f"{stats.get('stories', {}).get('with_copies', 0):,}",
        "articles_with_copies": f"{stats.get('stories', {}).get('articles_with_copies', 0):,}",
        "near_threshold": f"{NEAR_DUPLICATE_THRESHOLD:g}",
        "years_table": counts_table(stats.get("years", {}), "year"),
        "primary_topics_table": counts_table(
            stats.get("primary_topics", {}), "primary topic", labels
        ),
        "topics_table": counts_table(stats.get("topics", {}), "topic", labels, stats["articles"]),
        "article_event_dates": str(event_stats.get("articles", 0)),
        "teaser_event_dates": str(event_stats.get("related", 0)),
        "decades_table": counts_table(event_stats.get("per_decade", {}), "decade (articles)"),
        "performance": measurements.performance(),
        "limitations": bullets(considerations),
        "personal_information": say("personal_information", CARD),
        "uses": bullets(uses(CARD)),
        "licensing": _licensing(),
        "maintenance": say("maintenance", CARD),
        "changelog": changelog.strip() if changelog else say("no_changelog", CARD),
        "apa": dataset_apa(released, identity),
        "bibtex": dataset_bibtex(released, identity),
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
    draw_timeline(root, stats.get("event_dates", {}).get("timeline", {}))
    (root / "CITATION.cff").write_text(citation_cff(identity=identity), encoding="utf-8")
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
