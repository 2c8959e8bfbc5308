"""The course notebooks (notebooks/): committed clean, and each one runs on a fresh build.

The checks of the committed files run in every test session. Executing the notebooks needs
Jupyter (the `notebooks` extra) and is marked `notebooks`: `nox -s notebooks` runs it. The
notebooks run in a temporary copy of the parts of the repository they read (seeds/,
schema/, splits/, CITATION.cff), with release/ built there from the seeds, so they find
`release/` as they do in a checkout and nothing of the checkout is touched.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT, build_copy

NOTEBOOKS = ROOT / "notebooks"
NAMES = ("tutorial", "exercises", "solutions")
EXERCISE_HEADING = re.compile(r"^## Exercise (\d+): .+ \((\d+) points\)$", re.MULTILINE)
# Printed by a cell the test appends to an executed notebook: what the notebook computed.
MARKER = "NOTEBOOK-VALUES:"
CELL_TIMEOUT = 300


def _load(name: str) -> dict[str, Any]:
    notebook: dict[str, Any] = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return notebook


def _source(cell: dict[str, Any]) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _exercises(name: str) -> list[tuple[int, int, str]]:
    """(number, points, code of the cell after the heading) of every exercise."""
    cells = _load(name)["cells"]
    found = []
    for index, cell in enumerate(cells):
        match = EXERCISE_HEADING.search(_source(cell)) if cell["cell_type"] == "markdown" else None
        if match:
            answer_cell = cells[index + 1]
            assert answer_cell["cell_type"] == "code", (
                f"{name}: exercise {match[1]} has no code cell"
            )
            found.append((int(match[1]), int(match[2]), _source(answer_cell)))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_no_outputs(name: str) -> None:
    code_cells = [c for c in _load(name)["cells"] if c["cell_type"] == "code"]
    assert code_cells
    for number, cell in enumerate(code_cells):
        assert cell["outputs"] == [], f"{name}.ipynb code cell {number} has outputs"
        assert cell["execution_count"] is None, f"{name}.ipynb code cell {number} was executed"


def test_exercises_have_points_and_answer_placeholders() -> None:
    exercises = _exercises("exercises")
    solutions = _exercises("solutions")
    numbers = [number for number, _, _ in exercises]
    assert len(numbers) >= 6
    assert numbers == list(range(1, len(numbers) + 1))
    assert sum(points for _, points, _ in exercises) == 100
    # The solutions solve the same exercises, for the same points.
    assert [(n, p) for n, p, _ in solutions] == [(n, p) for n, p, _ in exercises]
    for number, _, code in exercises:
        assert re.search(rf"^answer_{number} = None$", code, re.MULTILINE), number
    for number, _, code in solutions:
        assert re.search(rf"^answer_{number} = (?!None$)", code, re.MULTILINE), number


# --- executing the notebooks (nox -s notebooks) -------------------------------------------


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out as the repository with a fresh release/ built from the seeds."""
    root = tmp_path_factory.mktemp("notebook-checkout")
    for folder in ("seeds", "schema", "notebooks"):
        shutil.copytree(ROOT / folder, root / folder, symlinks=True)
    shutil.copy2(ROOT / "CITATION.cff", root / "CITATION.cff")
    build_copy(root, input_dir=root / "seeds")
    return root


def _execute(checkout: Path, name: str, names: list[str]) -> dict[str, Any]:
    """Run the notebook in `checkout`/notebooks and return the values of `names` it ends with."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(checkout / "notebooks" / f"{name}.ipynb", as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import json as _json\n"
            f"print({MARKER!r} + _json.dumps({{_name: globals().get(_name) for _name in {names!r}}}, default=str))"
        )
    )
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(checkout / "notebooks")}},
    )
    client.execute()
    printed = "".join(
        output.get("text", "")
        for output in notebook.cells[-1].outputs
        if output.get("output_type") == "stream"
    )
    values: dict[str, Any] = json.loads(printed.split(MARKER, 1)[1])
    return values


def _records(release: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted((release / "data" / "default").glob("*.parquet")):
        rows += pq.read_table(path).to_pylist()
    return rows


def _as_json(value: object) -> Any:
    return json.loads(json.dumps(value, default=str))


def _expected_answers(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The answers of exercises 1-5 and 8, computed here from the Parquet rows."""
    per_language_split: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        per_language_split[r["language"]][r["split"]] += 1

    level1: dict[str, set[str]] = defaultdict(set)
    for r in records:
        for topic in r["topics"]:
            if topic["level"] == 1:
                level1[topic["label"]].add(r["id"])

    coarse = {"decade", "century"}
    by_year: dict[int, set[str]] = defaultdict(set)
    for r in records:
        for mention in r["event_dates"]:
            if mention["start_date"] is not None and mention["granularity"] not in coarse:
                by_year[mention["start_date"].year].add(r["id"])

    languages = Counter(r["language"] for r in records)
    first, second = sorted(languages, key=lambda lang: (-languages[lang], lang))[:2]
    labels = {
        lang: {t["label"] for r in records if r["language"] == lang for t in r["topics"]}
        for lang in (first, second)
    }

    checked, mismatches = 0, []
    for r in records:
        for position, mention in enumerate(r["event_dates"]):
            checked += 1
            field = mention["field"]
            text = r["captions"][mention["field_index"]] if field == "caption" else r[field] or ""
            if text[mention["span_start"] : mention["span_end"]] != mention["text"]:
                mismatches.append([r["id"], position])

    granularities = Counter(m["granularity"] for r in records for m in r["event_dates"])
    answers: dict[str, Any] = _as_json(
        {
            "answer_1": {lang: dict(splits) for lang, splits in per_language_split.items()},
            "answer_2": {label: len(ids) for label, ids in level1.items()},
            "answer_3": {year: len(ids) for year, ids in by_year.items()},
            "answer_4": {
                f"only_{first}": sorted(labels[first] - labels[second]),
                f"only_{second}": sorted(labels[second] - labels[first]),
            },
            "answer_5": {"checked": checked, "mismatches": mismatches},
            "answer_8": dict(granularities),
        }
    )
    return answers


def _tagger_scores(paragraph: str, gold: list[list[str]], language: str, reference: str) -> Any:
    from dataset_builder.annotators.dates import tag_dates

    gold_keys = set()
    for expression, start, end in gold:
        offset = paragraph.index(expression)
        gold_keys.add((offset, offset + len(expression), start, end))
    predicted = tag_dates(paragraph, language, dt.date.fromisoformat(reference))
    predicted_keys = {
        (m["span_start"], m["span_end"], m["start_date"], m["end_date"]) for m in predicted
    }
    correct = len(gold_keys & predicted_keys)
    return {
        "gold": len(gold_keys),
        "predicted": len(predicted_keys),
        "correct": correct,
        "precision": pytest.approx(correct / len(predicted_keys)),
        "recall": pytest.approx(correct / len(gold_keys)),
    }


@pytest.mark.notebooks
def test_tutorial_runs_and_leaves_the_checkout_alone(checkout: Path) -> None:
    splits_before = (checkout / "splits" / "assignments.tsv").read_bytes()
    seeds_before = sorted(p.name for p in (checkout / "seeds").iterdir())
    values = _execute(checkout, "tutorial", ["pairs", "workspace"])
    assert values["pairs"] is not None
    # The article added in the tutorial was built in a temporary folder, removed at the end.
    assert not Path(values["workspace"]).exists()
    assert (checkout / "splits" / "assignments.tsv").read_bytes() == splits_before
    assert sorted(p.name for p in (checkout / "seeds").iterdir()) == seeds_before


@pytest.mark.notebooks
def test_exercises_run_with_their_placeholders(checkout: Path) -> None:
    numbers = [number for number, _, _ in _exercises("exercises")]
    values = _execute(checkout, "exercises", [f"answer_{n}" for n in numbers])
    assert values == {f"answer_{n}": None for n in numbers}


@pytest.mark.notebooks
def test_solutions_give_the_answers_computed_from_the_data(checkout: Path) -> None:
    numbers = [number for number, _, _ in _exercises("solutions")]
    names = [f"answer_{n}" for n in numbers]
    values = _execute(
        checkout,
        "solutions",
        [*names, "paragraph", "gold", "language", "reference_date", "my_release"],
    )
    expected = _expected_answers(_records(checkout / "release"))
    for name, value in expected.items():
        assert values[name] == value, name

    # Exercise 6: the tagger scored on the solution's own paragraph and gold.
    assert values["answer_6"] == _tagger_scores(
        values["paragraph"], values["gold"], values["language"], values["reference_date"]
    )
    assert values["answer_6"]["gold"] >= 3

    # Exercise 7: a corpus of the student's own, built into a temporary folder.
    my_release = Path(values["my_release"])
    try:
        own = _records(my_release)
        assert len(own) >= 2
        assert values["answer_7"] == {r["id"]: len(r["event_dates"]) for r in own}
        assert not my_release.is_relative_to(checkout)
    finally:
        shutil.rmtree(my_release.parent, ignore_errors=True)
    assert set(values) == {*names, "paragraph", "gold", "language", "reference_date", "my_release"}
