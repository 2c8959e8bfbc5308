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
    waits for a writer, for ever. Raises OSError, or InputTooLarge carrying the SHA-256
    of the whole file (hashed in blocks from the same open file, never held whole).
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket, device or folder)")
        data = handle.read(max_bytes + 1) if status.st_size <= max_bytes else b""
        if status.st_size > max_bytes or len(data) > max_bytes:  # or grew while being read
            digest = hashlib.sha256(data)
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
            raise InputTooLarge(max(status.st_size, len(data)), max_bytes, digest.hexdigest())
    return data


class InputTooLarge(OSError):
    def __init__(self, size: int, limit: int, sha256: str) -> None:
        super().__init__(errno.EFBIG, f"file is {size} bytes, limit is {limit}")
        self.size = size
        self.sha256 = sha256


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
