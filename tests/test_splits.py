from __future__ import annotations

from pathlib import Path

import pytest

from dataset_builder.splits import (
    SplitAssigner,
    SplitError,
    load_assignments,
    read_assignments,
    save_assignments,
    split_for,
)


def test_rule_is_deterministic_and_roughly_80_10_10() -> None:
    ids = [f"article-{n}" for n in range(5000)]
    splits = [split_for(i) for i in ids]
    assert splits == [split_for(i) for i in ids]
    shares = {s: splits.count(s) / len(ids) for s in ("train", "validation", "test")}
    assert 0.77 < shares["train"] < 0.83
    assert 0.08 < shares["validation"] < 0.12
    assert 0.08 < shares["test"] < 0.12


def test_listed_id_never_moves(tmp_path: Path) -> None:
    rule = split_for("x")
    other = next(s for s in ("train", "validation", "test") if s != rule)
    save_assignments(tmp_path, [("x", other)])
    assigner = SplitAssigner(read_assignments(tmp_path))
    assert assigner.split_of("x") == other
    assert assigner.assign("x") == (other, False)
    assert list(assigner.assignments(prune=True)) == [("x", other)]


def test_new_ids_are_recorded_and_missing_ids_reported(tmp_path: Path) -> None:
    save_assignments(tmp_path, [("gone", "train"), ("kept", "test")])
    assigner = SplitAssigner(read_assignments(tmp_path))
    assert assigner.assign("new") == (split_for("new"), True)
    assert assigner.assign("new") == (split_for("new"), False)
    assigner.mark_seen("kept")
    assert assigner.missing() == ["gone"]
    assert list(assigner.assignments(prune=True)) == [("kept", "test"), ("new", split_for("new"))]
    assert list(assigner.assignments(prune=False)) == [
        ("gone", "train"),
        ("kept", "test"),
        ("new", split_for("new")),
    ]


def test_saved_assignment_reads_back_in_id_order(tmp_path: Path) -> None:
    pairs = {f"id-{n:03d}": split_for(f"id-{n:03d}") for n in range(50, 0, -1)}
    assigner = SplitAssigner(pairs.items())
    save_assignments(tmp_path, assigner.assignments(prune=False))
    assert list(read_assignments(tmp_path)) == sorted(pairs.items())
    assert load_assignments(tmp_path) == pairs


def test_unknown_split_name_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "assignments.tsv").write_text("id\tsplit\nx\tdev\n", encoding="utf-8")
    with pytest.raises(SplitError, match="unknown split 'dev'"):
        load_assignments(tmp_path)


def test_committed_assignment_covers_every_seed() -> None:
    root = Path(__file__).resolve().parent.parent
    assignments = load_assignments(root / "splits")
    stems = {p.name.removesuffix(".txt") for p in (root / "seeds").glob("*.txt")}
    assert stems <= set(assignments)
