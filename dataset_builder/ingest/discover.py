"""Find the inputs of a build in an input folder; report what is not one."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from dataset_builder.config import MANIFEST
from dataset_builder.ingest.kinds import INPUT_KINDS, one_article_suffixes
from dataset_builder.ingest.records import Reject
from dataset_builder.ingest.sidecar import SIDECAR_SUFFIX


@dataclass
class Skipped:
    """An entry of the input folder that is not an input, and why; listed in the report."""

    file: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}


@dataclass
class Discovery:
    """What an input folder holds: inputs by name, rejected entries, skipped entries."""

    inputs: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def display_name(name: str) -> str:
    """A file name as printable UTF-8: bytes that are not UTF-8 shown as \\xNN escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def is_release(folder: Path) -> bool:
    """Whether `folder` holds a release written by this builder (it has a manifest)."""
    try:
        return stat.S_ISREG((folder / MANIFEST).lstat().st_mode)
    except OSError:
        return False


def discover(input_dir: Path) -> Discovery:
    """Article and JSON Lines inputs in name order; anything else is reported, not read.

    Inputs are given by name (relative to `input_dir`, with "/"): an archive has hundreds
    of thousands, and a list of `Path` objects took about four times the memory.
    Only regular files are read: a FIFO or a device would block or never end.
    """
    found = Discovery()
    sidecars: list[str] = []
    _walk(input_dir, "", input_dir.resolve(), found, sidecars)
    # A sidecar is read with its article; one whose article is not an input (missing,
    # or rejected itself) would otherwise go unread without a word.
    inputs = set(found.inputs)
    for name in sidecars:
        article = name.removesuffix(SIDECAR_SUFFIX)
        if not any(article + suffix in inputs for suffix in one_article_suffixes()):
            found.rejects.append(
                Reject(
                    name,
                    "sidecar-article-exists",
                    f"sidecar metadata for {article}.txt, which is not an article input",
                )
            )
    found.rejects.sort(key=lambda reject: reject.file.split("/"))
    return found


def _walk(folder: Path, prefix: str, root: Path, found: Discovery, sidecars: list[str]) -> None:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as error:
        where = prefix.removesuffix("/") or "."
        found.rejects.append(
            Reject(display_name(where), "readable", f"folder cannot be listed: {error.strerror}")
        )
        return
    for entry in entries:
        name = prefix + entry.name
        shown = display_name(name)
        if shown != name:
            found.rejects.append(
                Reject(shown, "file-name-utf8", "file name is not valid UTF-8; rename the file")
            )
            continue
        if entry.name.startswith("."):
            found.skipped.append(Skipped(name, "hidden file or folder"))
            continue
        path = Path(entry.path)
        try:
            is_link = entry.is_symlink()
            mode = path.stat().st_mode  # follows a link
            target_inside = not is_link or path.resolve(strict=True).is_relative_to(root)
        except (OSError, RuntimeError):  # a broken link, a loop of links, a name too long
            found.rejects.append(Reject(name, "readable", "cannot be read (a broken link?)"))
            continue
        if stat.S_ISDIR(mode):
            if is_link:  # not followed: it could lead anywhere, or in circles
                found.rejects.append(Reject(name, "no-linked-folders", "symbolic link to a folder"))
            elif is_release(path):
                found.skipped.append(Skipped(name, "a published release, not articles"))
            else:
                _walk(path, name + "/", root, found, sidecars)
            continue
        if not target_inside:
            found.rejects.append(
                Reject(
                    name, "symlink-inside-input", "symbolic link to a file outside the input folder"
                )
            )
        elif not stat.S_ISREG(mode):
            found.rejects.append(
                Reject(name, "regular-file", "not a regular file (a FIFO, socket or device)")
            )
        elif name.endswith(SIDECAR_SUFFIX):
            sidecars.append(name)
        elif path.suffix in INPUT_KINDS:
            found.inputs.append(name)
        else:
            found.rejects.append(
                Reject(
                    name,
                    "unsupported-file-type",
                    "not an article: expected " + " or ".join(INPUT_KINDS),
                )
            )
