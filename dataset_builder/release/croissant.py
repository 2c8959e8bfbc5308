"""MLCommons Croissant 1.1 metadata (`croissant.json`) of a published folder.

The document lists every Parquet file with its checksum, describes one record set per
configuration with fields derived from `schema/` (through the Arrow schema of
`dataset_builder.validate.contract`), and carries the responsible-AI statements of the card in
machine-readable form. Every figure comes from the build report or from statistics
computed on the published files, and every path is relative to the folder, so two builds
of the same data give the same document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from dataset_builder.config import CONFIGS, DATASET_NAME, PRETTY_NAME, VERSION
from dataset_builder.ingest.files import file_sha256
from dataset_builder.release.citation import AUTHORS, dataset_bibtex
from dataset_builder.validate.contract import CONFIG_SCHEMAS, arrow_schema

JsonLd = dict[str, Any]

CROISSANT_SPEC = "http://mlcommons.org/croissant/1.1"
PARQUET_MEDIA_TYPE = "application/x-parquet"
ANNOTATIONS_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
IPTC_MEDIA_TOPICS = "http://cv.iptc.org/newscodes/mediatopic/"

# The standard Croissant 1.1 `@context`; validators warn about any key that differs.
CROISSANT_CONTEXT: JsonLd = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

RECORD_SET_DESCRIPTIONS = {
    "default": "News articles about Vietnam–Japan relations, one record per article.",
    "related": "Related-article teasers printed under the articles, one record per teaser.",
}


def _data_type(kind: pa.DataType) -> str:
    """Croissant data type of an Arrow scalar type."""
    if pa.types.is_string(kind):
        return "sc:Text"
    if pa.types.is_date32(kind):
        return "sc:Date"
    if pa.types.is_int32(kind):
        return "sc:Integer"
    if pa.types.is_float64(kind):
        return "sc:Float"
    if pa.types.is_boolean(kind):
        return "sc:Boolean"
    raise ValueError(f"no Croissant data type for Arrow type {kind}")


def _description(arrow_field: pa.Field) -> str | None:
    metadata = arrow_field.metadata or {}
    description = metadata.get(b"description")
    return description.decode("utf-8") if description is not None else None


def _field(
    arrow_field: pa.Field, field_id: str, file_set_id: str, column: str, json_path: str | None
) -> JsonLd:
    """A Croissant field for `arrow_field`, extracted from `column` of the Parquet files.

    Members of a list of structs are read with a JSONPath into each element of the column,
    which is how Croissant addresses nested values.
    """
    kind = arrow_field.type
    node: JsonLd = {"@type": "cr:Field", "@id": field_id, "name": arrow_field.name}
    description = _description(arrow_field)
    if description:
        node["description"] = description
    if pa.types.is_list(kind):
        node["isArray"] = True
        kind = kind.value_type
    if pa.types.is_struct(kind):
        node["subField"] = [
            _field(
                member,
                f"{field_id}/{member.name}",
                file_set_id,
                column,
                f"{json_path}[*].{member.name}" if json_path else member.name,
            )
            for member in kind
        ]
        return node
    node["dataType"] = _data_type(kind)
    source: JsonLd = {"fileSet": {"@id": file_set_id}, "extract": {"column": column}}
    if json_path:
        source["transform"] = {"jsonPath": json_path}
    node["source"] = source
    return node


def _file_set_id(config: str) -> str:
    return f"parquet-files-{config}"


def record_set(config: str) -> JsonLd:
    """Record set of a configuration: one field per column of its Parquet files."""
    file_set_id = _file_set_id(config)
    fields = [
        _field(column, f"{config}/{column.name}", file_set_id, column.name, None)
        for column in arrow_schema(config)
    ]
    return {
        "@type": "cr:RecordSet",
        "@id": config,
        "name": config,
        "description": (
            f"{RECORD_SET_DESCRIPTIONS[config]} Fields follow `schema/{CONFIG_SCHEMAS[config]}`."
        ),
        "key": {"@id": f"{config}/id"},
        "field": fields,
    }


def distribution(root: Path) -> list[JsonLd]:
    """Every Parquet file with its checksum, and one file set per configuration.

    The file sets are what the record sets read from: a configuration can span several
    shards per split, and a file set names them all with one pattern.
    """
    files: list[JsonLd] = []
    for path in sorted((root / "data").rglob("*.parquet")):
        relative = path.relative_to(root).as_posix()
        files.append(
            {
                "@type": "cr:FileObject",
                "@id": relative,
                "name": relative,
                "contentUrl": relative,
                "encodingFormat": PARQUET_MEDIA_TYPE,
                "contentSize": f"{path.stat().st_size} B",
                "sha256": file_sha256(path),
            }
        )
    file_sets: list[JsonLd] = [
        {
            "@type": "cr:FileSet",
            "@id": _file_set_id(config),
            "name": _file_set_id(config),
            "description": f"Parquet shards of configuration `{config}`, all splits.",
            "encodingFormat": PARQUET_MEDIA_TYPE,
            "includes": f"data/{config}/*.parquet",
        }
        for config in CONFIGS
    ]
    return files + file_sets


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} ({count})" for name, count in counts.items())


def _description_text(stats: dict[str, Any]) -> str:
    languages = [code for code in stats.get("languages", {}) if code != "und"]
    return (
        f"{PRETTY_NAME} is a small multilingual collection of news articles about the relations "
        "between Vietnam and Japan, for research and teaching on how the relationship is "
        f"covered across languages. This version holds {stats['articles']} articles in "
        f"{len(languages)} language(s) from {len(stats.get('outlets', {}))} outlet(s), and "
        f"{stats['related']} related-article teasers printed under them (record set "
        "`related`). Every article is parsed from its source page into title, lead, body and "
        "captions, and annotated with its language and script, IPTC Media Topics with the "
        "evidence for each, and the event dates it mentions normalised to TIMEX3 values and "
        "calendar intervals."
    )


def _licenses() -> list[JsonLd]:
    return [
        {
            "@type": "sc:CreativeWork",
            "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
            "description": (
                "Licence of what this dataset adds: annotations, metadata, schemas and "
                "documentation."
            ),
            "url": ANNOTATIONS_LICENSE,
        },
        {
            "@type": "sc:CreativeWork",
            "name": "Rights of the publishers",
            "description": (
                "The article texts belong to their publishers; each record's `rights` field "
                "gives the publisher's statement. They are included for research and teaching "
                "and this dataset grants no licence to them."
            ),
        },
        {
            "@type": "sc:CreativeWork",
            "name": "IPTC Media Topics, CC BY 4.0",
            "description": (
                "Topic codes and labels © International Press Telecommunications Council, "
                "CC BY 4.0."
            ),
            "url": IPTC_MEDIA_TOPICS,
        },
    ]


def _responsible_ai(report: dict[str, Any], stats: dict[str, Any]) -> JsonLd:
    totals = report["totals"]
    outlets = stats.get("outlets", {})
    date_sources = stats.get("date_sources", {})
    annotators = report.get("annotators", {})
    return {
        "rai:dataCollection": (
            "News pages about Vietnam–Japan relations saved as text from the publishers' "
            f"websites, with a sidecar per page for facts it does not print. Outlets (articles): "
            f"{_counted(outlets)}. The sources are Vietnamese state media (the Vietnam News "
            "Agency's Chinese service) and the Vietnamese government promotion portal "
            "Vietnam.vn, whose Swedish text is a machine translation of a Vietnamese Báo Tin "
            f"Tức article. This build was offered {totals['articles_offered']} article(s): "
            f"{totals['published']} published, {totals['rejected']} rejected, "
            f"{totals['duplicates']} duplicate(s); {totals['related_published']} related-article "
            "teasers were kept from the lists printed under the articles."
        ),
        "rai:dataCollectionType": ["Manual Human Curator"],
        "rai:dataPreprocessingProtocol": [
            "Each page is parsed into title, lead, body and captions; page chrome, datelines, "
            "signatures and repeated excerpts are removed; the related-articles list becomes "
            "the `related` record set. Text is Unicode NFC without control characters. Every "
            "record is validated against the JSON Schemas in `schema/`; exact duplicates "
            "(equal `content_sha256`) are published once."
        ],
        "rai:dataAnnotationProtocol": [
            "All annotations are automatic. Language and script: lingua-language-detector over "
            "the configured languages, `und` below confidence 0.5; Chinese script by counting "
            "characters unique to Simplified or Traditional Han. Topics: IPTC Media Topics "
            "(levels 1 and 2) from per-language lexicons, each with the matched terms and "
            "offsets as evidence. Event dates: a rule-based multilingual tagger normalising "
            "each expression to a TIMEX3 value and a calendar interval, relative expressions "
            "resolved against the publication date or an inferred document date. Accuracy is "
            "measured on a small hand-checked gold set and reported in the dataset card."
        ],
        "rai:dataAnnotationPlatform": [
            "Automatic annotators of the dataset builder, run at build time, no human in the loop."
        ],
        "rai:machineAnnotationTools": [
            f"{name} annotator, version {version}" for name, version in sorted(annotators.items())
        ],
        "rai:annotationsPerItem": (
            "One automatic pass per record: one language and script, zero or more topics with "
            "evidence, and zero or more event dates."
        ),
        "rai:dataBiases": [
            "State media: the sources are Vietnamese state media and a Vietnamese government "
            "promotion portal; they present official positions, and critical or Japanese-side "
            "coverage is absent.",
            "Machine translation: the Swedish text is a machine translation published by "
            "Vietnam.vn, not representative of Swedish news writing.",
            f"Languages (articles): {_counted(stats.get('languages', {}))}.",
        ],
        "rai:dataLimitations": [
            f"Small size: {stats['articles']} articles are enough for teaching and for testing "
            "tools, not for training models or for statistical claims about coverage.",
            "Automatic annotations: topics and event dates are machine-made and their accuracy "
            "was measured on a small gold set drawn from the same few pages, so accuracy on "
            "new text may be lower.",
            "Inferred dates: where a page prints no date, `published_date` is inferred from the "
            "text and may be wrong by the gap between the events reported and publication "
            f"(publication date sources: {_counted(date_sources)}).",
        ],
        "rai:personalSensitiveInformation": [
            "The texts name public figures (heads of government, ministers, ambassadors) in "
            "their public roles. No private individuals' data was collected."
        ],
        "rai:dataUseCases": [
            "Intended: teaching and research on news coverage of Vietnam–Japan relations; "
            "comparing coverage across languages; exercises in topic classification, temporal "
            "tagging and timeline building; testing multilingual text-processing tools.",
            "Out of scope: claims about public opinion or media in general; training "
            "production models; republishing the article texts, which belong to their "
            "publishers.",
        ],
        "rai:dataReleaseMaintenancePlan": (
            "Errors are reported as issues naming the record `id` and field; corrections are "
            "released as new semantic versions, and split assignments never change for "
            "existing ids."
        ),
    }


def croissant_metadata(
    root: Path,
    report: dict[str, Any],
    stats: dict[str, Any],
    released: str,
) -> JsonLd:
    """The Croissant 1.1 JSON-LD document of the published folder `root`.

    `released` is the release date (ISO 8601) the card states.
    """
    languages = [code for code in stats.get("languages", {}) if code != "und"]
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT_SPEC,
        "name": DATASET_NAME,
        "alternateName": PRETTY_NAME,
        "description": _description_text(stats),
        "version": VERSION,
        "datePublished": released,
        "license": _licenses(),
        "citeAs": dataset_bibtex(released),
        "creator": {"@type": "sc:Organization", "name": AUTHORS},
        "keywords": [
            "news",
            "Vietnam",
            "Japan",
            "international relations",
            "multilingual",
            "IPTC Media Topics",
            "TIMEX3",
            "temporal expressions",
        ],
        "inLanguage": languages,
        **_responsible_ai(report, stats),
        "distribution": distribution(root),
        "recordSet": [record_set(config) for config in CONFIGS],
    }
