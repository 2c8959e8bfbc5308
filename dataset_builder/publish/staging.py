"""The output folder: checked, staged beside it, and swapped in when complete."""

from __future__ import annotations

import glob
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from dataset_builder.config import MANIFEST
from dataset_builder.release.figure import TIMELINE

# What --card-dir receives: a file of the release -> its name in the card folder.
CARD_COPIES = {
    "README.md": "DATASET_CARD.md",
    "CITATION.cff": "CITATION.cff",
    "LICENSE": "LICENSE",
    TIMELINE.as_posix(): TIMELINE.as_posix(),
}


class UnsafeOutput(Exception):
    """The output folder is not one the builder may replace; the message says why."""


def lock_file(output: Path) -> Path:
    """The lock of a release folder: beside it, so it exists before the release does."""
    resolved = output.resolve()
    return resolved.parent / f".{resolved.name}.lock"


def check_output(output: Path, apart: Mapping[str, Path], outside: Mapping[str, Path]) -> None:
    """Refuse an output folder that a build must not replace.

    A build replaces its output folder whole, so the folder must be a release of this
    builder (recognised by its manifest) or empty or new; none of the folders in `apart`
    (named by their role) may contain it or lie inside it, and none in `outside` may lie
    inside it. Raises UnsafeOutput before anything is written.
    """
    if output.is_symlink():
        raise UnsafeOutput(f"--output {output} is a symbolic link; give the folder itself")
    if output.exists() and not output.is_dir():
        raise UnsafeOutput(f"--output {output} is a file, not a release folder")
    resolved = output.resolve()
    for role, folder in {**apart, **outside}.items():
        other = folder.resolve()
        if other == resolved or other.is_relative_to(resolved):
            raise UnsafeOutput(
                f"--output {output} holds the {role} {folder}: publishing replaces the whole "
                "output folder, which would delete it; choose another --output"
            )
        if role in apart and resolved.is_relative_to(other):
            raise UnsafeOutput(
                f"--output {output} is inside the {role} {folder}; choose a folder outside it"
            )
    if output.is_dir():
        foreign = foreign_files(output)
        if foreign:
            shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise UnsafeOutput(
                f"--output {output} is not a release written by dataset-builder (it holds "
                f"{shown}); the builder replaces only its own releases: choose another "
                "--output, or move those files away"
            )
        unwritable = [
            folder
            for folder, _, _ in os.walk(output, onerror=_unlistable)
            if not os.access(folder, os.W_OK | os.X_OK)
        ]
        if unwritable:
            raise UnsafeOutput(
                f"{unwritable[0]} is read-only, so the previous release in --output {output} "
                f"could not be replaced; make it writable (chmod -R u+w {output})"
            )


def _unlistable(error: OSError) -> None:
    raise UnsafeOutput(
        f"{error.filename} cannot be listed ({error.strerror}), so it cannot be told whether "
        "it belongs to a release of dataset-builder"
    )


def foreign_files(folder: Path) -> list[str]:
    """Files in `folder` that its manifest does not list (all of them if it has none)."""
    listed: set[str] = {MANIFEST}
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed.update(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no readable manifest: nothing in the folder is known to be the builder's
    return sorted(
        name
        for name in (
            (Path(base) / entry).relative_to(folder).as_posix()
            for base, folders, files in os.walk(folder, onerror=_unlistable)
            # A folder is the builder's when a listed file is in it; a link to a folder
            # is never the builder's.
            for entry in [*files, *(f for f in folders if (Path(base) / f).is_symlink())]
        )
        if name not in listed
    )


def staging_folder(output: Path) -> Path:
    """A fresh folder beside `output`, on the same file system so the swap is a rename.

    Readable as any folder the user makes (mkdtemp makes it private to its owner).
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{output.name}-staging-"
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=output.parent))
    umask = os.umask(0o022)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    return staging


def _retired(output: Path) -> list[Path]:
    """Previous releases set aside by swaps, newest first."""
    # Exactly the names swaps give (and `.<name>-retired` of earlier versions): another
    # output's folders may share the prefix.
    name = re.compile(re.escape(f".{output.name}-retired") + "(-[0-9a-f]{8})?")
    found = [
        path
        for path in output.parent.glob(glob.escape(f".{output.name}-retired") + "*")
        if name.fullmatch(path.name) and path.is_dir() and not path.is_symlink()
    ]
    return sorted(found, key=lambda path: path.stat().st_mtime, reverse=True)


def swap_into_place(staging: Path, output: Path) -> list[str]:
    """Replace `output` by `staging`; the old folder is removed only after the swap.

    Two renames on one file system: if the process dies between them, `output` is
    missing and `.<output>-retired-*` holds the previous release, which
    `recover_interrupted_swap` puts back before the next build. Returns warnings about
    what could not be tidied once the new release is in place.
    """
    retired = None
    if output.exists():
        retired = output.with_name(f".{output.name}-retired-{secrets.token_hex(4)}")
        output.rename(retired)
    try:
        staging.rename(output)
    except OSError:
        if retired is not None:
            retired.rename(output)
        raise
    if retired is None:
        return []
    try:
        shutil.rmtree(retired)
    except OSError as error:
        return [
            f"the previous release could not be removed ({error.strerror}: {error.filename}); "
            f"it is kept in {retired}: remove it by hand"
        ]
    return []


def recover_interrupted_swap(output: Path) -> list[str]:
    """Restore the previous release if a swap was cut short; drop leftover staging folders.

    Call only while holding the output's lock: then no other build is writing beside
    `output`, and every staging folder there is debris.
    """
    warnings = []
    retired = _retired(output)
    if retired and not output.exists():
        retired.pop(0).rename(output)
    # mkdtemp's names: the prefix and eight characters.
    name = re.compile(re.escape(f".{output.name}-staging-") + "[a-z0-9_]{8}")
    staging = output.parent.glob(glob.escape(f".{output.name}-staging-") + "*")
    for leftover in [*retired, *(p for p in staging if name.fullmatch(p.name) and p.is_dir())]:
        try:
            shutil.rmtree(leftover)
        except OSError as error:
            warnings.append(
                f"{leftover}: a leftover of an earlier build could not be removed ({error.strerror})"
            )
    return warnings


def check_card_folder(folder: Path) -> None:
    """Refuse a --card-dir the card could not be copied into, before anything is replaced."""
    if folder.exists() and not folder.is_dir():
        raise UnsafeOutput(f"--card-dir {folder} is a file, not a folder")
    existing = folder if folder.exists() else next(p for p in folder.parents if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UnsafeOutput(f"--card-dir {folder}: {existing} is not writable")
    for name in CARD_COPIES.values():
        target = folder / name
        if target.is_dir() or (target.exists() and not os.access(target, os.W_OK)):
            raise UnsafeOutput(f"--card-dir {folder}: {target} cannot be overwritten")
