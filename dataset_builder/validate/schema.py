"""Validate a record against a schema of `schema/`, one reject per violation."""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError

from dataset_builder.ingest.records import Reject
from dataset_builder.validate.contract import is_valid, validator


def schema_rejects(
    instance: Any, schema: str, file: str, line: int | None = None, record_id: str | None = None
) -> list[Reject]:
    """One reject per schema violation, naming the JSON path and the failing keyword."""
    if is_valid(schema, instance):
        return []
    errors = sorted(validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
    # One article, one rejected count: further errors are reported but not counted.
    return [
        Reject(
            file,
            str(error.validator),
            error.message,
            field=_field_of(error),
            line=line,
            id=record_id,
            counts=n == 0,
        )
        for n, error in enumerate(errors)
    ]


def _field_of(error: ValidationError) -> str:
    """The JSON path of the field an error is about.

    jsonschema reports a missing property at the object that lacks it ("$"), one error
    per property, quoting its name; the path then names the property ("$.title").
    """
    if error.validator == "required":
        for name in error.validator_value:  # type: ignore[union-attr]
            if error.message.startswith(repr(name)):
                return f"{error.json_path}.{name}"
    return error.json_path
