"""A record as text for a terminal: event dates and topic evidence marked.

Without colour, a date is `[text]` with a superscript number and a stretch of topic
evidence is `{text}` with the superscript letters of its topics; the legend under the
article resolves both, so the text reads the same piped into a file. With colour, dates are
underlined and evidence takes the colour of its best-scored topic.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TextIO

from dataset_builder.present.marks import DateNode, FieldView, RecordView, Segment

SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# Superscript Latin letters for topic keys (Unicode has no superscript q).
TOPIC_KEYS = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"
# Foreground colours (xterm 256-colour indices) for topics in their order, chosen to be
# told apart on dark and light backgrounds; later topics take them again.
TOPIC_COLOURS = (33, 166, 34, 163, 130, 37, 127, 64, 25, 160, 97, 136)
RESET = "\x1b[0m"
DATE_STYLE = "1;4"
DIM = "\x1b[2m"
# Control characters other than newline and tab would drive the terminal: shown escaped.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def use_colour(choice: str, stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to colour: `always`, `never`, or (`auto`) a terminal without NO_COLOR."""
    if choice == "always":
        return True
    if choice == "never" or environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def date_key(number: int) -> str:
    return str(number).translate(SUPERSCRIPT_DIGITS)


def topic_key(rank: int) -> str:
    if rank < len(TOPIC_KEYS):
        return TOPIC_KEYS[rank]
    return "ᵗ" + str(rank + 1).translate(SUPERSCRIPT_DIGITS)


def safe(text: str) -> str:
    """Text as printable: control characters as `\\xNN` escapes."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _style(codes: str, text: str) -> str:
    return f"\x1b[{codes}m{text}{RESET}" if codes else text


def _topic_colour(rank: int) -> str:
    return f"38;5;{TOPIC_COLOURS[rank % len(TOPIC_COLOURS)]}"


def _segment(segment: Segment, colour: bool, base: str) -> str:
    text = safe(segment.text)
    if colour:
        codes = [base] if base else []
        codes += [DATE_STYLE] if segment.dates else []
        if segment.topics:
            codes.append(_topic_colour(segment.topics[0]))
        return _style(";".join(codes), text)
    if segment.topics:
        return "{" + text + "}" + "".join(topic_key(r) for r in segment.topics)
    return text


def _node(node: Segment | DateNode, colour: bool, base: str) -> str:
    if isinstance(node, Segment):
        return _segment(node, colour, base)
    inner = "".join(_node(child, colour, base) for child in node.children)
    key = date_key(node.number)
    return inner + DIM + key + RESET if colour else "[" + inner + "]" + key


def render_field(view: FieldView, colour: bool, base: str = "") -> str:
    """The field's text with its marks; `base` styles the whole field (bold for a title)."""
    return "".join(_node(node, colour, base) for node in view.nodes)


def _heading(text: str, colour: bool) -> str:
    return _style("1", text) if colour else text


def render(view: RecordView, colour: bool = False) -> str:
    """The record with its marks, a header of facts and a legend, as lines of text."""
    record = view.record
    lines: list[str] = []
    head = view.fields[0] if view.fields else None
    lines.append(render_field(head, colour, base="1") if head else "(no title)")
    lines.append("")
    lines.extend(_facts(view))
    for field_view in view.fields[1:]:
        lines += ["", _heading(field_view.label.capitalize(), colour)]
        lines.append(render_field(field_view, colour))
    lines += ["", _heading(f"Event dates ({len(view.dates)})", colour)]
    for date in view.dates:
        shown = safe(date.text)
        lines.append(f"{date_key(date.number)} {date.describe()}  “{shown}”")
    if not view.dates:
        lines.append("(none found)")
    lines += ["", _heading(f"Topics, IPTC Media Topics ({len(view.topics)})", colour)]
    for topic in view.topics:
        key = _style(_topic_colour(topic.rank), "■") if colour else topic_key(topic.rank)
        lines.append(
            f"{key} {safe(topic.label)} ({safe(topic.code)}, level {topic.level}, "
            f"score {topic.score:g}, {topic.evidence_count} terms)"
        )
    if not view.topics:
        lines.append("(none assigned)")
    primary = record.get("primary_topic")
    if primary:
        lines.append(f"primary topic: {safe(str(primary))}")
    if view.problems:
        lines += ["", _heading("Not marked", colour)]
        lines += [safe(problem) for problem in view.problems]
    return "\n".join(lines) + "\n"


def _facts(view: RecordView) -> list[str]:
    record = view.record

    def value(name: str) -> str:
        found = record.get(name)
        return "unknown" if found is None else safe(str(found))

    facts = [f"id              {value('id')} ({view.kind})"]
    if view.kind == "article":
        facts.append(f"outlet          {value('outlet')}")
        date_source = f"{value('published_date_source')}"
        if record.get("published_date_precision"):
            date_source += f", {value('published_date_precision')}"
        facts.append(f"date            {value('published_date')} ({date_source})")
    else:
        facts.append(f"under           article {value('parent_id')}, teaser {value('position')}")
        facts.append(
            f"date            {value('reference_date')} ({value('reference_date_source')})"
        )
    confidence = record.get("language_confidence")
    how_sure = f", confidence {confidence:.2f}" if isinstance(confidence, float) else ""
    facts.append(f"language        {value('language')} ({value('script')}{how_sure})")
    facts.append(f"split           {value('split')}")
    if view.kind == "article":
        for name in ("url", "original_url", "translated_from"):
            if record.get(name):
                facts.append(f"{name.replace('_', ' '):<15} {value(name)}")
    return facts
