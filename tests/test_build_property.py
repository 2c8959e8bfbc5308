"""Property: over any folder of valid, invalid and special files, a build terminates, never
raises, accounts for every entry of the folder and changes nothing outside its output."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataset_builder.build.orchestrator import BuildOptions, build
from dataset_builder.ingest.sidecar import SIDECAR_SUFFIX

WORDS = st.sampled_from(
    ["Vietnam", "Japan", "trade", "hợp tác", "日本", "越南", "handel", "2024年5月3日", "on", "the"]
)
TEXT = st.lists(WORDS, min_size=0, max_size=30).map(" ".join)
NAME = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True)


@st.composite
def entries(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """(kind, name, content) of one entry of the input folder."""
    kind = draw(
        st.sampled_from(
            [
                "article",
                "article",
                "sidecar",
                "jsonl",
                "binary",
                "empty",
                "hidden",
                "unsupported",
                "nested",
                "fifo",
                "link-inside",
                "link-outside",
                "bad-name",
                "folder",
            ]
        )
    )
    name = draw(NAME)
    if kind in ("article", "nested"):
        content = f"{draw(TEXT)}\n\n{draw(TEXT)}\n".encode()
    elif kind == "sidecar":
        content = draw(
            st.sampled_from(
                [
                    json.dumps({"outlet": "Outlet", "published_date": "2024-05-03"}).encode(),
                    json.dumps({"published_date": "2999-01-01"}).encode(),
                    b"{broken",
                    b"[" * 5000,
                    b'{"outlet": "\\ud800"}',
                ]
            )
        )
    elif kind == "jsonl":
        lines = draw(
            st.lists(
                st.one_of(
                    st.builds(
                        lambda i, t, b: json.dumps({"id": i, "title": t, "body": b}),
                        NAME,
                        TEXT,
                        TEXT,
                    ),
                    st.sampled_from(["{", "[]", '{"id": 3}', "[" * 3000]),
                ),
                max_size=4,
            )
        )
        content = "\n".join(lines).encode()
    elif kind == "binary":
        content = b"\x89PNG\r\n\x1a\n" + draw(st.binary(max_size=64))
    else:
        content = draw(st.binary(max_size=32))
    return kind, name, content


def _write(root: Path, outside: Path, kind: str, name: str, content: bytes) -> None:
    folder = root / "sub" if kind == "nested" else root
    folder.mkdir(exist_ok=True)
    if kind in ("article", "nested"):
        (folder / f"{name}.txt").write_bytes(content)
    elif kind == "sidecar":
        (folder / f"{name}{SIDECAR_SUFFIX}").write_bytes(content)
    elif kind == "jsonl":
        (folder / f"{name}.jsonl").write_bytes(content)
    elif kind in ("binary", "empty"):
        (folder / f"{name}-{kind}.txt").write_bytes(content)
    elif kind == "hidden":
        (folder / f".{name}").write_bytes(content)
    elif kind == "unsupported":
        (folder / f"{name}.docx").write_bytes(content)
    elif kind == "fifo" and not (folder / f"{name}.txt").exists():
        os.mkfifo(folder / f"{name}.txt")
    elif kind == "link-inside" and (folder / f"{name}.txt").exists():
        (folder / f"{name}-link.txt").symlink_to(folder / f"{name}.txt")
    elif kind == "link-outside" and not (folder / f"{name}-out.txt").exists():
        (outside / f"{name}.txt").write_bytes(b"Outside\n\nNot an input.\n")
        (folder / f"{name}-out.txt").symlink_to(outside / f"{name}.txt")
    elif kind == "bad-name":
        (folder / os.fsdecode(name.encode() + b"\xff.txt")).write_bytes(content)
    elif kind == "folder":
        (folder / name / "deeper").mkdir(parents=True, exist_ok=True)


def _state(root: Path) -> dict[str, bytes | str]:
    """Every entry under `root` with its bytes (files) or kind (anything else)."""
    state: dict[str, bytes | str] = {}
    for base, folders, files in os.walk(root):
        for entry in [*folders, *files]:
            path = Path(base) / entry
            key = os.fsencode(path.relative_to(root)).decode("utf-8", "backslashreplace")
            if path.is_symlink():
                state[key] = "link:" + os.readlink(path)
            elif path.is_file():
                state[key] = path.read_bytes()
            else:
                state[key] = "folder" if path.is_dir() else "special"
    return state


@settings(
    max_examples=30,
    # The same examples on every run: the suite must not fail by chance. Longer runs with
    # other seeds are made by hand (HYPOTHESIS_SEED, more examples) when the builder changes.
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(entries(), min_size=1, max_size=10))
def test_any_folder_builds_terminates_and_accounts_for_everything(
    items: list[tuple[str, str, bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        tmp = Path(temporary)
        inputs, outside, splits = tmp / "in", tmp / "outside", tmp / "splits"
        for folder in (inputs, outside, splits):
            folder.mkdir()
        for kind, name, content in items:
            _write(inputs, outside, kind, name, content)
        before = _state(tmp)
        started = time.monotonic()
        report = build(
            BuildOptions(
                input_dir=inputs,
                output_dir=tmp / "out",
                splits_dir=splits,
                allow_rejects=True,
                prune=True,
            )
        )
        assert time.monotonic() - started < 120
        report.check_accounting()
        after = _state(tmp)
        changed = {
            key
            for key in before.keys() | after.keys()
            if before.get(key) != after.get(key)
            and not key.startswith("out")
            and key != "splits/assignments.tsv"
        }
        assert not changed
        # Every file of the input folder is an input, a reject, skipped, or the sidecar
        # of an article that was read.
        read = {entry["file"] for entry in report.inputs}
        rejected = {reject.file for reject in report.rejects}
        skipped = {entry.file for entry in report.skipped}
        for key, value in before.items():
            if not key.startswith("in/") or value == "folder":
                continue
            name = key.removeprefix("in/")
            article = name.removesuffix(SIDECAR_SUFFIX) + ".txt"
            assert (
                name in read
                or name in rejected
                or any(name == s or name.startswith(s + "/") for s in skipped)
                or (name.endswith(SIDECAR_SUFFIX) and article in read)
            ), name
