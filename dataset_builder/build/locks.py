"""Exclusive locks on the folders a build writes, so that two builds never interleave.

A lock is an advisory `flock` on a small file: the kernel releases it when the process
holding it ends, however it ends, so a crashed build never leaves a stale lock, and it
holds across PID namespaces (containers) that share the file system. The file is
removed when the lock is released, so a build leaves nothing behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


class FolderBusy(Exception):
    """Another build holds the lock."""


@contextmanager
def exclusive(lock_file: Path, what: str) -> Iterator[None]:
    """Hold the lock `lock_file` for this block, or raise FolderBusy at once.

    `what` names the folder the lock protects, for the message.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    while True:
        descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 64, 0).decode("ascii", "replace").strip()
            os.close(descriptor)
            raise FolderBusy(
                f"{what} is in use by another build (process {holder or 'unknown'}); "
                "wait for it to finish, or choose another folder"
            ) from None
        # The holder before us may have removed the file between our open and our lock:
        # then we hold a lock on a file nobody else can see, and must start again.
        try:
            current = os.stat(lock_file).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(descriptor).st_ino:
            break
        os.close(descriptor)
    try:
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with suppress(FileNotFoundError):
            lock_file.unlink()  # while still locked: no one else can hold it meanwhile
        os.close(descriptor)
