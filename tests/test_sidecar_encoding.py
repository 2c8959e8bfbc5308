"""A sidecar's "encoding" decides how its article's bytes are read."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import polars as pl

from tests.conftest import build_copy

TITLE = "Việt Nam và Nhật Bản tăng cường hợp tác"
BODY = "Hai nước đã ký kết thỏa thuận về thương mại, đầu tư và giáo dục trong năm nay."


# The five Vietnamese tone marks, which Windows-1258 writes as combining characters.
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """`text` as Windows-1258 writes it: letters precomposed, tone marks combining."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def test_declared_encoding_wins_and_the_text_is_exact(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "vi1.txt").write_bytes(cp1258(f"{TITLE}\n\n{BODY}\n"))
    (inputs / "vi1.meta.json").write_text(json.dumps({"encoding": "windows-1258"}))
    release, report = build_copy(tmp_path, inputs, prune=True)
    assert report.rejects == []
    rows = pl.read_parquet(release / "data" / "default" / "*.parquet")
    assert rows["title"].to_list() == [TITLE]
    assert rows["body"].to_list() == [BODY]
    (entry,) = list(report.inputs)
    assert entry["encoding"] in {"windows-1258", "cp1258"}


def test_a_declared_encoding_that_does_not_fit_is_a_reject(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "ja1.txt").write_bytes(
        "日本とベトナム\n\n両国は協力を強化する。\n".encode("shift_jis")
    )
    (inputs / "ja1.meta.json").write_text(json.dumps({"encoding": "utf-8"}))
    _, report = build_copy(tmp_path, inputs, prune=True, allow_rejects=True)
    assert [(r.file, r.rule) for r in report.rejects] == [("ja1.txt", "encoding")]
