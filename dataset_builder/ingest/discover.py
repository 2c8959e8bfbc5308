"""Find the inputs of a build in an input folder; report what is not one."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from dataset_builder.config import MANIFEST
from dataset_builder.ingest.kinds import INPUT_KINDS, article_id, input_kind
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
    root = input_dir.resolve()
    # Folders being listed, innermost last: a stack, not recursion, so that a deep tree of
    # folders cannot exhaust Python's recursion limit. Entries come in name order, a
    # folder's contents at its place among its siblings.
    pending = [iter(_listing(input_dir, "", found))]
    while pending:
        item = next(pending[-1], None)
        if item is None:
            pending.pop()
            continue
        name, entry = item
        folder = _place(name, entry, root, found, sidecars)
        if folder is not None:
            pending.append(iter(_listing(Path(entry.path), folder, found)))
    # A sidecar is read with its article; one whose article is not an input (missing,
    # or rejected itself) would otherwise go unread without a word.
    articles = {
        name.removesuffix(PurePosixPath(name).suffix)
        for name in found.inputs
        if article_id(name) is not None
    }
    for name in sidecars:
        article = name.removesuffix(SIDECAR_SUFFIX)
        if article not in articles:
            found.rejects.append(
                Reject(
                    name,
                    "sidecar-article-exists",
                    f"sidecar metadata for {article}, which is not an article input",
                )
            )
    found.rejects.sort(key=lambda reject: reject.file.split("/"))
    return found


def _listing(folder: Path, prefix: str, found: Discovery) -> list[tuple[str, os.DirEntry[str]]]:
    """The entries of `folder` in name order, with their names relative to the input
    folder; a folder that cannot be listed is a reject."""
    try:
        with os.scandir(folder) as scan:
            return [(prefix + e.name, e) for e in sorted(scan, key=lambda entry: entry.name)]
    except OSError as error:
        where = prefix.removesuffix("/") or "."
        found.rejects.append(
            Reject(display_name(where), "readable", f"folder cannot be listed: {error.strerror}")
        )
        return []


def _place(
    name: str, entry: os.DirEntry[str], root: Path, found: Discovery, sidecars: list[str]
) -> str | None:
    """Record what `entry` is (input, sidecar, reject, skipped); for a folder to list, the
    prefix of the names in it."""
    shown = display_name(name)
    if shown != name:
        found.rejects.append(
            Reject(shown, "file-name-utf8", "file name is not valid UTF-8; rename the file")
        )
        return None
    if entry.name.startswith("."):
        found.skipped.append(Skipped(name, "hidden file or folder"))
        return None
    if name.endswith(SIDECAR_SUFFIX):
        # Read, and checked (a link, a FIFO, a folder), with its article.
        sidecars.append(name)
        return None
    if name.lower().endswith(SIDECAR_SUFFIX):
        stem = name[: -len(SIDECAR_SUFFIX)]
        found.rejects.append(
            Reject(
                name,
                "sidecar-name",
                f"a sidecar's suffix is {SIDECAR_SUFFIX} in lower case: rename it to "
                f"{stem}{SIDECAR_SUFFIX}",
            )
        )
        return None
    path = Path(entry.path)
    record_id = article_id(name)
    try:
        is_link = entry.is_symlink()
        mode = path.stat().st_mode  # follows a link
        target_inside = not is_link or path.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):  # a broken link, a loop of links, a name too long
        found.rejects.append(
            Reject(name, "readable", "cannot be read (a broken link?)", id=record_id)
        )
        return None
    if stat.S_ISDIR(mode):
        if is_link:  # not followed: it could lead anywhere, or in circles
            found.rejects.append(Reject(name, "no-linked-folders", "symbolic link to a folder"))
        elif is_release(path):
            found.skipped.append(Skipped(name, "a published release, not articles"))
        else:
            return name + "/"
        return None
    if not target_inside:
        found.rejects.append(
            Reject(
                name,
                "symlink-inside-input",
                "symbolic link to a file outside the input folder",
                id=record_id,
            )
        )
    elif not stat.S_ISREG(mode):
        found.rejects.append(
            Reject(
                name,
                "regular-file",
                "not a regular file (a FIFO, socket or device)",
                id=record_id,
            )
        )
    elif input_kind(name) is not None:
        found.inputs.append(name)
    else:
        # A README, notes, a document or a picture beside the articles: listed, not read,
        # and no reason to stop a build.
        found.skipped.append(
            Skipped(
                name,
                "not an article input (read are " + ", ".join(INPUT_KINDS) + ", in any case)",
            )
        )
    return None
