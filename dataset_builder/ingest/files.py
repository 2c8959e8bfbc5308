"""Read a regular file without blocking, within a size limit."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_regular_file(path: Path) -> BinaryIO:
    """`path` opened for reading in binary, if it is a regular file.

    Opened without blocking and checked before reading: opening a FIFO for reading
    waits for a writer, for ever. Checking the open descriptor (not the path first)
    leaves no moment in which the path could be swapped for something else. Raises
    NotRegularFile, or the OSError of opening.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(mode)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


class NotRegularFile(OSError):
    def __init__(self, mode: int) -> None:
        super().__init__(errno.EINVAL, "not a regular file (a FIFO, socket, device or folder)")
        self.mode = mode


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (see `open_regular_file`).

    Raises OSError, or InputTooLarge carrying the SHA-256 of the whole file (hashed in
    blocks from the same open file, never held whole).
    """
    with open_regular_file(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        data = b""
        if size <= max_bytes:
            # Asked for `max_bytes + 1` at once, the reader allocates that much for every
            # file; a file that grew since `fstat` is read on up to that limit.
            data = handle.read(size + 1)
            if len(data) > size:
                data += handle.read(max_bytes + 1 - len(data))
        if size > max_bytes or len(data) > max_bytes:  # or grew while being read
            digest, read = hashlib.sha256(data), len(data)
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                read += len(block)
            raise InputTooLarge(max(size, read), max_bytes, digest.hexdigest())
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
