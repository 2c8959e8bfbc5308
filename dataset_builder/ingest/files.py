"""Read a regular file without blocking, within a size limit."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`.

    Opened without blocking and checked before reading: opening a FIFO for reading
    waits for a writer, for ever. Raises OSError (or InputTooLarge) with a message.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket, device or folder)")
        if status.st_size > max_bytes:
            raise InputTooLarge(status.st_size, max_bytes)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while being read
        raise InputTooLarge(len(data), max_bytes)
    return data


class InputTooLarge(OSError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"file is {size} bytes, limit is {limit}")
        self.size = size


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
