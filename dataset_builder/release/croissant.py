"""MLCommons Croissant 1.1 metadata (`croissant.json`) of a published folder.

The document lists every Parquet file with its checksum, describes one record set per
configuration with fields derived from `schema/` (through the Arrow schema of
`dataset_builder.validate.contract`), and carries the responsible-AI statements of the card in
machine-readable form: the same statements (`statements.yaml`, through `statements.py`)
in the same words, without Markdown emphasis. Every figure comes from the build report or
from statistics computed on the published files, and every path is relative to the folder,
so two builds of the same data give the same document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from dataset_builder.config import CONFIGS, SPLITS
from dataset_builder.identity import Author, Identity
from dataset_builder.ingest.files import file_sha256
from dataset_builder.release.citation import dataset_bibtex, dataset_identity
from dataset_builder.release.statements import (
    PLAIN,
    annotation_method,
    biases,
    build_totals,
    counted,
    keywords,
    licences,
    limitations,
    lookup,
    say,
    speaking_for,
    summary,
    uses,
)
from dataset_builder.validate.contract import CONFIG_SCHEMAS, arrow_schema

JsonLd = dict[str, Any]

CROISSANT_SPEC = "http://mlcommons.org/croissant/1.1"
PARQUET_MEDIA_TYPE = "application/x-parquet"

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


# The record set of the splits, and the meaning of each split in Croissant's vocabulary.
SPLITS_RECORD_SET = "splits"
SPLIT_COLUMN = "split"
SPLIT_TYPES = {
    "train": "http://mlcommons.org/croissant/TrainingSplit",
    "validation": "http://mlcommons.org/croissant/ValidationSplit",
    "test": "http://mlcommons.org/croissant/TestSplit",
}


def splits_record_set() -> JsonLd:
    """The splits as a `cr:Split` record set: its name and its meaning, one record each."""
    name, meaning = f"{SPLITS_RECORD_SET}/name", f"{SPLITS_RECORD_SET}/url"
    return {
        "@type": "cr:RecordSet",
        "@id": SPLITS_RECORD_SET,
        "name": SPLITS_RECORD_SET,
        "description": say("splits_record_set", PLAIN),
        "dataType": "cr:Split",
        "key": {"@id": name},
        "field": [
            {"@type": "cr:Field", "@id": name, "name": "name", "dataType": "sc:Text"},
            # The meaning as the address of Croissant's term: mlcroissant accepts no
            # `cr:Split` data type on a field.
            {"@type": "cr:Field", "@id": meaning, "name": "url", "dataType": "sc:URL"},
        ],
        "data": [{name: split, meaning: SPLIT_TYPES[split]} for split in SPLITS],
    }


def record_set(config: str) -> JsonLd:
    """Record set of a configuration: one field per column of its Parquet files; the split
    column refers to the splits record set, so a reader can select records by split."""
    file_set_id = _file_set_id(config)
    fields = [
        _field(column, f"{config}/{column.name}", file_set_id, column.name, None)
        for column in arrow_schema(config)
    ]
    for field in fields:
        if field["name"] == SPLIT_COLUMN:
            # The split as its file name says it (`<split>-NNNNN-of-NNNNN.parquet`, equal to
            # the column by construction): a reader selecting one split then reads only
            # that split's files, which is how mlcroissant filters records.
            field["source"] = {
                "fileSet": {"@id": file_set_id},
                "extract": {"fileProperty": "filename"},
                "transform": {"regex": f"^({'|'.join(SPLITS)})-.*\\.parquet$"},
            }
            field["references"] = {"field": {"@id": f"{SPLITS_RECORD_SET}/name"}}
    return {
        "@type": "cr:RecordSet",
        "@id": config,
        "name": config,
        "description": (
            f"{say(f'configurations.{config}', PLAIN)} "
            f"{say('fields', PLAIN, schema=CONFIG_SCHEMAS[config])}"
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
            "description": say("file_set", PLAIN, config=config),
            "encodingFormat": PARQUET_MEDIA_TYPE,
            "includes": f"data/{config}/*.parquet",
        }
        for config in CONFIGS
    ]
    return files + file_sets


def _licenses() -> list[JsonLd]:
    return [
        {
            "@type": "sc:CreativeWork",
            "name": licence["name"],
            "description": PLAIN.text(licence["text"]),
            **({"url": licence["url"]} if "url" in licence else {}),
        }
        for licence in licences()
    ]


def _responsible_ai(report: dict[str, Any], stats: dict[str, Any]) -> JsonLd:
    annotators = report.get("annotators", {})
    collection = [
        say("collection", PLAIN),
        say("outlet_counts", PLAIN, outlets=counted(stats.get("outlets", {}), PLAIN)),
        build_totals(report["totals"], PLAIN),
    ]
    language_counts = say(
        "language_counts", PLAIN, languages=counted(stats.get("languages", {}), PLAIN)
    )
    return {
        "rai:dataCollection": " ".join(collection),
        "rai:dataCollectionType": lookup("collection_type"),
        "rai:dataPreprocessingProtocol": [say("preprocessing", PLAIN, subset="record set")],
        "rai:dataAnnotationProtocol": [
            annotation_method(annotation, PLAIN)
            for annotation in ("language", "topics", "event_dates")
        ],
        "rai:dataAnnotationPlatform": [say("annotation.platform", PLAIN)],
        "rai:machineAnnotationTools": [
            f"{name} annotator, version {version}" for name, version in sorted(annotators.items())
        ],
        "rai:annotationsPerItem": say("annotation.per_item", PLAIN),
        "rai:dataBiases": [s.plain() for s in biases(stats, PLAIN)] + [language_counts],
        "rai:dataLimitations": [s.plain() for s in limitations(stats, PLAIN)],
        "rai:personalSensitiveInformation": [say("personal_information", PLAIN)],
        "rai:dataUseCases": uses(PLAIN),
        "rai:dataReleaseMaintenancePlan": say("maintenance", PLAIN),
    }


def _creator(author: Author) -> JsonLd:
    node: JsonLd = {
        "@type": "sc:Organization" if author.organization else "sc:Person",
        "name": author.name,
    }
    if author.affiliation and not author.organization:
        node["affiliation"] = {"@type": "sc:Organization", "name": author.affiliation}
    if author.orcid:
        node["sameAs"] = author.orcid
    if author.email:
        node["email"] = author.email
    return node


def _identity(dataset: Identity, released: str | None) -> JsonLd:
    """What the document says the dataset is: name, version, date, authors, addresses."""
    creators = [_creator(author) for author in dataset.authors]
    return {
        "name": dataset.name,
        "alternateName": dataset.pretty_name,
        **({"url": dataset.url} if dataset.url else {}),
        **({"sameAs": dataset.repository} if dataset.repository else {}),
        "version": dataset.version,
        **({"datePublished": released} if released else {}),
        # One creator as an object, as Croissant's examples give it; several as a list.
        **({"creator": creators[0] if len(creators) == 1 else creators} if creators else {}),
    }


def croissant_metadata(
    root: Path,
    report: dict[str, Any],
    stats: dict[str, Any],
    released: str | None = None,
    identity: Identity | None = None,
) -> JsonLd:
    """The Croissant 1.1 JSON-LD document of the published folder `root`.

    `identity` is the dataset's (`citation.dataset_identity` if not given); `released`,
    the release date (ISO 8601) the card states, is its identity's if not given.
    """
    dataset = dataset_identity(identity)
    released = released if released is not None else dataset.released
    languages = [code for code in stats.get("languages", {}) if code != "und"]
    with speaking_for(dataset):
        identified = _identity(dataset, released)
        creator = identified.pop("creator", None)
        return {
            "@context": CROISSANT_CONTEXT,
            "@type": "sc:Dataset",
            "conformsTo": CROISSANT_SPEC,
            "name": identified.pop("name"),
            "alternateName": identified.pop("alternateName"),
            "description": summary(stats, PLAIN, subset="record set"),
            **identified,
            "license": _licenses(),
            "citeAs": dataset_bibtex(released, dataset),
            **({"creator": creator} if creator is not None else {}),
            "keywords": keywords(),
            "inLanguage": languages,
            **_responsible_ai(report, stats),
            "distribution": distribution(root),
            "recordSet": [splits_record_set(), *(record_set(config) for config in CONFIGS)],
        }
