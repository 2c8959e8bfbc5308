"""The stages import in one direction: earlier stages never import later ones."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dataset_builder"

# Stage -> stages it must never import (at module level or inside a function).
FORBIDDEN = {
    "ingest": ("build", "publish", "release", "evaluation"),
    "annotators": ("build", "publish", "release", "evaluation", "ingest.read"),
    "validate": ("build", "publish", "release", "evaluation"),
    # Showing a record reads the published release, as any user of it would.
    "present": ("build", "publish", "evaluation", "ingest"),
}


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_stage_never_imports_a_later_stage(stage: str) -> None:
    files = sorted((PACKAGE / stage).rglob("*.py"))
    assert files, f"no modules in {stage}/"
    offences = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in files
        for module in sorted(imported_modules(path))
        for later in FORBIDDEN[stage]
        if module == f"dataset_builder.{later}" or module.startswith(f"dataset_builder.{later}.")
    ]
    assert offences == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f() -> None:\n    from dataset_builder.build import orchestrator\n", encoding="utf-8"
    )
    assert "dataset_builder.build.orchestrator" in imported_modules(module)
