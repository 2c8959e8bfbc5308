"""The builder under misuse and faults: it never deletes what is not its own, never hangs,
and says truthfully what happened."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dataset_builder.build import orchestrator, worker
from dataset_builder.build.locks import exclusive
from dataset_builder.build.orchestrator import LOCK_NAME, BuildOptions, build
from dataset_builder.build.report import BuildError
from dataset_builder.build.splits import load_assignments, split_for
from dataset_builder.cli import main
from dataset_builder.publish.staging import lock_file
from dataset_builder.publish.verify import verify_release
from tests.conftest import ROOT, SEEDS, SPLITS, build_copy

sys.path.insert(0, str(ROOT))
from benchmarks.corpus import write_corpus

TOPICS = ("trade", "investment", "culture", "education", "tourism", "labour", "energy")


def write_articles(folder: Path, count: int, prefix: str = "a") -> list[str]:
    """`count` short English articles unlike each other, as `<prefix>NN.txt`."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for n in range(count):
        topic = TOPICS[n % len(TOPICS)]
        words = " ".join(f"{topic}{n}x{k}" for k in range(40))
        (folder / f"{prefix}{n:02d}.txt").write_text(
            f"Vietnam and Japan talk {topic} number {n}\n\n"
            f"Officials of both countries met on 3 May 2024 to discuss {topic}. {words}\n",
            encoding="utf-8",
        )
        ids.append(f"{prefix}{n:02d}")
    return ids


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def options(
    tmp: Path, input_dir: Path, output: Path | None = None, **extra: object
) -> BuildOptions:
    splits = tmp / "splits"
    splits.mkdir(exist_ok=True)
    return BuildOptions(
        input_dir=input_dir,
        output_dir=output if output is not None else tmp / "release",
        splits_dir=splits,
        **extra,  # type: ignore[arg-type]
    )


def committed_splits(tmp: Path, ids: list[str]) -> Path:
    """A splits folder whose assignment lists `ids`, each in its hash split."""
    splits = tmp / "splits"
    splits.mkdir(exist_ok=True)
    lines = "".join(f"{i}\t{split_for(i)}\n" for i in ids)
    (splits / "assignments.tsv").write_text("id\tsplit\n" + lines, encoding="utf-8")
    return splits


def pruned_build(inputs: Path, output: Path, splits: Path) -> None:
    build(
        BuildOptions(
            input_dir=inputs, output_dir=output, splits_dir=splits, allow_rejects=True, prune=True
        )
    )


# -- the output folder ----------------------------------------------------------------


@pytest.mark.parametrize("where", ["input", "parent of input", "splits", "inside input"])
def test_output_never_replaces_the_input_or_the_splits(tmp_path: Path, where: str) -> None:
    inputs = tmp_path / "work" / "in"
    write_articles(inputs, 2)
    splits = tmp_path / "splits"
    splits.mkdir()
    (splits / "assignments.tsv").write_text("id\tsplit\n", encoding="utf-8")
    output = {
        "input": inputs,
        "parent of input": inputs.parent,
        "splits": splits,
        "inside input": inputs / "release",
    }[where]
    before = snapshot(tmp_path)
    with pytest.raises(BuildError, match="--output"):
        build(BuildOptions(input_dir=inputs, output_dir=output, splits_dir=splits))
    assert snapshot(tmp_path) == before


def test_output_of_unrelated_files_is_refused(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.docx").write_bytes(b"my work")
    with pytest.raises(BuildError, match="not a release written by dataset-builder"):
        build(options(tmp_path, inputs, mine))
    assert (mine / "chapter1.docx").read_bytes() == b"my work"


def test_a_release_with_a_file_the_user_added_is_not_replaced(tmp_path: Path) -> None:
    release, _ = build_copy(tmp_path)
    (release / "my-notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(BuildError, match=r"my-notes\.txt"):
        build_copy(tmp_path)
    assert (release / "my-notes.txt").read_text(encoding="utf-8") == "keep me"


def test_output_dot_is_refused_by_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    shutil.copytree(SPLITS, tmp_path / "splits")
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    assert main(["build", "--output", ".", "--workers", "1", "--no-cache"]) == 1
    assert "--output ." in capsys.readouterr().err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_output_that_is_a_file_or_a_link_is_refused_before_anything(
    tmp_path: Path, kind: str
) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    target = tmp_path / "elsewhere"
    target.mkdir()
    output = tmp_path / "out"
    if kind == "file":
        output.write_text("a file", encoding="utf-8")
    else:
        output.symlink_to(target, target_is_directory=True)
    with pytest.raises(BuildError, match="--output"):
        build(options(tmp_path, inputs, output))
    assert output.is_symlink() if kind == "symlink" else output.read_text() == "a file"
    assert list(target.iterdir()) == []
    assert not list(tmp_path.glob(".out-*"))


def test_a_release_inside_the_input_is_skipped_not_read(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 3)
    build(options(tmp_path, inputs, tmp_path / "release", allow_rejects=False))
    shutil.copytree(tmp_path / "release", inputs / "old-release")
    report = build(options(tmp_path, inputs, tmp_path / "release"))
    assert report.totals()["published"] == 3
    assert [(s.file, s.reason) for s in report.skipped] == [
        ("old-release", "a published release, not articles")
    ]


def test_release_folder_is_readable_by_others(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    previous = os.umask(0o022)
    try:
        build(options(tmp_path, inputs))
    finally:
        os.umask(previous)
    assert (tmp_path / "release").stat().st_mode & 0o777 == 0o755


# -- the swap, and what is said about it ---------------------------------------------------


def test_previous_release_that_cannot_be_removed_is_kept_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    build(options(tmp_path, inputs))

    def read_only(path: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(shutil, "rmtree", read_only)
    write_articles(inputs, 3)
    report = build(options(tmp_path, inputs))
    assert report.totals()["published"] == 3  # the new release is in place ...
    assert verify_release(tmp_path / "release") == []
    assert any("could not be removed" in w and "retired" in w for w in report.notices)
    monkeypatch.undo()
    # ... and the next build is not stopped by the leftover, which it tidies away.
    report = build(options(tmp_path, inputs))
    assert report.totals()["published"] == 3
    assert not list(tmp_path.glob(".release-retired*"))


def test_bad_card_dir_is_refused_before_the_release_is_touched(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    build(options(tmp_path, inputs))
    before = snapshot(tmp_path / "release")
    card_file = tmp_path / "card"
    card_file.write_text("not a folder", encoding="utf-8")
    write_articles(inputs, 3)
    with pytest.raises(BuildError, match="--card-dir"):
        build(options(tmp_path, inputs, card_dir=card_file))
    assert snapshot(tmp_path / "release") == before


def test_card_copy_failing_after_the_swap_is_a_warning_not_a_lie(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    import dataset_builder.release.card as card

    def disk_full(release: Path, target: Path) -> None:
        raise OSError(28, "No space left on device", str(target / "DATASET_CARD.md"))

    monkeypatch.setattr(card, "copy_card", disk_full)
    report = build(options(tmp_path, inputs, card_dir=tmp_path / "card"))
    assert report.totals()["published"] == 2
    assert verify_release(tmp_path / "release") == []
    assert any("the release itself is published" in w for w in report.notices)


# -- two builds at once ---------------------------------------------------------------------


@pytest.mark.parametrize("held", ["splits", "output"])
def test_second_build_stops_with_a_message_while_a_folder_is_in_use(
    tmp_path: Path, held: str
) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    build(options(tmp_path, inputs))
    before = snapshot(tmp_path)
    # A live build's staging folder beside the release must survive the second build.
    live = tmp_path / ".release-staging-live"
    live.mkdir()
    lock = tmp_path / "splits" / LOCK_NAME if held == "splits" else lock_file(tmp_path / "release")
    with exclusive(lock, "test"), pytest.raises(BuildError, match="in use by another build"):
        build(options(tmp_path, inputs))
    assert live.is_dir()
    assert snapshot(tmp_path) == before


def _cli_build(inputs: Path, output: Path, splits: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "dataset_builder", "build", "--input", str(inputs)]
    command += ["--output", str(output), "--splits", str(splits), "--workers", "1", "--no-cache"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_concurrent_builds_sharing_splits_never_lose_assignments(tmp_path: Path) -> None:
    splits = tmp_path / "splits"
    splits.mkdir()
    runs = []
    for name in ("one", "two", "three"):
        write_articles(tmp_path / name, 4, prefix=name)
        runs.append((name, _cli_build(tmp_path / name, tmp_path / f"release-{name}", splits)))
    succeeded = []
    for name, process in runs:
        _, err = process.communicate(timeout=300)
        if process.returncode == 0:
            succeeded.append(name)
        else:
            assert "in use by another build" in err, err
    assert succeeded
    text = (splits / "assignments.tsv").read_text(encoding="utf-8")
    ids = [line.split("\t")[0] for line in text.splitlines()[1:]]
    assert len(ids) == len(set(ids))
    for name in succeeded:
        assert {f"{name}{n:02d}" for n in range(4)} <= set(ids)
    assert not list(splits.glob("*.tmp")) and not list(splits.glob("tmp*"))


# -- splits ------------------------------------------------------------------------------------


def test_committed_split_is_kept_for_page_articles(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    ids = write_articles(inputs, 6)
    moved = ids[0]
    elsewhere = next(s for s in ("validation", "test", "train") if s != split_for(moved))
    splits = tmp_path / "splits"
    splits.mkdir()
    (splits / "assignments.tsv").write_text(f"id\tsplit\n{moved}\t{elsewhere}\n", encoding="utf-8")
    release = tmp_path / "release"
    build(BuildOptions(input_dir=inputs, output_dir=release, splits_dir=splits, prune=True))
    import polars as pl

    rows = pl.read_parquet(release / "data" / "default" / "*.parquet")
    assert rows.filter(pl.col("id") == moved)["split"].to_list() == [elsewhere]
    assert load_assignments(splits)[moved] == elsewhere


def test_committed_article_rejected_for_its_sidecar_keeps_its_assignment(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    ids = write_articles(inputs, 3)
    splits = committed_splits(tmp_path, ids)
    (inputs / f"{ids[1]}.meta.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(BuildError) as failure:
        build(BuildOptions(input_dir=inputs, output_dir=tmp_path / "r", splits_dir=splits))
    assert "no input provides" not in str(failure.value)
    assert failure.value.report is not None
    assert [r.rule for r in failure.value.report.rejects] == ["json-syntax"]
    pruned_build(inputs, tmp_path / "r", splits)
    assert set(load_assignments(splits)) == set(ids)


def test_a_small_corpus_with_empty_splits_loads(tmp_path: Path) -> None:
    from datasets import load_dataset

    inputs = tmp_path / "in"
    write_articles(inputs, 1)
    build(options(tmp_path, inputs))
    loaded = load_dataset(str(tmp_path / "release"))
    assert sum(len(split) for split in loaded.values()) == 1
    assert list(loaded) == [split_for("a00")]


# -- the input folder ---------------------------------------------------------------------------


def test_hidden_files_are_listed_as_skipped(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    (inputs / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (inputs / ".git").mkdir()
    (inputs / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    report = build(options(tmp_path, inputs))
    assert sorted(s.file for s in report.skipped) == [".DS_Store", ".git"]
    written = json.loads((tmp_path / "release" / "build_report.json").read_text(encoding="utf-8"))
    assert {s["file"] for s in written["skipped"]} == {".DS_Store", ".git"}


def test_unreadable_subfolder_is_a_reject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    (inputs / "locked").mkdir()
    write_articles(inputs / "locked", 1, prefix="hidden")
    real_scandir = os.scandir

    def scandir(path: int | str | os.PathLike[str]) -> object:
        if (
            not isinstance(path, int) and Path(path).name == "locked"
        ):  # what a folder without read permission does
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(BuildError) as failure:
        build(options(tmp_path, inputs))
    assert failure.value.report is not None
    (reject,) = failure.value.report.rejects
    assert (reject.file, reject.rule) == ("locked", "readable")


def test_sidecar_linking_outside_the_input_is_not_published(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    ids = write_articles(inputs, 2)
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"outlet": "SECRET OUTLET"}), encoding="utf-8")
    (inputs / f"{ids[0]}.meta.json").symlink_to(secret)
    report = build(options(tmp_path, inputs, allow_rejects=True))
    assert {r.rule for r in report.rejects} == {"symlink-inside-input"}
    assert report.totals()["published"] == 1
    for parquet in (tmp_path / "release").rglob("*.parquet"):
        assert b"SECRET OUTLET" not in parquet.read_bytes()
    assert "SECRET OUTLET" not in (tmp_path / "release" / "README.md").read_text()


def test_fifos_are_rejected_without_blocking(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    ids = write_articles(inputs, 2)
    os.mkfifo(inputs / "pipe.txt")
    os.mkfifo(inputs / f"{ids[0]}.meta.json")
    splits = tmp_path / "splits"
    splits.mkdir()
    for command in ("validate", "build"):
        args = [sys.executable, "-m", "dataset_builder", command, "--input", str(inputs)]
        args += ["--splits", str(splits), "--workers", "1"]
        if command == "build":
            args += ["--output", str(tmp_path / "release"), "--allow-rejects", "--no-cache"]
        done = subprocess.run(
            args, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
        )
        assert "pipe.txt" in done.stdout and "regular-file" in done.stdout, done.stdout
        assert f"{ids[0]}.meta.json" in done.stdout


def test_file_names_that_are_not_utf8_and_too_long_stems(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 1)
    bad = os.fsdecode(b"caf\xe9.txt")
    (inputs / bad).write_text("Title\n\nBody text about trade.\n", encoding="utf-8")
    long_stem = "x" * 251
    (inputs / f"{long_stem}.txt").write_text(
        "A long name\n\nVietnam and Japan agreed on railway cooperation in Hanoi.\n",
        encoding="utf-8",
    )
    report = build(options(tmp_path, inputs, allow_rejects=True))
    assert sorted((r.file, r.field, r.rule) for r in report.rejects) == [
        ("caf\\xe9.txt", "", "file-name-utf8"),
        (f"{long_stem}.txt", "$.id", "pattern"),  # ids are at most 200 characters
    ]
    assert report.totals()["published"] == 1
    json.loads((tmp_path / "release" / "build_report.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("[" * 100_000 + "]" * 100_000, "json-depth"),
        ('{"id": "s", "title": "T\\ud800", "body": "Body about trade."}', "unicode-characters"),
    ],
)
def test_hostile_json_lines_are_one_line_rejects(tmp_path: Path, line: str, rule: str) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 1)
    (inputs / "lines.jsonl").write_text(line + "\n", encoding="utf-8")
    report = build(options(tmp_path, inputs, allow_rejects=True))
    assert [(r.file, r.line, r.rule) for r in report.rejects] == [("lines.jsonl", 1, rule)]
    assert report.totals()["published"] == 1


@pytest.mark.parametrize("kind", ["deep", "surrogate", "folder"])
def test_hostile_sidecars_are_one_line_rejects(tmp_path: Path, kind: str) -> None:
    inputs = tmp_path / "in"
    ids = write_articles(inputs, 2)
    sidecar = inputs / f"{ids[0]}.meta.json"
    if kind == "folder":
        sidecar.mkdir()
    else:
        text = '{"outlet": "\\udc80"}' if kind == "surrogate" else "[" * 100_000
        sidecar.write_text(text, encoding="utf-8")
    report = build(options(tmp_path, inputs, allow_rejects=True))
    assert report.totals()["published"] == 1
    assert {r.file for r in report.rejects} == {f"{ids[0]}.meta.json"}
    assert {r.rule for r in report.rejects} <= {
        "json-depth",
        "unicode-characters",
        "regular-file",
        "readable",
    }


@pytest.mark.parametrize("date", ["2999-01-01"])
def test_future_publication_date_is_rejected_from_any_source(tmp_path: Path, date: str) -> None:
    inputs = tmp_path / "in"
    ids = write_articles(inputs, 1)
    line = {"id": "j1", "title": "T", "body": "Vietnam and Japan met.", "published_date": date}
    (inputs / "lines.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    (inputs / f"{ids[0]}.meta.json").write_text(json.dumps({"published_date": date}))
    report = build(options(tmp_path, inputs, allow_rejects=True))
    assert sorted((r.id, r.rule, r.field) for r in report.rejects) == [
        ("a00", "not-in-future", "$.published_date"),
        ("j1", "not-in-future", "$.published_date"),
    ]


def test_annotate_on_a_binary_file_is_an_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert main(["annotate", str(binary)]) == 1
    assert "photo.txt" in capsys.readouterr().err


# -- hangs and dead workers ----------------------------------------------------------------------


def test_article_over_its_time_budget_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    real = worker._process

    def slow(record: dict[str, object], split: str) -> worker.ProcessedArticle:
        if record["id"] == "a01":
            time.sleep(30)
        return real(record, split)

    monkeypatch.setattr(worker, "_process", slow)
    started = time.monotonic()
    report = build(options(tmp_path, inputs, allow_rejects=True, article_seconds=0.5))
    assert time.monotonic() - started < 20
    assert [(r.id, r.rule) for r in report.rejects] == [("a01", "time-budget")]
    assert report.totals()["published"] == 1


def test_a_dead_worker_fails_the_build_promptly(tmp_path: Path) -> None:
    release, _ = build_copy(tmp_path)
    before = snapshot(release)
    inputs = write_corpus(tmp_path / "many", 3000, seed=5)
    jobs: list[orchestrator.Build] = []
    outcome: list[BaseException | None] = []

    def run() -> None:
        # Made in this thread: a build's SQLite databases belong to the thread that made them.
        job = orchestrator.Build(
            BuildOptions(
                input_dir=inputs,
                output_dir=release,
                splits_dir=tmp_path / "splits",
                workers=2,
                batch_size=64,
                prune=True,
            )
        )
        jobs.append(job)
        try:
            job.run()
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pool = jobs[0]._pool if jobs else None
        workers = list((pool._processes or {}).values()) if pool is not None else []
        if workers and workers[0].pid is not None:
            os.kill(workers[0].pid, 9)  # as the out-of-memory killer would
            break
        time.sleep(0.05)
    thread.join(timeout=120)
    assert not thread.is_alive(), "the build hung after a worker died"
    assert isinstance(outcome[0], BuildError)
    assert "worker process died" in str(outcome[0])
    assert snapshot(release) == before


@pytest.mark.parametrize(
    ("byline", "rule"), [("31/02/2025", "valid-date"), ("01/01/2999", "not-in-future")]
)
def test_impossible_or_future_byline_date_is_a_one_line_reject(
    tmp_path: Path, byline: str, rule: str
) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 1)
    (inputs / "vn.txt").write_text(
        "Vietnam.vn - Nền tảng quảng bá Việt Nam\n\nVietnam och Japan samarbetar\n\n"
        f"Inledning om samarbetet.\n\nBáo Tin TứcBáo Tin Tức{byline}\n\n"
        "Ambassadören talade om handel och investeringar mellan länderna.\n",
        encoding="utf-8",
    )
    report = build(options(tmp_path, inputs, allow_rejects=True))
    assert [(r.file, r.field, r.rule) for r in report.rejects] == [
        ("vn.txt", "$.published_date", rule)
    ]
    assert report.totals()["published"] == 1


def test_title_of_invisible_characters_is_rejected(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 1)
    (inputs / "ghost.txt").write_text(
        "\u200b\u2060\u00ad\u3164\n\nVietnam and Japan signed a trade memorandum in Tokyo.\n",
        encoding="utf-8",
    )
    report = build(options(tmp_path, inputs, allow_rejects=True))
    # The invisible line is blank, so the text's only line is the title and no body is left.
    assert [(r.file, r.field, r.rule) for r in report.rejects if r.counts] == [
        ("ghost.txt", "$.body", "minLength")
    ]
    assert report.totals()["published"] == 1


def test_output_given_with_dot_dot_is_built_beside_its_real_name(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    (tmp_path / "out" / "x").mkdir(parents=True)
    report = build(options(tmp_path, inputs, tmp_path / "out" / "x" / ".."))
    assert report.totals()["published"] == 2
    assert verify_release(tmp_path / "out") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out", "splits"]


def test_a_fifo_sidecar_rejects_its_article_once(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    ids = write_articles(inputs, 2)
    os.mkfifo(inputs / f"{ids[0]}.meta.json")
    report = build(options(tmp_path, inputs, allow_rejects=True))
    assert report.totals()["articles_offered"] == 2
    assert [(r.file, r.id, r.rule) for r in report.rejects] == [
        (f"{ids[0]}.meta.json", ids[0], "readable")
    ]


def test_a_deep_tree_of_folders_is_read_without_recursion(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 1)
    deep = inputs
    for _ in range(1200):  # one by one: pathlib's own mkdir(parents=True) recurses
        deep = deep / "d"
        deep.mkdir()
    write_articles(deep, 1, prefix="deep")
    try:
        report = build(options(tmp_path, inputs))
        # The same text at both depths: the deep one is read, and found to be a duplicate.
        assert report.totals()["published"] == 1
        assert [entry["id"] for entry in report.duplicates] == ["deep00"]
    finally:
        # Removed from the bottom up: shutil.rmtree (pytest's clean-up) recurses.
        for child in deep.iterdir():
            child.unlink()
        while deep != inputs:
            deep.rmdir()
            deep = deep.parent


def test_a_committed_article_that_became_a_fifo_keeps_its_assignment(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    ids = write_articles(inputs, 2)
    splits = committed_splits(tmp_path, ids)
    (inputs / f"{ids[1]}.txt").unlink()
    os.mkfifo(inputs / f"{ids[1]}.txt")
    pruned_build(inputs, tmp_path / "r", splits)
    assert set(load_assignments(splits)) == set(ids)


def test_files_that_are_not_articles_are_skipped_and_do_not_stop_a_build(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_articles(inputs, 2)
    (inputs / "README.md").write_text("# Our class corpus\n", encoding="utf-8")
    (inputs / "notes.docx").write_bytes(b"PK\x03\x04 a word document")
    # The corpus's identity: read as such, and listed as skipped like any other non-article.
    identity = (
        'name = "class-corpus"\npretty_name = "Class"\nversion = "0.1.0"\nlicense = "unknown"\n'
    )
    (inputs / "dataset.toml").write_text(identity, encoding="utf-8")
    (inputs / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    report = build(options(tmp_path, inputs))  # no --allow-rejects needed
    assert report.totals()["published"] == 2 and report.rejects == []
    assert sorted(s.file for s in report.skipped) == [
        ".DS_Store",
        "README.md",
        "dataset.toml",
        "notes.docx",
    ]
    assert report.totals()["skipped"] == 4
