"""The dataset card (`README.md` of the published folder) and the build's report files.

Every number in the card is computed here from the published Parquet files, the build
report, or a benchmark's result file under `benchmarks/results/`; the card's field tables
come from `schema/`.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from dataset_builder.config import (
    CONFIGS,
    DATASET_NAME,
    LANGUAGES,
    PRETTY_NAME,
    PROJECT_ROOT,
    SCHEMA_DIR,
    SPLITS,
    VERSION,
)
from dataset_builder.publish.manifest import write_manifest
from dataset_builder.release.citation import citation_cff, dataset_apa, dataset_bibtex
from dataset_builder.release.croissant import croissant_metadata
from dataset_builder.release.figure import TIMELINE, draw_timeline
from dataset_builder.release.stats import batches, dataset_statistics, published_splits, split_files
from dataset_builder.validate.contract import field_table, hf_yaml_features

BENCHMARK_RESULTS = PROJECT_ROOT / "benchmarks" / "results"
CHANGELOG = PROJECT_ROOT / "CHANGELOG.md"

LANGUAGE_NAMES = {
    "zh": "Chinese",
    "sv": "Swedish",
    "vi": "Vietnamese",
    "en": "English",
    "ja": "Japanese",
    "und": "undetermined",
}
SCRIPT_NAMES = {
    "Hans": "Simplified",
    "Hant": "Traditional",
    "Latn": "Latin",
    "Jpan": "Japanese",
}
BCP47_NAMES = {
    f"{language}-{script}": f"{name}, {SCRIPT_NAMES[script]} script"
    for language, name in LANGUAGE_NAMES.items()
    for script in SCRIPT_NAMES
}


def topic_labels() -> dict[str, str]:
    """English IPTC labels of the vocabulary's codes, for the card's tables."""
    vocabulary = json.loads((SCHEMA_DIR / "iptc-mediatopics.json").read_text(encoding="utf-8"))
    return {topic["code"]: topic["labels"]["en"] for topic in vocabulary["topics"]}


def release_date() -> str:
    """Release date of this version, from its CHANGELOG heading `## [X.Y.Z] - YYYY-MM-DD`."""
    for line in CHANGELOG.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"## [{VERSION}]"):
            return line.rsplit(" ", 1)[-1]
    raise ValueError(f"{CHANGELOG} has no entry for version {VERSION}")


def changelog_entries() -> str:
    """The CHANGELOG's version entries, one heading level down to sit inside the card."""
    text = CHANGELOG.read_text(encoding="utf-8")
    _, _, entries = text.partition("\n## ")
    return ("### " + entries.replace("\n## ", "\n### ")) if entries else ""


def load_benchmark(name: str) -> dict[str, Any] | None:
    path = BENCHMARK_RESULTS / f"{name}.json"
    if not path.exists():
        return None
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return result


# Characters with a meaning anywhere in a line: code, emphasis, links, GFM table cells and
# strikethrough, the Hub's math. CommonMark lets any ASCII punctuation be backslash-escaped;
# `<`, `>` and `&` become entities instead, so that no renderer, Markdown or HTML, sees a
# tag, a comment or an entity in them.
_INLINE_ESCAPES = str.maketrans(
    {**{c: "\\" + c for c in "\\`*_[]|~$"}, "<": "&lt;", ">": "&gt;", "&": "&amp;"}
)
# Characters that open a block only at the start of a line (a heading, a list item, a
# setext underline); `>` and `*` are escaped already.
_BLOCK_START = re.compile(r"[#+=-]|[0-9]+[.)]")
# A value stays on its line: a line break would end a table row or start a block.
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def markdown_text(value: str) -> str:
    """`value` as Markdown that renders as that text, on one line, in running text or a table.

    Every value from the data (an outlet, a rights statement, a key of a count table)
    enters the card through this function; the card's own text is Markdown already.
    Line breaks and control characters become spaces.
    """
    text = _LINE_BREAKS.sub(" ", value).strip().translate(_INLINE_ESCAPES)
    start = _BLOCK_START.match(text)
    if start:
        marker = start.end() - 1
        text = text[:marker] + "\\" + text[marker:]
    return text


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _size_category(n: int) -> str:
    for bound, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < bound:
            return label
    return "100K<n<1M" if n < 1_000_000 else "n>1M"


def _bcp47(stats: dict[str, Any]) -> list[str]:
    return sorted(tag for tag in stats.get("bcp47", {}) if not tag.startswith("und"))


def front_matter(root: Path, stats: dict[str, Any]) -> dict[str, Any]:
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
    return {
        "pretty_name": PRETTY_NAME,
        "version": VERSION,
        "license": "other",
        "license_name": "publisher-rights-and-cc-by-4.0",
        "license_details": (
            "Article texts belong to their publishers and are not licensed by this dataset. "
            "The annotations, metadata, schemas and code of this dataset are CC BY 4.0 (code: MIT). "
            "IPTC Media Topics are CC BY 4.0 by the IPTC."
        ),
        "language": languages,
        "language_bcp47": _bcp47(stats),
        "multilinguality": "multilingual" if len(languages) > 1 else "monolingual",
        "language_creators": ["found", "machine-generated"],
        "annotations_creators": ["machine-generated", "expert-generated"],
        "source_datasets": ["original"],
        "size_categories": [_size_category(stats["articles"])],
        "task_categories": ["text-classification", "token-classification"],
        "task_ids": ["topic-classification", "multi-label-classification"],
        "tags": [
            "news",
            "vietnam",
            "japan",
            "international-relations",
            "timex3",
            "iptc-media-topics",
        ],
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


def _counts_table(
    counts: dict[str, int],
    label: str,
    names: dict[str, str] | None = None,
    total: int | None = None,
) -> str:
    """Rows of `key | count | share`; shares are of `total` (default: the sum of counts).

    The keys come from the data, the `names` from the project's vocabularies: both are text.
    """
    if not counts:
        return "None in this release."
    total = total or sum(counts.values())
    rows = [
        [
            markdown_text(key)
            + (f" ({markdown_text(names[key])})" if names and key in names else ""),
            n,
            f"{100 * n / total:.0f}%",
        ]
        for key, n in counts.items()
    ]
    return _table([label, "count", "share"], rows)


def _fields_section(config: str) -> str:
    rows = [[f"`{name}`", kind, description] for name, kind, description in field_table(config)]
    return _table(["field", "type", "description"], rows)


def _splits_section(stats: dict[str, Any]) -> str:
    rows = [
        [config, *(stats["sizes"][config][split]["examples"] for split in SPLITS)]
        for config in CONFIGS
    ]
    return _table(["configuration", *SPLITS], rows)


def _topics_accuracy() -> str:
    result = load_benchmark("topics")
    if result is None:
        return "Topic accuracy has not been measured for this release."
    rows = [
        [code, f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}", v["support"]]
        for code, v in sorted(result["per_code"].items())
    ]
    per_language = [
        [lang, v["n"], f"{v['primary_accuracy']:.2f}", f"{v['macro_f1']:.2f}"]
        for lang, v in sorted(result["per_language"].items())
    ]
    return (
        f"Measured by `benchmarks/topics.py` on {result['items']} hand-labelled items "
        f"(the seed articles and their related teasers, `tests/gold/topics.json`): "
        f"primary-topic accuracy **{result['primary_accuracy']:.2f}**, "
        f"macro-F1 over top-level codes **{result['macro_f1']:.2f}**.\n\n"
        + _table(["code", "precision", "recall", "F1", "support"], rows)
        + "\n\n"
        + _table(["language", "items", "primary accuracy", "macro-F1"], per_language)
    )


def _dates_accuracy() -> str:
    result = load_benchmark("dates")
    if result is None:
        return "Event-date accuracy has not been measured for this release."
    rows = [
        [
            name,
            f"{r['strict_f1']:.3f}",
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f"{r['interval_accuracy']:.3f}",
            f"{r['articles_per_second']:,.0f}",
        ]
        for name, r in (
            ("this tagger", result["tagger"]),
            ("dateparser.search_dates", result["dateparser"]),
        )
    ]
    return (
        f"Measured by `benchmarks/dates.py` on the hand-checked gold "
        f"(`tests/gold/dates.json`: {result['gold_items']} items, "
        f"{result['gold_expressions']} expressions), against `dateparser.search_dates` with the "
        f"language given and `RELATIVE_BASE` set to the reference date:\n\n"
        + _table(
            ["tagger", "strict span F1", "precision", "recall", "interval accuracy", "items/s"],
            rows,
        )
        + f"\n\nThe tagger is {result['speed_ratio']:,.0f}× faster than dateparser on this gold."
    )


def _performance_section() -> str:
    result = load_benchmark("build")
    if result is None:
        return "Build throughput has not been measured for this release."
    has_pss = all("peak_pss_mib" in run for run in result["runs"])
    rows = [
        [
            f"{run['articles']:,}",
            f"{run['seconds']:.1f}",
            f"{run['articles_per_second']:,.0f}",
            f"{run['ms_per_article']:.2f}",
            f"{run['peak_rss_mib']:,.0f}",
            *([f"{run['peak_pss_mib']:,.0f}"] if has_pss else []),
            f"{run['output_mib']:,.1f}",
        ]
        for run in result["runs"]
    ]
    header = ["articles", "seconds", "articles/s", "ms/article", "peak RSS (MiB)"]
    header += ["peak PSS (MiB)"] if has_pss else []
    text = (
        f"Measured by `benchmarks/build.py` on a {result['machine']['cores']}-core machine "
        f"with {result['workers']} workers, from start-up to the finished release, on "
        "generated corpora (`benchmarks/corpus.py`: seed paragraphs recombined, with "
        "shifted dates). Peak RSS adds up the resident memory of the builder, its "
        "workers and the server they are forked from, so pages the workers share with "
        "that server count once per process"
        + ("; peak PSS counts each shared page once" if has_pss else "")
        + ":\n\n"
        + _table([*header, "output (MiB)"], rows)
    )
    fixed_costs = []
    if "marginal_ms_per_article" in result:
        fixed_costs.append(
            f"A straight-line fit over these runs gives {result['fixed_seconds']:.1f} s "
            f"of fixed cost (start-up, and writing the card and figure) plus "
            f"{result['marginal_ms_per_article']:.2f} ms per article."
        )
    if "startup" in result:
        startup = result["startup"]
        fixed_costs.append(
            "In a fresh process, loading the annotators takes "
            f"{startup['annotators_seconds']:.1f} s (done once, in the server the workers are "
            f"forked from), and the first Latin-script text {startup['latin_models_seconds']:.1f} s "
            "more while lingua loads its Latin-script language models (done by each worker)."
        )
    if fixed_costs:
        text += "\n\n" + " ".join(fixed_costs)
    if "baseline" in result:
        base = result["baseline"]
        text += (
            f"\n\nBaseline (`datasets.Dataset.map` with `dateparser.search_dates` and lingua over "
            f"all languages) on the same {base['articles']:,} articles: "
            f"{base['articles_per_second']:,.1f} articles/s; this builder is "
            f"{result['speed_ratio']:,.1f}× faster."
        )
    return text


def _languages_and_outlets(languages: dict[str, int], outlets: dict[str, int]) -> str:
    """The summary's count of languages and outlets: an undetermined language or a
    missing outlet is not counted as one, but said apart."""
    known_languages = [code for code in languages if code != "und"]
    known_outlets = [name for name in outlets if name != "unknown"]
    apart = []
    if "und" in languages:
        apart.append(f"{languages['und']} article(s) in an undetermined language")
    if "unknown" in outlets:
        apart.append(f"{outlets['unknown']} with no outlet recorded")
    text = f"{len(known_languages)} language(s) from {len(known_outlets)} outlet(s)"
    return text + (f" ({'; '.join(apart)})" if apart else "")


def render_card(root: Path, report: dict[str, Any], stats: dict[str, Any]) -> str:
    meta = yaml.safe_dump(front_matter(root, stats), allow_unicode=True, sort_keys=False, width=100)
    totals = report["totals"]
    languages = stats.get("languages", {})
    outlets = stats.get("outlets", {})
    event_stats = stats.get("event_dates", {})
    sections = [
        f"---\n{meta}---",
        f"# Dataset Card for {PRETTY_NAME}",
        f"`{DATASET_NAME}`, version **{VERSION}** (released {release_date()}).",
        "## Dataset Summary",
        (
            f"{PRETTY_NAME} is a small multilingual collection of news articles about the relations "
            f"between Vietnam and Japan, for research and teaching on how the relationship is covered "
            f"across languages. This version holds **{stats['articles']} articles** in "
            f"{_languages_and_outlets(languages, outlets)}, and **{stats['related']} "
            f"related-article teasers** printed under them (configuration `related`). Every article "
            f"is parsed from its source page into title, lead, body and captions, validated against a "
            f"JSON Schema, and annotated with its language and script, IPTC Media Topics with the "
            f"evidence for each, and the event dates it mentions normalised to TIMEX3 values and "
            f"calendar intervals."
        ),
        '```python\nfrom datasets import load_dataset\n\narticles = load_dataset("release")  # the folder of this card\nteasers = load_dataset("release", "related")\n```',
        "## Languages",
        (
            "Languages are detected with lingua over title and text; Chinese script (Simplified or "
            "Traditional) is decided by counting characters unique to each writing system. "
            f"Configured languages: {', '.join(f'`{c}`' for c in LANGUAGES)}; anything else is "
            "published as `und`."
        ),
        _counts_table(stats.get("bcp47", {}), "language (BCP-47)", BCP47_NAMES),
        "## Dataset Structure",
        "### Files",
        (
            "- `data/<configuration>/<split>-NNNNN-of-NNNNN.parquet`: the records (Parquet, "
            "zstd); Hugging Face features are stored in each file's metadata.\n"
            "- `build_report.json`: every input with its SHA-256 and outcome, counts, warnings.\n"
            "- `rejects.jsonl`: inputs not published, with file, field, rule and message.\n"
            "- `MANIFEST.json`: SHA-256 of every file here and of every input; check with "
            "`dataset-builder verify <folder>`.\n"
            "- `croissant.json`: MLCommons Croissant 1.1 metadata, with responsible-AI fields.\n"
            "- `CITATION.cff`: how to cite this version; `dataset-builder cite` prints it as "
            "APA or BibTeX, and `dataset-builder cite --id <id>` cites one source article.\n"
            f"- `{TIMELINE.as_posix()}`: the figure below."
        ),
        "### Data Fields: configuration `default` (articles)",
        "Generated from `schema/article.schema.json`.",
        _fields_section("default"),
        "### Data Fields: configuration `related` (teasers)",
        "Generated from `schema/related.schema.json`.",
        _fields_section("related"),
        "### Data Splits",
        (
            "Splits are committed in `splits/assignments.tsv`; an id listed there never moves. A new "
            "id goes to train, validation or test by the first 8 hex digits of "
            f'SHA-256("{DATASET_NAME}:" + id) as a fraction of 2^32: below 0.8 train, below 0.9 '
            "validation, else test. Teasers are in their parent article's split. With so few "
            "articles a split can be empty; it is still published, so every configuration always "
            "has the same three splits."
        ),
        _splits_section(stats),
        "## Dataset Creation",
        "### Source Data",
        _counts_table(outlets, "outlet"),
        _rights_section(root),
        "### How the records were made",
        (
            "- **Vietnam News Agency, Chinese service** pages: the first line is the title. Photo "
            "captions (lines ending in a credit such as `图自越通社`, with any ` ảnh N` image marker "
            "and repeated headline removed) go to `captions`, each once. The dateline `越通社河内——` "
            "is removed where it opens a paragraph. The body ends at the end mark `(完)` and the "
            "agency signature `越通社`. Paragraphs that reappear at the start of a later paragraph "
            "are dropped as duplicates: excerpts printed above the article, and the standfirst "
            "that the page prints again as the first paragraph. The first paragraph kept is the "
            "lead, the rest the body, so no text is counted twice. The `更多` list after the "
            "article becomes the `related` configuration: caption, headline and summary of each "
            "teaser.\n"
            "- **Vietnam.vn** pages (Swedish machine translations of Vietnamese articles): the site "
            "header line is dropped; the byline (`Báo Tin Tức…27/11/2025`) gives an explicit "
            "publication date; lines after `Bildtext` are captions; `Källa: <url>` gives "
            "`original_url` and ends the article; the comment and related-headline lists after it "
            "are page chrome and are dropped.\n"
            "- **Plain text** (any outlet): title on the first non-empty line, body after it.\n"
            "- **JSON Lines**: already structured articles, validated against "
            "`schema/input-article.schema.json`.\n"
            "- All text is Unicode NFC with control characters removed. A sidecar "
            "`<name>.meta.json` adds facts the page does not print (outlet, URL, date, rights, "
            "translation source), validated against `schema/metadata.schema.json`."
        ),
        (
            f"This build was offered {totals['articles_offered']} article(s): "
            f"{totals['published']} published, {totals['rejected']} rejected, "
            f"{totals['duplicates']} duplicate(s). The build report (`build_report.json`) lists "
            "every input with its SHA-256."
        ),
        "## Annotations",
        "### Language",
        (
            "lingua-language-detector with the configured languages (plus a few guard languages "
            "that are mapped to `und`), models loaded from the installed package, no downloads. "
            "Confidence below 0.5 gives `und`."
        ),
        "### Topics",
        (
            "IPTC Media Topics (levels 1 and 2, `schema/iptc-mediatopics.json`) assigned by "
            "per-language lexicons; every topic carries the matched terms with their offsets as "
            "evidence. Guidelines: `docs/topic-guidelines.md`."
        ),
        _topics_accuracy(),
        "### Event dates",
        (
            "A rule-based multilingual temporal tagger driven by per-language resource files "
            "(`dataset_builder/resources/dates/`). Each expression is normalised to a TIMEX3 value "
            "and an inclusive calendar interval; relative expressions are resolved against the "
            "article's publication date, or a document date inferred from the text when the page "
            "prints none. Guidelines: `docs/annotation-guidelines.md`."
        ),
        _dates_accuracy(),
        "## Statistics",
        "Computed from the published Parquet files.",
        (
            "Body length in characters: minimum {min:,}, median {median:,}, maximum {max:,}.".format(
                **stats["body_characters"]
            )
            if "body_characters" in stats
            else ""
        ),
        "### Articles per year of publication",
        _counts_table(stats.get("years", {}), "year"),
        "### Articles per primary topic",
        _counts_table(stats.get("primary_topics", {}), "primary topic", topic_labels()),
        "### Articles per topic",
        "An article counts once under every topic it carries (top level and level 2); shares "
        "are of all articles.",
        _counts_table(stats.get("topics", {}), "topic", topic_labels(), stats["articles"]),
        "### Event dates per decade",
        (
            f"{event_stats.get('articles', 0)} event dates in articles and "
            f"{event_stats.get('related', 0)} in teasers. Each counts under the decade it "
            "starts in, whatever its granularity: a century under its first decade."
        ),
        _counts_table(event_stats.get("per_decade", {}), "decade (articles)"),
        f"![Event dates per year and language]({TIMELINE.as_posix()})",
        "## Performance",
        _performance_section(),
        "## Considerations for Using the Data",
        "### Known limitations and biases",
        (
            "- **State media.** The sources are Vietnamese state media (the Vietnam News Agency) and "
            "a Vietnamese government promotion portal (Vietnam.vn). They present official positions; "
            "critical or Japanese-side coverage is absent.\n"
            "- **Machine translation.** The Swedish text is a machine translation published by "
            "Vietnam.vn, not text written by a Swedish journalist; its language is not "
            "representative of Swedish news writing.\n"
            f"- **Small size.** {stats['articles']} articles are enough for teaching and for "
            "testing tools, not for training models or for statistical claims about coverage.\n"
            "- **Automatic annotations.** Topics and event dates are machine-made; their measured "
            "accuracy is above, on a gold set drawn from the same few pages, so accuracy on new text "
            "may be lower.\n"
            "- **Inferred dates.** Where a page prints no date, `published_date` is inferred from the "
            "text (`published_date_source = inferred`) and may be wrong by the gap between the "
            "events reported and publication."
        ),
        "### Personal and sensitive information",
        (
            "The texts name public figures (heads of government, ministers, ambassadors) in their "
            "public roles. No private individuals' data was collected."
        ),
        "## Uses",
        (
            "- Intended: teaching and research on news coverage of Vietnam–Japan relations; "
            "comparing coverage across languages; exercises in topic classification, temporal "
            "tagging and timeline building; testing multilingual text-processing tools.\n"
            "- Out of scope: claims about public opinion or media in general; training "
            "production models; republishing the article texts (they belong to their publishers)."
        ),
        "## Licensing",
        (
            "The article texts belong to their publishers (see Source Data); they are included for "
            "research and teaching and this dataset grants no licence to them. The annotations, "
            "metadata, schemas and documentation added by this dataset are released under CC BY 4.0; "
            "the builder's code under the MIT licence. IPTC Media Topics © International Press "
            "Telecommunications Council, CC BY 4.0 (http://cv.iptc.org/newscodes/mediatopic/)."
        ),
        "## Maintenance",
        (
            "Errors in texts or annotations can be reported as issues in the dataset's repository, "
            "naming the record `id` and field. Corrections are released as new versions (semantic "
            "versioning: patch for annotation fixes, minor for added articles, major for schema "
            "changes); split assignments never change for existing ids."
        ),
        "## Version history",
        changelog_entries().strip(),
        "## Citation",
        f"APA:\n\n> {dataset_apa(release_date())}",
        f"BibTeX:\n\n```bibtex\n{dataset_bibtex(release_date())}\n```",
        "Each record's `citation` field cites its source article.",
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _rights_section(root: Path) -> str:
    statements: set[tuple[str, str]] = set()
    for batch in batches(root, "default", ["outlet", "rights"]):
        pairs = pa.Table.from_batches([batch]).group_by(["outlet", "rights"]).aggregate([])
        for pair in pairs.to_pylist():
            statements.add(
                (pair["outlet"] or "unknown", pair["rights"] or "no rights statement recorded")
            )
    rows = [[markdown_text(outlet), markdown_text(rights)] for outlet, rights in sorted(statements)]
    return _table(["outlet", "rights statement"], rows)


def write_release_metadata(root: Path, report: Any) -> None:
    """Write report, rejects, figure, citation, card and manifest into a staged release.

    The manifest comes last: it lists the checksum of every other file.
    """
    report.write_json(root / "build_report.json")
    report_data = report.summary()  # without the per-article lists: memory stays flat
    with (root / "rejects.jsonl").open("w", encoding="utf-8") as handle:
        for reject in report.sorted_rejects():
            handle.write(json.dumps(reject, ensure_ascii=False, sort_keys=True) + "\n")
    stats = dataset_statistics(root)
    draw_timeline(root, stats.get("event_dates", {}).get("timeline", {}))
    (root / "CITATION.cff").write_text(citation_cff(release_date()), encoding="utf-8")
    (root / "README.md").write_text(render_card(root, report_data, stats), encoding="utf-8")
    croissant = croissant_metadata(root, report_data, stats, release_date())
    (root / "croissant.json").write_text(
        json.dumps(croissant, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    write_manifest(root, report.inputs)


def copy_card(release: Path, target: Path) -> None:
    """Copy the card (as DATASET_CARD.md), CITATION.cff and the figure into `target`."""
    shutil.copyfile(release / "README.md", target / "DATASET_CARD.md")
    shutil.copyfile(release / "CITATION.cff", target / "CITATION.cff")
    (target / TIMELINE).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(release / TIMELINE, target / TIMELINE)
