"""Writing pages: one record's page, or a folder of pages with an index.

Only files this module wrote are replaced. A single page replaces a file only when that
file is a page it wrote (its generator tag); a folder of pages holds a manifest
(`show-manifest.json`) listing every file written into it, and a folder holding anything
else is refused before a file is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataset_builder.config import CONFIGS, VERSION
from dataset_builder.present.html import GENERATOR, IndexEntry, article_page, index_page
from dataset_builder.present.load import iter_records
from dataset_builder.present.marks import RecordView, record_view
from dataset_builder.release.stats import batches
from dataset_builder.temporary import create_beside, replaced_by

MANIFEST_NAME = "show-manifest.json"
INDEX_NAME = "index.html"
# Ids as the schema allows them are safe file names; anything else gets a hashed name.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
# How many foreign files a refusal names.
MAX_NAMED = 5


class ShowError(Exception):
    """A page or folder of pages that cannot be written; the message says why."""


@dataclass(frozen=True)
class SiteSummary:
    folder: Path
    articles: int
    teasers: int
    problems: tuple[str, ...]


def _write_text(path: Path, text: str) -> None:
    """Write through a temporary file and rename it, so a page is whole or absent."""
    temporary, descriptor = create_beside(path)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _is_own_page(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return GENERATOR in handle.read(2048)
    except OSError:
        return False


def write_page(view: RecordView, path: Path) -> None:
    """Write the page of one record to `path`: a new file or a page written here before."""
    if path.is_dir():
        raise ShowError(f"{path} is a folder; give a file name, or --all to write a folder")
    if path.exists() and not _is_own_page(path):
        raise ShowError(
            f"{path} exists and is not a page written by `dataset-builder show`; "
            "it is left as it is (choose another file name)"
        )
    if not path.parent.is_dir():
        raise ShowError(f"{path.parent}: no such folder")
    _write_text(path, article_page(view))


def _folder_files(folder: Path) -> list[str]:
    return sorted(
        str(path.relative_to(folder)) + ("/" if path.is_dir() else "") for path in folder.rglob("*")
    )


def _own_files(folder: Path) -> set[str]:
    """The files the folder's manifest lists; refuses a folder holding anything else."""
    if not folder.exists():
        return set()
    if not folder.is_dir():
        raise ShowError(f"{folder} exists and is not a folder")
    present = _folder_files(folder)
    if not present:
        return set()
    manifest = folder / MANIFEST_NAME
    own: set[str] = set()
    if manifest.exists():
        try:
            listing = json.loads(manifest.read_text(encoding="utf-8"))
            if listing.get("written_by") != GENERATOR:
                raise ValueError(f"written_by is {listing.get('written_by')!r}")
            # Only names of files in the folder: a name the manifest lists that is not one
            # (`../x`, an absolute path) is never removed as a stale page.
            own = {str(name) for name in listing["files"]} & set(present)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ShowError(
                f"{manifest}: not a manifest written by `dataset-builder show` ({error}); "
                "nothing was written"
            ) from None
    # A page being written when a run was interrupted is ours too.
    foreign = [
        name
        for name in present
        if name not in own
        and name != MANIFEST_NAME
        and replaced_by(name) not in own | {MANIFEST_NAME}
    ]
    if foreign:
        named = ", ".join(foreign[:MAX_NAMED]) + (" ..." if len(foreign) > MAX_NAMED else "")
        raise ShowError(
            f"{folder} holds files not written by `dataset-builder show` ({named}); "
            "nothing was written: give a new or empty folder, or one written by show --all"
        )
    return own


def _page_name(record_id: str, taken: set[str]) -> str:
    name = f"{record_id}.html"
    # Case-insensitive file systems would merge ids that differ only in case.
    if not SAFE_NAME.fullmatch(record_id) or name.casefold() in taken or name == INDEX_NAME:
        name = f"record-{hashlib.sha256(record_id.encode()).hexdigest()[:16]}.html"
    taken.add(name.casefold())
    return name


def _entry(record: dict[str, Any], view: RecordView, href: str, outlet: str) -> IndexEntry:
    teaser = view.kind == "teaser"
    return IndexEntry(
        href=href,
        record_id=view.id,
        kind=view.kind,
        title=view.heading,
        outlet=outlet,
        date=str(record.get("reference_date" if teaser else "published_date") or ""),
        language=str(record.get("language") or "und"),
        split=str(record.get("split") or ""),
        topics=tuple((t.code, t.label) for t in view.topics),
    )


def _release_name(release: Path) -> str:
    """The dataset's name as its Croissant file gives it, or the folder's name."""
    try:
        name = json.loads((release / "croissant.json").read_text(encoding="utf-8"))["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return release.resolve().name
    return str(name)


def _page_names(release: Path) -> dict[tuple[str, str], str]:
    """The page file of every record, by configuration and id."""
    taken: set[str] = set()
    return {
        (config, record_id): _page_name(record_id, taken)
        for config in CONFIGS
        for batch in batches(release, config, ["id"])
        for record_id in map(str, batch.column(0).to_pylist())
    }


def write_site(release: Path, folder: Path) -> SiteSummary:
    """A page for every article and teaser of `release`, and an index, into `folder`."""
    old = _own_files(folder)
    names = _page_names(release)
    folder.mkdir(parents=True, exist_ok=True)

    def record_manifest(files: set[str]) -> None:
        listing = {"written_by": GENERATOR, "version": VERSION, "files": sorted(files)}
        _write_text(folder / MANIFEST_NAME, json.dumps(listing, indent=1) + "\n")

    new = {*names.values(), INDEX_NAME}
    # Listed before they are written: an interrupted run leaves a folder it may rewrite.
    record_manifest(old | new)
    entries: list[IndexEntry] = []
    problems: list[str] = []
    counts = {"article": 0, "teaser": 0}
    # A teaser has no outlet of its own: it was printed on its parent's page.
    outlets: dict[str, str] = {}
    for config in CONFIGS:
        for record in iter_records(release, config):
            view = record_view(record)
            name = names[(config, view.id)]
            parent = names.get((CONFIGS[0], str(record.get("parent_id"))))
            _write_text(folder / name, article_page(view, INDEX_NAME, parent))
            counts[view.kind] += 1
            problems += [f"{view.id}: {problem}" for problem in view.problems]
            if view.kind == "article":
                outlets[view.id] = str(record.get("outlet") or "")
            outlet = outlets.get(str(record.get("parent_id")), "") if view.kind == "teaser" else ""
            entries.append(_entry(record, view, name, outlets.get(view.id, outlet)))
    entries.sort(key=lambda e: (e.kind != "article", e.record_id))
    title = f"{_release_name(release)}: articles and related teasers"
    _write_text(folder / INDEX_NAME, index_page(entries, title))
    record_manifest(new)
    for stale in sorted(old - new):
        (folder / stale).unlink(missing_ok=True)
    return SiteSummary(folder, counts["article"], counts["teaser"], tuple(problems))
