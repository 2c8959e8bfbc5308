"""Markdown for the dataset card: values from the data as text, and tables."""

from __future__ import annotations

import re
from typing import Any

# Characters with a meaning anywhere in a line: code, emphasis, links, GFM table cells and
# strikethrough, the Hub's math. CommonMark lets any ASCII punctuation be backslash-escaped;
# `<`, `>` and `&` become entities instead, so that no renderer, Markdown or HTML, sees a
# tag, a comment or an entity in them.
_INLINE_ESCAPES = str.maketrans(
    {**{c: "\\" + c for c in "\\`*_[]|~$"}, "<": "&lt;", ">": "&gt;", "&": "&amp;"}
)
# Characters that open a block only at the start of a line (a heading, a list item, a
# setext underline); `>` and `*` are escaped already.
_BLOCK_START = re.compile(r"[#+=-]|[0-9]+[.)]")
# A value stays on its line: a line break would end a table row or start a block.
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def markdown_text(value: str) -> str:
    """`value` as Markdown that renders as that text, on one line, in running text or a table.

    Every value from the data (an outlet, a rights statement, a key of a count table)
    enters the card through this function; the card's own text is Markdown already.
    Line breaks and control characters become spaces.
    """
    text = _LINE_BREAKS.sub(" ", value).strip().translate(_INLINE_ESCAPES)
    start = _BLOCK_START.match(text)
    if start:
        marker = start.end() - 1
        text = text[:marker] + "\\" + text[marker:]
    return text


def table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def counts_table(
    counts: dict[str, int],
    label: str,
    names: dict[str, str] | None = None,
    total: int | None = None,
) -> str:
    """Rows of `key | count | share`; shares are of `total` (default: the sum of counts).

    The keys come from the data, the `names` from the project's vocabularies: both are text.
    """
    if not counts:
        return "None in this release."
    total = total or sum(counts.values())
    rows = [
        [
            markdown_text(key)
            + (f" ({markdown_text(names[key])})" if names and key in names else ""),
            n,
            f"{100 * n / total:.0f}%",
        ]
        for key, n in counts.items()
    ]
    return table([label, "count", "share"], rows)


def bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)
