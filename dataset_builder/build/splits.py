"""Stable train/validation/test assignment.

The committed assignment in `splits/assignments.tsv` is the authority: an id listed there
never moves. An id not yet listed is placed by `split_for`: the first 8 hex digits of
SHA-256("vietnam-japan-news:" + id), read as a fraction of 2**32, fall into
[0, 0.8) train, [0.8, 0.9) validation, [0.9, 1) test. The rule depends on nothing but
the id, so adding articles never changes where the existing ones are.

The copies of one story (`build/stories.py`) share a split, so that no story is in two
of them. A story's id is the smallest id among its members the committed assignment
lists, or, while it lists none, the smallest of its ids; its split is the split of that
id (committed, or by the rule). Members not yet committed join it. Committed members
keep theirs even when that puts a story in two splits (two stories that one new copy
joins, or a copy committed before it was recognised as one); `place_story` says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dataset_builder.build.spool import temporary_database
from dataset_builder.config import SPLIT_HASH_PREFIX, SPLITS
from dataset_builder.ingest.files import NotRegularFile, open_regular_file
from dataset_builder.temporary import create_beside

ASSIGNMENT_FILE = "assignments.tsv"
HEADER = "id\tsplit"
SPLIT_BOUNDS = (("train", 0.8), ("validation", 0.9), ("test", 1.0))
# Ids are at most 200 characters (schema/article.schema.json): a longer line is no
# assignment, and reading it whole would let one damaged file take any amount of memory.
MAX_LINE_BYTES = 4096
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class SplitError(Exception):
    pass


def split_for(record_id: str) -> str:
    digest = hashlib.sha256(f"{SPLIT_HASH_PREFIX}:{record_id}".encode()).hexdigest()
    fraction = int(digest[:8], 16) / 2**32
    return next(split for split, bound in SPLIT_BOUNDS if fraction < bound)


def read_assignments(splits_dir: Path) -> Iterator[tuple[str, str]]:
    """(id, split) pairs of the committed assignment, in file order; none if there is none.

    Streams the file (an archive's lists hundreds of thousands of ids). Anything but a
    well-formed file is a SplitError naming the file, the line and the rule: a build must
    not run on an assignment read differently from what the file says.
    """
    path = splits_dir / ASSIGNMENT_FILE
    handle = _open_regular_file(path)
    if handle is None:
        return
    # The line that first listed each id, kept on disk: a set of every id would grow
    # with the archive.
    listed = temporary_database(cache_kib=1024)
    try:
        listed.execute("CREATE TABLE listed (id TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")
        lines = _lines(path, handle)
        _check_header(path, next(lines, None))
        for number, text in lines:
            if not text.strip():  # a blank line (say, at the end) lists nothing
                continue
            record_id, split = _parse_line(path, number, text)
            if not listed.execute(
                "INSERT OR IGNORE INTO listed VALUES (?, ?)", (record_id, number)
            ).rowcount:
                (first,) = listed.execute(
                    "SELECT line FROM listed WHERE id = ?", (record_id,)
                ).fetchone()
                raise SplitError(
                    f"{path}:{number}: id {record_id!r} is listed twice "
                    f"(first on line {first}) [unique-id]"
                )
            yield record_id, split
    finally:
        listed.close()
        handle.close()


def _open_regular_file(path: Path) -> BinaryIO | None:
    """The file opened for reading (see `ingest.files.open_regular_file`), or None if
    there is no file at all."""
    try:
        return open_regular_file(path)
    except FileNotFoundError:
        if os.path.lexists(path):
            # A dangling link read as "no assignment" would place every id by rule and
            # then replace the link: the committed splits would be lost without a word.
            raise SplitError(
                f"{path}: is a symbolic link to a missing file [regular-file]"
            ) from None
        return None
    except NotRegularFile as error:
        raise SplitError(
            f"{path}: is {_kind(error.mode)}, not a regular file [regular-file]"
        ) from None
    except OSError as error:
        raise SplitError(f"{path}: cannot be opened ({error.strerror}) [readable]") from None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _lines(path: Path, handle: BinaryIO) -> Iterator[tuple[int, str]]:
    """(line number, text without its line break) for each line of a UTF-8 file."""
    number = 0
    while True:
        try:
            raw = handle.readline(MAX_LINE_BYTES + 1)
        except OSError as error:
            raise SplitError(f"{path}: cannot be read ({error.strerror}) [readable]") from None
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise SplitError(
                f"{path}:{number}: the line is longer than {MAX_LINE_BYTES} bytes [line-length]"
            )
        if number == 1:
            if raw.startswith(UTF16_BOMS):
                raise SplitError(
                    f"{path}:1: is not UTF-8 text (it starts with a UTF-16 byte order mark; "
                    "save it as UTF-8) [encoding]"
                )
            raw = raw.removeprefix(UTF8_BOM)  # some editors write one; it is not content
        if b"\0" in raw:
            # UTF-16 without a byte order mark is valid UTF-8 with a NUL after each letter.
            raise SplitError(
                f"{path}:{number}: is not UTF-8 text (a NUL byte at byte {raw.index(0) + 1} "
                "of the line; UTF-16?) [encoding]"
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise SplitError(
                f"{path}:{number}: is not UTF-8 text ({error.reason}: "
                f"0x{raw[error.start]:02x} at byte {error.start + 1} of the line; "
                "save it as UTF-8) [encoding]"
            ) from None
        yield number, text.removesuffix("\n").removesuffix("\r")


def _check_header(path: Path, line: tuple[int, str] | None) -> None:
    # Without this check a file that lost its header would lose its first assignment
    # instead (the first line was skipped whatever it held).
    if line is None:
        raise SplitError(
            f"{path}:1: expected the header 'id<TAB>split', found an empty file [header]"
        )
    if line[1] != HEADER:
        raise SplitError(
            f"{path}:1: expected the header 'id<TAB>split', found {line[1]!r} [header]"
        )


def _parse_line(path: Path, number: int, text: str) -> tuple[str, str]:
    record_id, tab, split = text.partition("\t")
    if not tab:
        raise SplitError(f"{path}:{number}: expected 'id<TAB>split', found {text!r} [tab]")
    problem = _id_problem(record_id)
    if problem is not None:
        raise SplitError(f"{path}:{number}: {problem}")
    if split not in SPLITS:
        raise SplitError(f"{path}:{number}: unknown split {split!r} for id {record_id!r} [split]")
    return record_id, split


def _id_problem(record_id: str) -> str | None:
    """What makes the id impossible to list in the file (message and rule), if anything."""
    if not record_id:
        return "the id is empty [empty-id]"
    if record_id != record_id.strip():
        return f"id {record_id!r} has whitespace around it [whitespace]"
    if "\t" in record_id or "\n" in record_id or "\r" in record_id:
        return f"id {record_id!r} holds a tab or a line break [tab]"
    return None


def load_assignments(splits_dir: Path) -> dict[str, str]:
    """The committed assignment as a dict (id -> split)."""
    return dict(read_assignments(splits_dir))


def save_assignments(splits_dir: Path, assignments: Iterable[tuple[str, str]]) -> None:
    """Write (id, split) pairs, which must come in id order, replacing the file at once.

    The file is written under a name no other build uses, made durable, then renamed
    over assignments.tsv: a reader (or a build that crashed halfway) sees the old file
    or the new one, never a mixture. Only what `read_assignments` reads back is written.
    """
    splits_dir.mkdir(parents=True, exist_ok=True)
    path = splits_dir / ASSIGNMENT_FILE
    # Two builds that share the splits folder each write a file of their own.
    temporary, descriptor = create_beside(path)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            _keep_mode(path, handle.fileno())
            handle.write(HEADER + "\n")
            previous: str | None = None
            for record_id, split in assignments:
                problem = _unwritable(record_id, split)
                if problem is not None:
                    raise SplitError(f"{path}: cannot record id {record_id!r}: {problem}")
                if previous is not None and record_id <= previous:
                    # The file is in id order, and listing an id twice would make it
                    # unreadable to every later build.
                    raise ValueError(
                        f"assignments must come in increasing id order: {record_id!r} "
                        f"after {previous!r}"
                    )
                previous = record_id
                handle.write(f"{record_id}\t{split}\n")
            handle.flush()
            os.fsync(handle.fileno())  # the data must be on disk before the rename is
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(splits_dir)


def _keep_mode(path: Path, descriptor: int) -> None:
    """Give the new file the permissions of the file it replaces, if there is one."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISREG(mode):
        os.fchmod(descriptor, stat.S_IMODE(mode))


def _unwritable(record_id: str, split: str) -> str | None:
    """Why the pair cannot be written as a line `read_assignments` reads back, if it can't."""
    problem = _id_problem(record_id)
    if problem is not None:
        return problem
    try:
        record_id.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. from a file name not in UTF-8
        return "the id is not valid Unicode text [encoding]"
    return None if split in SPLITS else f"unknown split {split!r} [split]"


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder is. It has happened already: failing
    # now would report an error for an assignment that was in fact replaced, and some
    # file systems cannot sync a folder at all.
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@dataclass(frozen=True)
class StoryPlacement:
    """Where the copies of one story go."""

    story_id: str
    split: str  # the story's split: the split of its story id
    splits: dict[str, str]  # each member's split
    moved: list[tuple[str, str, str]]  # (id, split by rule, story's split) of new members
    apart: list[tuple[str, str]]  # (id, committed split) of members outside `split`


class SplitAssigner:
    """Looks ids up in the committed assignment and places new ids by rule.

    The assignment is kept in a temporary SQLite database: an archive's lists hundreds
    of thousands of ids, which a dict would hold in memory.
    """

    def __init__(self, committed: Iterable[tuple[str, str]] = ()) -> None:
        self._db = temporary_database(cache_kib=2 * 1024)
        # seen: an input provides the id (committed ids only: they are what `missing`
        # reports; a new id is seen by definition).
        self._db.execute(
            "CREATE TABLE assignment (id TEXT PRIMARY KEY, split TEXT NOT NULL, "
            "committed INTEGER NOT NULL, seen INTEGER NOT NULL) WITHOUT ROWID"
        )
        try:
            self._insert_committed(committed)
        except BaseException:
            self._db.close()
            raise
        self._any_committed = (
            self._db.execute("SELECT 1 FROM assignment LIMIT 1").fetchone() is not None
        )

    def _insert_committed(self, committed: Iterable[tuple[str, str]]) -> None:
        # A plain INSERT: an id given twice is an error, never a silent choice of one
        # of its splits. (`read_assignments` reports a file's duplicates with their lines;
        # this guards any other source.)
        last: list[tuple[str, str]] = []

        def remembered() -> Iterator[tuple[str, str]]:
            for pair in committed:
                last[:] = [pair]
                yield pair

        try:
            self._db.executemany("INSERT INTO assignment VALUES (?, ?, 1, 0)", remembered())
        except sqlite3.IntegrityError:
            # executemany inserts each pair before taking the next: the last one failed.
            record_id = last[0][0] if last else None
            if (
                record_id is None
                or self._db.execute(
                    "SELECT 1 FROM assignment WHERE id = ?", (record_id,)
                ).fetchone()
                is None
            ):
                raise
            raise SplitError(
                f"id {record_id!r} is listed twice in the committed assignment [unique-id]"
            ) from None

    def close(self) -> None:
        self._db.close()

    def split_of(self, record_id: str) -> str:
        row = self._db.execute("SELECT split FROM assignment WHERE id = ?", (record_id,)).fetchone()
        return str(row[0]) if row is not None else split_for(record_id)

    def mark_seen(self, record_id: str) -> None:
        """An input provides this id, whether or not it is published this time."""
        if not self._any_committed:  # a first build: nothing to mark
            return
        self._db.execute(
            "UPDATE assignment SET seen = 1 WHERE id = ? AND committed = 1", (record_id,)
        )

    def assign(self, record_id: str) -> tuple[str, bool]:
        """The id's split, and whether this call placed it (a new id)."""
        split = split_for(record_id)
        placed = self._db.execute(
            "INSERT OR IGNORE INTO assignment VALUES (?, ?, 0, 1)", (record_id, split)
        ).rowcount
        if placed:
            return split, True
        self.mark_seen(record_id)
        return self.split_of(record_id), False

    def missing(self) -> list[str]:
        """Ids the committed assignment lists that this build did not see."""
        rows = self._db.execute(
            "SELECT id FROM assignment WHERE committed = 1 AND seen = 0 ORDER BY id"
        )
        return [str(record_id) for (record_id,) in rows]

    def assignments(self, prune: bool) -> Iterator[tuple[str, str]]:
        """The assignment to save, in id order: committed plus new, without missing ids
        when pruning."""
        condition = "WHERE committed = 0 OR seen = 1" if prune else ""
        yield from self._db.execute(f"SELECT id, split FROM assignment {condition} ORDER BY id")

    def committed_split(self, record_id: str) -> str | None:
        """The id's split in the committed assignment, if it lists the id."""
        row = self._db.execute(
            "SELECT split FROM assignment WHERE id = ? AND committed = 1", (record_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def place_story(self, ids: list[str]) -> StoryPlacement:
        """Give the copies of one story (assigned ids) their story id and split.

        Run once every article is seen: which ids are one story is known only then.
        """
        committed = {record_id: self.committed_split(record_id) for record_id in ids}
        anchors = sorted(record_id for record_id, split in committed.items() if split)
        story_id = anchors[0] if anchors else min(ids)
        story_split = committed[story_id] or split_for(story_id)
        splits: dict[str, str] = {}
        moved: list[tuple[str, str, str]] = []
        apart: list[tuple[str, str]] = []
        for record_id in sorted(ids):
            split = committed[record_id]
            if split is not None:
                splits[record_id] = split
                if split != story_split:
                    apart.append((record_id, split))
                continue
            placed = self.split_of(record_id)
            if placed != story_split:
                self._db.execute(
                    "UPDATE assignment SET split = ? WHERE id = ? AND committed = 0",
                    (story_split, record_id),
                )
                moved.append((record_id, placed, story_split))
            splits[record_id] = story_split
        return StoryPlacement(story_id, story_split, splits, moved, apart)

    def new_assignments(self) -> Iterator[tuple[str, str]]:
        """(id, split) of each id this build placed, in id order."""
        yield from self._db.execute(
            "SELECT id, split FROM assignment WHERE committed = 0 ORDER BY id"
        )
