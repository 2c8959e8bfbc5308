"""The schemas in `schema/` are the contract of the published data.

Everything else that describes a record -- the validator, the Arrow schema of the
Parquet files, the Hugging Face features and the card's field table -- is derived
here from those JSON Schema files, so a field is described once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import jsonschema_rs
import pyarrow as pa
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from dataset_builder.config import SCHEMA_DIR

JSONSchema = dict[str, Any]

# Which JSON Schema describes the records of each published configuration.
CONFIG_SCHEMAS = {"default": "article.schema.json", "related": "related.schema.json"}


@cache
def load_schema(name: str) -> JSONSchema:
    with (SCHEMA_DIR / name).open(encoding="utf-8") as handle:
        schema: JSONSchema = json.load(handle)
    return schema


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        schema = load_schema(path.name)
        resource = Resource.from_contents(schema)
        resources.append((path.name, resource))
        resources.append((schema["$id"], resource))
    return Registry().with_resources(resources)


def _inline(node: Any, base: str, pattern: Callable[[str], str]) -> Any:
    """`node` with every `$ref` replaced by the schema it points to (ours have no cycles).

    Each `pattern` keyword is rewritten by `pattern`, for the regex engine of the validator.
    """
    if isinstance(node, list):
        return [_inline(item, base, pattern) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        target = base + ref if ref.startswith("#") else ref
        resolved = _registry().resolver(base_uri=base).lookup(target).contents
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        merged = {**_inline(resolved, target.split("#", 1)[0] or base, pattern), **siblings}
        return {k: _inline(v, base, pattern) for k, v in merged.items()} if siblings else merged
    return {
        k: pattern(v) if k == "pattern" else _inline(v, base, pattern)
        for k, v in node.items()
        if k not in ("$id", "$defs")
    }


def _python_pattern(pattern: str) -> str:
    # In JSON Schema (ECMA-262) `$` matches only at the very end; in Python's `re`, which
    # jsonschema uses, it also matches before a final newline ("abc\n" would pass).
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[:-1] + "\\Z"
    return pattern


def _ecma_pattern(pattern: str) -> str:
    return pattern  # jsonschema-rs reads patterns as ECMA-262 regular expressions


@cache
def _fast_validator(name: str) -> jsonschema_rs.Draft202012Validator:
    inlined = _inline(load_schema(name), name, _ecma_pattern)
    return jsonschema_rs.Draft202012Validator(inlined, validate_formats=True)


def load_validators() -> None:
    """Compile the fast checks of the published records now rather than at first use."""
    for name in CONFIG_SCHEMAS.values():
        _fast_validator(name)


def is_valid(name: str, instance: Any) -> bool:
    """Fast check of `instance` against schema `name`.

    jsonschema walks the schema in Python for every value (5-10 ms for an annotated
    article); jsonschema-rs, compiled from the same schema, checks one in about 0.03 ms.
    When this says no, `validator(name)` -- jsonschema, the reference -- decides and
    names the path and rule of each error.
    """
    return bool(_fast_validator(name).is_valid(instance))


@cache
def validator(name: str) -> Draft202012Validator:
    """Validator of a schema with its references inlined.

    Resolving `$ref` on every instance costs more than the rest of the validation; an
    inlined copy validates the same rules several times faster.
    """
    inlined = _inline(load_schema(name), name, _python_pattern)
    return Draft202012Validator(inlined, format_checker=FormatChecker())


def _resolve(node: JSONSchema, base: str) -> tuple[JSONSchema, str]:
    """Follow `$ref` until a node with its own `type`; keep local annotations."""
    description = node.get("description")
    while "$ref" in node and "type" not in node:
        ref = node["$ref"]
        if ref.startswith("#"):
            ref = base + ref
        resolved = _registry().resolver(base_uri=base).lookup(ref)
        base = ref.split("#", 1)[0] or base
        node = resolved.contents
        description = description or node.get("description")
    if description and node.get("description") != description:
        node = {**node, "description": description}
    return node, base


def _types(node: JSONSchema) -> tuple[str, bool]:
    declared = node.get("type")
    names = declared if isinstance(declared, list) else [declared]
    nullable = "null" in names
    concrete = [name for name in names if name != "null"]
    if len(concrete) != 1:
        raise ValueError(f"schema node needs exactly one non-null type: {node}")
    return str(concrete[0]), nullable


def _arrow_type(node: JSONSchema, base: str) -> pa.DataType:
    node, base = _resolve(node, base)
    kind, _ = _types(node)
    if kind == "string":
        return pa.date32() if node.get("format") == "date" else pa.string()
    if kind == "integer":
        return pa.int32()
    if kind == "number":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    if kind == "array":
        return pa.list_(_arrow_type(node["items"], base))
    if kind == "object":
        return pa.struct(list(_arrow_fields(node, base)))
    raise ValueError(f"no Arrow type for JSON Schema type {kind!r}")


def _arrow_fields(node: JSONSchema, base: str) -> Iterator[pa.Field]:
    for name, child in node["properties"].items():
        # Arrow columns stay nullable; the JSON Schema is what enforces required values.
        resolved, _ = _resolve(child, base)
        metadata = {"description": resolved["description"]} if "description" in resolved else None
        yield pa.field(name, _arrow_type(child, base), nullable=True, metadata=metadata)


@cache
def arrow_schema(config: str) -> pa.Schema:
    name = CONFIG_SCHEMAS[config]
    schema = load_schema(name)
    return pa.schema(list(_arrow_fields(schema, name)))


# Hugging Face `Value` dtypes of the Arrow types our schemas map to.
_HF_DTYPES = {
    pa.string(): "string",
    pa.int32(): "int32",
    pa.float64(): "float64",
    pa.bool_(): "bool",
    pa.date32(): "date32",
}


def _hf_feature(kind: pa.DataType) -> dict[str, Any]:
    if pa.types.is_struct(kind):
        return {field.name: _hf_feature(field.type) for field in kind}
    if pa.types.is_list(kind):
        return {"feature": _hf_feature(kind.value_type), "_type": "List"}
    return {"dtype": _HF_DTYPES[kind], "_type": "Value"}


def hf_features_dict(config: str) -> dict[str, Any]:
    """Hugging Face features of a configuration, as `datasets.Features.to_dict()` gives them.

    Written out rather than built with `datasets`, whose import costs a second at every
    build; a test checks the result against `datasets.Features.from_arrow_schema`.
    """
    return {field.name: _hf_feature(field.type) for field in arrow_schema(config)}


def _hf_yaml_feature(name: str, kind: pa.DataType) -> dict[str, Any]:
    if pa.types.is_list(kind):
        item = kind.value_type
        if pa.types.is_struct(item):
            return {"name": name, "list": [_hf_yaml_feature(f.name, f.type) for f in item]}
        if pa.types.is_list(item):
            return {"name": name, "list": _hf_yaml_feature("", item)["list"]}
        return {"name": name, "list": _HF_DTYPES[item]}
    if pa.types.is_struct(kind):
        return {"name": name, "struct": [_hf_yaml_feature(f.name, f.type) for f in kind]}
    return {"name": name, "dtype": _HF_DTYPES[kind]}


def hf_yaml_features(config: str) -> list[dict[str, Any]]:
    """The features as a dataset card's `dataset_info` lists them (`DatasetInfo._to_yaml_dict`)."""
    return [_hf_yaml_feature(field.name, field.type) for field in arrow_schema(config)]


def _type_label(node: JSONSchema, base: str) -> str:
    node, base = _resolve(node, base)
    kind, nullable = _types(node)
    if kind == "array":
        label = f"list of {_type_label(node['items'], base)}"
    elif kind == "object":
        label = "struct"
    elif kind == "string" and node.get("format") == "date":
        label = "date32"
    else:
        label = {"integer": "int32", "number": "float64", "boolean": "bool"}.get(kind, kind)
    values = [value for value in node.get("enum", []) if value is not None]
    if values and len(values) <= 10:
        label += " (" + " \\| ".join(f"`{value}`" for value in values) + ")"
    return label + (", nullable" if nullable else "")


def field_table(config: str) -> list[tuple[str, str, str]]:
    """(field, type, description) rows for the card, struct members as `parent.child`."""
    name = CONFIG_SCHEMAS[config]
    rows: list[tuple[str, str, str]] = []

    def walk(node: JSONSchema, base: str, prefix: str) -> None:
        for field, child in node["properties"].items():
            resolved, child_base = _resolve(child, base)
            rows.append((prefix + field, _type_label(child, base), resolved.get("description", "")))
            kind, _ = _types(resolved)
            if kind == "array":
                items, items_base = _resolve(resolved["items"], child_base)
                if _types(items)[0] == "object":
                    walk(items, items_base, f"{prefix}{field}[].")
            elif kind == "object":
                walk(resolved, child_base, f"{prefix}{field}.")

    walk(load_schema(name), name, "")
    return rows
