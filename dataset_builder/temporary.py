"""New files beside the file they will replace: written whole, then renamed into place."""

from __future__ import annotations

import errno
import os
import re
import secrets
from pathlib import Path

# `.<name>.<16 hex digits>.tmp`: what `create_beside` names a file beside `<name>`.
_TEMPORARY_NAME = re.compile(r"\.(.+)\.[0-9a-f]{16}\.tmp")


def create_beside(path: Path) -> tuple[Path, int]:
    """A new file beside `path`, under a name of its own, opened for writing.

    Two writers of the same file each get their own (a fixed name let one write into the
    other's, or replace a file of that name it did not make). Created with mode 0o666 as
    the umask allows, like any new file (mkstemp's 0o600 would make it private).
    """
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(path))


def replaced_by(temporary_name: str) -> str | None:
    """The name of the file a temporary file of `create_beside` was made to replace, or
    None when `temporary_name` is not such a file's name."""
    found = _TEMPORARY_NAME.fullmatch(temporary_name)
    return found[1] if found else None
