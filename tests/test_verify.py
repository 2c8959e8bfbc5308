"""`verify` checks the whole manifest: layout, files, and what it says about the release."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataset_builder.build.report import BuildReport
from dataset_builder.config import MANIFEST
from dataset_builder.ingest.files import file_sha256
from dataset_builder.publish.verify import (
    MAX_PROBLEMS_PER_KIND,
    VERIFY_DOES_NOT_PROVE,
    verify_release,
)

Manifest = dict[str, Any]
SHARD = "data/default/train-00000-of-00001.parquet"


@pytest.fixture
def release(tmp_path: Path, seed_release: tuple[Path, BuildReport]) -> Path:
    """A copy of the seed release, free to damage."""
    copy = tmp_path / "release"
    shutil.copytree(seed_release[0], copy)
    return copy


def _manifest(release: Path) -> Manifest:
    data: Manifest = json.loads((release / MANIFEST).read_text(encoding="utf-8"))
    return data


def _write(release: Path, manifest: object) -> None:
    (release / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _rehash(release: Path, manifest: Manifest, name: str) -> None:
    """Record the current size and SHA-256 of `name`, as a careful forger would."""
    path = release / name
    manifest["files"][name] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}


def test_an_intact_release_verifies(release: Path) -> None:
    assert verify_release(release) == []


def test_the_limits_of_verify_are_stated() -> None:
    assert "not signed" in VERIFY_DOES_NOT_PROVE
    assert "rewrites MANIFEST.json" in VERIFY_DOES_NOT_PROVE


def _version(m: Manifest) -> None:
    m["version"] = "9.9.9"


def _dataset(m: Manifest) -> None:
    m["dataset"] = "another-dataset"


def _input_dropped(m: Manifest) -> None:
    del m["inputs"][sorted(m["inputs"])[0]]


def _input_added(m: Manifest) -> None:
    m["inputs"]["999_smuggled.txt"] = "0" * 64


def _input_changed(m: Manifest) -> None:
    first = sorted(m["inputs"])[0]
    m["inputs"][first] = "f" * 64


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_version, "inconsistent: MANIFEST.json says version '9.9.9', build_report.json says"),
        (_dataset, "inconsistent: MANIFEST.json says dataset 'another-dataset', build_report"),
        (_input_dropped, "is in build_report.json, not in MANIFEST.json"),
        (_input_added, "input '999_smuggled.txt' is in MANIFEST.json, not in build_report.json"),
        (_input_changed, "SHA-256 in MANIFEST.json differs from build_report.json"),
    ],
    ids=["version", "dataset", "input-dropped", "input-added", "input-sha256"],
)
def test_an_edited_manifest_fails(
    release: Path, tamper: Callable[[Manifest], None], expected: str
) -> None:
    manifest = _manifest(release)
    tamper(manifest)
    _write(release, manifest)
    problems = verify_release(release)
    assert any(expected in problem for problem in problems), problems


def test_a_version_edited_everywhere_but_the_card_fails(release: Path) -> None:
    # The report is rewritten and re-hashed too; the card still says the real version.
    manifest = _manifest(release)
    report = json.loads((release / "build_report.json").read_text(encoding="utf-8"))
    report["version"] = manifest["version"] = "9.9.9"
    (release / "build_report.json").write_text(json.dumps(report), encoding="utf-8")
    _rehash(release, manifest, "build_report.json")
    _write(release, manifest)
    problems = verify_release(release)
    assert any("README.md says" in problem for problem in problems), problems


def test_the_inputs_of_the_report_and_manifest_must_agree(release: Path) -> None:
    # An input smuggled into the report (re-hashed in the manifest) but not the inputs.
    manifest = _manifest(release)
    report = json.loads((release / "build_report.json").read_text(encoding="utf-8"))
    report["inputs"].append({"file": "999_smuggled.txt", "sha256": "0" * 64})
    (release / "build_report.json").write_text(json.dumps(report), encoding="utf-8")
    _rehash(release, manifest, "build_report.json")
    _write(release, manifest)
    assert verify_release(release) == [
        "inconsistent: input '999_smuggled.txt' is in build_report.json, not in MANIFEST.json"
    ]


def test_a_consistent_rewrite_passes_as_the_limits_say(release: Path) -> None:
    # What VERIFY_DOES_NOT_PROVE warns about: an input replaced in the report and the
    # manifest alike, with the report re-hashed, is not detected.
    manifest = _manifest(release)
    report = json.loads((release / "build_report.json").read_text(encoding="utf-8"))
    report["inputs"][0]["sha256"] = manifest["inputs"][report["inputs"][0]["file"]] = "a" * 64
    (release / "build_report.json").write_text(json.dumps(report), encoding="utf-8")
    _rehash(release, manifest, "build_report.json")
    _write(release, manifest)
    assert verify_release(release) == []


def test_changed_missing_and_extra_files_are_named(release: Path) -> None:
    parquet = release / SHARD
    data = bytearray(parquet.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size: only the SHA-256 can tell
    parquet.write_bytes(bytes(data))
    with (release / "croissant.json").open("a", encoding="utf-8") as handle:
        handle.write(" ")  # one byte more
    (release / "rejects.jsonl").unlink()
    (release / "data" / "default" / "notes.txt").write_text("extra", encoding="utf-8")
    size = (release / "croissant.json").stat().st_size
    assert sorted(verify_release(release)) == [
        f"changed: croissant.json ({size} bytes, {size - 1} in MANIFEST.json)",
        f"changed: {SHARD} (SHA-256 differs from MANIFEST.json)",
        "extra: data/default/notes.txt",
        "missing: rejects.jsonl",
    ]


def test_a_shard_removed_with_its_manifest_entry_is_found(release: Path) -> None:
    manifest = _manifest(release)
    del manifest["files"][SHARD]
    (release / SHARD).unlink()
    _write(release, manifest)
    assert verify_release(release) == [
        f"inconsistent: build_report.json lists {SHARD}, MANIFEST.json does not"
    ]


def test_a_required_file_removed_with_its_manifest_entry_is_found(release: Path) -> None:
    manifest = _manifest(release)
    del manifest["files"]["build_report.json"]
    (release / "build_report.json").unlink()
    _write(release, manifest)
    assert verify_release(release) == [
        "missing: build_report.json (every release holds it; MANIFEST.json does not list it)"
    ]


def _entry_not_object(m: Manifest) -> None:
    m["files"]["README.md"] = ["sha256", "bytes"]


def _entry_without_sha256(m: Manifest) -> None:
    del m["files"]["README.md"]["sha256"]


def _sha256_not_text(m: Manifest) -> None:
    m["files"]["README.md"]["sha256"] = 42


def _sha256_upper_case(m: Manifest) -> None:
    m["files"]["README.md"]["sha256"] = m["files"]["README.md"]["sha256"].upper()


def _bytes_as_text(m: Manifest) -> None:
    m["files"]["README.md"]["bytes"] = str(m["files"]["README.md"]["bytes"])


def _bytes_true(m: Manifest) -> None:
    m["files"]["rejects.jsonl"]["bytes"] = True


def _entry_extra_key(m: Manifest) -> None:
    m["files"]["README.md"]["signed_by"] = "someone"


def _name_outside(m: Manifest) -> None:
    m["files"]["../outside.txt"] = dict(m["files"]["README.md"])


def _files_list(m: Manifest) -> None:
    m["files"] = list(m["files"])


def _inputs_list(m: Manifest) -> None:
    m["inputs"] = list(m["inputs"])


def _input_sha256_null(m: Manifest) -> None:
    m["inputs"][sorted(m["inputs"])[0]] = None


def _version_number(m: Manifest) -> None:
    m["version"] = 1.0


def _no_version(m: Manifest) -> None:
    del m["version"]


def _unknown_key(m: Manifest) -> None:
    m["signature"] = "trust me"


MALFORMED: list[tuple[Callable[[Manifest], None], str]] = [
    (_entry_not_object, "files['README.md']: not an object with sha256 and bytes"),
    (_entry_without_sha256, "files['README.md']: keys are bytes, expected sha256 and bytes"),
    (_sha256_not_text, "files['README.md'].sha256: not 64 lowercase hexadecimal digits"),
    (_sha256_upper_case, "files['README.md'].sha256: not 64 lowercase hexadecimal digits"),
    (_bytes_as_text, "files['README.md'].bytes: not a whole number of bytes"),
    (_bytes_true, "files['rejects.jsonl'].bytes: not a whole number of bytes"),
    (_entry_extra_key, "files['README.md']: keys are bytes, sha256, signed_by"),
    (_name_outside, "files['../outside.txt']: not a file name inside the folder"),
    (_files_list, "'files' is not an object"),
    (_inputs_list, "'inputs' is not an object"),
    (_input_sha256_null, "inputs['000_7e4abb51d367e3c2.txt']: not 64 lowercase"),
    (_version_number, "'version' is not a non-empty line of text"),
    (_no_version, "MANIFEST.json: no 'version'"),
    (_unknown_key, "MANIFEST.json: unexpected key 'signature'"),
]


@pytest.mark.parametrize(
    ("tamper", "expected"), MALFORMED, ids=[tamper.__name__[1:] for tamper, _ in MALFORMED]
)
def test_malformed_entries_are_problems_not_crashes(
    release: Path, tamper: Callable[[Manifest], None], expected: str
) -> None:
    manifest = _manifest(release)
    tamper(manifest)
    _write(release, manifest)
    problems = verify_release(release)
    assert any(
        problem.startswith("malformed: MANIFEST.json: ") and expected in problem
        for problem in problems
    ), problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"[1, 2]", "malformed: MANIFEST.json: not a JSON object"),
        (b'"files"', "malformed: MANIFEST.json: not a JSON object"),
        (b"{", "unreadable: MANIFEST.json"),
        (b"\xff\xfe{}", "unreadable: MANIFEST.json"),
        (b'{"files": {}, "bytes": NaN}', "unreadable: MANIFEST.json (NaN is not JSON)"),
        (b"[" * 100_000 + b"]" * 100_000, "unreadable: MANIFEST.json"),
    ],
    ids=["list", "string", "cut-short", "not-utf8", "nan", "nested-deep"],
)
def test_a_manifest_that_is_not_one_is_a_problem(release: Path, text: bytes, expected: str) -> None:
    (release / MANIFEST).write_bytes(text)
    problems = verify_release(release)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_a_repeated_key_is_a_problem(release: Path) -> None:
    # json.loads keeps the last of two keys; another reader may take the first.
    text = (release / MANIFEST).read_text(encoding="utf-8")
    version = _manifest(release)["version"]
    forged = text.replace(f'"version": "{version}"', f'"version": "9.9.9", "version": "{version}"')
    assert forged != text
    (release / MANIFEST).write_text(forged, encoding="utf-8")
    assert verify_release(release) == [
        "malformed: MANIFEST.json: key 'version' appears more than once"
    ]


def test_a_malformed_report_is_a_problem_not_a_crash(release: Path) -> None:
    manifest = _manifest(release)
    (release / "build_report.json").write_text('{"inputs": [1, {"file": 2}]}', encoding="utf-8")
    _rehash(release, manifest, "build_report.json")
    _write(release, manifest)
    problems = verify_release(release)
    assert "malformed: build_report.json: no dataset recorded" in problems
    assert "malformed: build_report.json: inputs[0] has no file and sha256" in problems
    assert "malformed: build_report.json: 'files' is not an object of configurations" in problems


def test_a_control_character_in_a_name_is_escaped(release: Path) -> None:
    # A name is printed to a terminal: an escape sequence in it must not reach it raw.
    manifest = _manifest(release)
    manifest["inputs"]["\x1b[2Jevil.txt"] = "0" * 64
    _write(release, manifest)
    problems = verify_release(release)
    assert problems and all("\x1b" not in problem for problem in problems), problems


def test_problems_of_one_kind_are_capped(release: Path) -> None:
    manifest = _manifest(release)
    for n in range(MAX_PROBLEMS_PER_KIND + 7):
        manifest["inputs"][f"smuggled-{n:03d}.txt"] = "0" * 64
    _write(release, manifest)
    problems = verify_release(release)
    assert len(problems) == MAX_PROBLEMS_PER_KIND + 1
    assert problems[-1] == "inconsistent: ... and 7 more"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_a_problem(release: Path) -> None:
    (release / SHARD).chmod(0)
    try:
        problems = verify_release(release)
    finally:
        (release / SHARD).chmod(0o644)
    assert problems == [f"unreadable: {SHARD} (Permission denied)"]
