from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataset_builder.build.splits import (
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


# -- read_assignments: a damaged file is a SplitError naming the file, line and rule ------


def _write(folder: Path, data: bytes | str) -> Path:
    path = folder / "assignments.tsv"
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    _write(tmp_path, "id\tsplit\nalpha\ttrain\nbeta\ttest\n\nalpha\tvalidation\n")
    expected = r"assignments.tsv:5: id 'alpha' is listed twice \(first on line 2\) \[unique-id\]"
    with pytest.raises(SplitError, match=expected):
        load_assignments(tmp_path)
    # The build's path: the assigner never sees the second line.
    with pytest.raises(SplitError, match=expected):
        SplitAssigner(read_assignments(tmp_path))


def test_assigner_refuses_an_id_given_twice() -> None:
    # Any other source of committed pairs: no silent choice of the last split either.
    with pytest.raises(SplitError, match=r"id 'gamma' is listed twice .*\[unique-id\]"):
        SplitAssigner([("delta", "test"), ("gamma", "train"), ("gamma", "test")])


def test_file_without_header_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "first\ttrain\nsecond\ttest\n")
    with pytest.raises(
        SplitError,
        match=r"assignments.tsv:1: expected the header 'id<TAB>split', found 'first\\ttrain' \[header\]",
    ):
        load_assignments(tmp_path)


def test_header_may_follow_a_utf8_bom_and_end_in_crlf(tmp_path: Path) -> None:
    _write(tmp_path, b"\xef\xbb\xbfid\tsplit\r\nfirst\ttrain\r\n")
    assert load_assignments(tmp_path) == {"first": "train"}
    _write(tmp_path, b"\xef\xbb\xbfsplit\tid\nfirst\ttrain\n")
    with pytest.raises(SplitError, match=r":1: expected the header .*'split\\tid' \[header\]"):
        load_assignments(tmp_path)


def test_empty_file_is_a_header_error(tmp_path: Path) -> None:
    # An empty file is a damaged assignment, not "no assignment": read as none, every
    # id would be placed by rule and the committed splits replaced.
    _write(tmp_path, b"")
    with pytest.raises(SplitError, match=r"assignments.tsv:1: .*found an empty file \[header\]"):
        load_assignments(tmp_path)


def test_utf16_file_is_an_encoding_error(tmp_path: Path) -> None:
    _write(tmp_path, "id\tsplit\nhanoi\ttrain\n".encode("utf-16"))
    with pytest.raises(
        SplitError, match=r"assignments.tsv:1: is not UTF-8 text .*UTF-16.*\[encoding\]"
    ):
        load_assignments(tmp_path)


def test_utf16_without_bom_is_an_encoding_error(tmp_path: Path) -> None:
    _write(tmp_path, "id\tsplit\nhanoi\ttrain\n".encode("utf-16-le"))
    with pytest.raises(SplitError, match=r"assignments.tsv:\d+: is not UTF-8 text .*\[encoding\]"):
        load_assignments(tmp_path)


def test_latin1_file_is_an_encoding_error(tmp_path: Path) -> None:
    _write(tmp_path, "id\tsplit\nplain\ttest\ncaf\u00e9\ttrain\n".encode("latin-1"))
    with pytest.raises(
        SplitError, match=r"assignments.tsv:3: is not UTF-8 text \(.*0xe9 at byte 4 .*\[encoding\]"
    ):
        load_assignments(tmp_path)


def test_line_without_tab_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "id\tsplit\nspaced train\n")
    with pytest.raises(
        SplitError,
        match=r"assignments.tsv:2: expected 'id<TAB>split', found 'spaced train' \[tab\]",
    ):
        load_assignments(tmp_path)


def test_empty_id_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "id\tsplit\n\ttrain\n")
    with pytest.raises(SplitError, match=r"assignments.tsv:2: the id is empty \[empty-id\]"):
        load_assignments(tmp_path)


@pytest.mark.parametrize("listed", [" padded", "padded ", "padded\u00a0"])
def test_id_with_surrounding_whitespace_is_an_error(tmp_path: Path, listed: str) -> None:
    _write(tmp_path, f"id\tsplit\n{listed}\ttrain\n")
    with pytest.raises(
        SplitError, match=r"assignments.tsv:2: id .* has whitespace around it \[whitespace\]"
    ):
        load_assignments(tmp_path)


def test_overlong_line_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "id\tsplit\n" + "k" * 5000 + "\ttrain\n")
    with pytest.raises(
        SplitError, match=r"assignments.tsv:2: the line is longer .*\[line-length\]"
    ):
        load_assignments(tmp_path)


def test_folder_is_not_a_splits_file(tmp_path: Path) -> None:
    (tmp_path / "assignments.tsv").mkdir()
    with pytest.raises(
        SplitError, match=r"assignments.tsv: is a folder, not a regular file \[regular-file\]"
    ):
        load_assignments(tmp_path)


def test_dangling_symlink_is_not_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "assignments.tsv").symlink_to(tmp_path / "elsewhere.tsv")
    with pytest.raises(SplitError, match=r"symbolic link to a missing file \[regular-file\]"):
        load_assignments(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "assignments.tsv"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            load_assignments(tmp_path)
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():
        # Blocked opening the FIFO: a writer releases it, so the test ends.
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=10)
        pytest.fail("reading a FIFO blocked")
    assert len(outcome) == 1
    assert isinstance(outcome[0], SplitError)
    assert "is a FIFO, not a regular file [regular-file]" in str(outcome[0])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from([b"", b"id\tsplit\n", b"\xef\xbb\xbfid\tsplit\n"]))
def test_any_bytes_read_or_raise_split_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, header: bytes
) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    _write(folder, header + data)
    try:
        pairs = list(read_assignments(folder))
    except SplitError as error:
        assert str(error).startswith(str(folder / "assignments.tsv"))
        assert str(error).endswith("]")  # names its rule
        return
    assert len({record_id for record_id, _ in pairs}) == len(pairs)
    for record_id, split in pairs:
        assert record_id and record_id == record_id.strip() and "\t" not in record_id
        assert split in ("train", "validation", "test")


# -- save_assignments: a private temporary file, durable, atomic, same mode -------------


def test_concurrent_saves_do_not_share_a_temporary_file(tmp_path: Path) -> None:
    # A second build saves while the first is halfway through writing: with one shared
    # temporary name, the second moved the first's half-written file into place.
    first = [("a-1", "train"), ("a-2", "test")]
    second = [("b-1", "validation")]

    def first_build() -> Iterator[tuple[str, str]]:
        yield first[0]
        save_assignments(tmp_path, second)
        assert load_assignments(tmp_path) == dict(second)
        yield first[1]

    save_assignments(tmp_path, first_build())
    assert list(read_assignments(tmp_path)) == first
    assert [p.name for p in tmp_path.iterdir()] == ["assignments.tsv"]


def test_failed_save_removes_its_temporary_file(tmp_path: Path) -> None:
    save_assignments(tmp_path, [("kept", "train")])
    before = (tmp_path / "assignments.tsv").read_bytes()

    def failing() -> Iterator[tuple[str, str]]:
        yield ("kept", "train")
        raise RuntimeError("the build failed")

    with pytest.raises(RuntimeError, match="the build failed"):
        save_assignments(tmp_path, failing())
    assert [p.name for p in tmp_path.iterdir()] == ["assignments.tsv"]
    assert (tmp_path / "assignments.tsv").read_bytes() == before


def test_save_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "assignments.tsv"
    save_assignments(tmp_path, [("x", "train")])
    path.chmod(0o640)
    save_assignments(tmp_path, [("x", "train"), ("y", "test")])
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    # A new file gets the usual mode the umask allows (not a temporary file's 0o600).
    path.unlink()
    old_umask = os.umask(0o022)
    try:
        save_assignments(tmp_path, [("x", "train")])
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_save_syncs_the_file_before_replacing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, int]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor: int) -> None:
        events.append(("fsync", os.fstat(descriptor).st_ino))
        real_fsync(descriptor)

    def replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        events.append(("replace", os.stat(source).st_ino))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    save_assignments(tmp_path, [("x", "train")])
    monkeypatch.undo()
    inode = (tmp_path / "assignments.tsv").stat().st_ino
    assert events.index(("fsync", inode)) < events.index(("replace", inode))


@pytest.mark.parametrize(
    ("record_id", "split"),
    [
        ("tab\tinside", "train"),
        ("line\nbreak", "train"),
        (" padded", "train"),
        ("", "train"),
        ("lone\udc80", "train"),
        ("fine", "dev"),
    ],
)
def test_save_refuses_a_pair_it_could_not_read_back(
    tmp_path: Path, record_id: str, split: str
) -> None:
    save_assignments(tmp_path, [("kept", "train")])
    before = (tmp_path / "assignments.tsv").read_bytes()
    with pytest.raises(SplitError, match=r"assignments.tsv: cannot record id .*\]$"):
        save_assignments(tmp_path, [("kept", "train"), (record_id, split)])
    assert (tmp_path / "assignments.tsv").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["assignments.tsv"]


def test_save_refuses_ids_out_of_order(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="increasing id order"):
        save_assignments(tmp_path, [("b", "train"), ("a", "test")])
    with pytest.raises(ValueError, match="increasing id order"):
        save_assignments(tmp_path, [("a", "train"), ("a", "test")])
    assert list(tmp_path.iterdir()) == []
