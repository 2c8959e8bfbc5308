"""Worker processes and memory settings of a build.

Light to import (what it needs it imports when called): the command line starts the
worker server before it imports the rest of the builder.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.forkserver
from concurrent.futures import ProcessPoolExecutor

M_MMAP_THRESHOLD = -3  # glibc mallopt parameter (malloc.h)


def load_annotators() -> None:
    """Load what annotating text of any language needs in this process: the language
    detector's models and the validators (once; later calls cost next to nothing).

    A language's topic lexicon and date rules are compiled at its first text: a worker
    compiles those of the languages it meets, and a build of one or two languages does
    not wait for the rules of all of them.
    """
    from dataset_builder.annotators import language
    from dataset_builder.validate import contract

    language.load_models()
    contract.load_validators()


def use_system_allocator() -> None:
    """Give Arrow's buffers to the C library's allocator, and have it return them.

    Arrow's default allocator (mimalloc) keeps freed memory for reuse, so reading the
    release back for its statistics kept the build's memory high. glibc's malloc
    returns a block to the system at once only if it was mapped on its own, and by
    default it raises that size threshold as blocks are freed, so after a long build
    Arrow's buffers came from a fragmented heap that only grew; the threshold is fixed at
    glibc's initial 128 KiB.
    """
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    except (OSError, AttributeError):  # not glibc (or no mallopt): nothing to tune
        pass


def start_worker_server() -> None:
    """Start the process that worker processes are forked from, if it is not running.

    Workers are not forked from the build process itself: a fork copies the locks that
    the build's other threads (Arrow's thread pool, the progress bar) hold at that
    instant, and a worker needing one would wait forever. The server is a fresh,
    single-threaded interpreter that imports the builder and loads the language detector's
    models once (`dataset_builder.build.worker_preload`); the workers forked from it share
    them. Starting it early lets its imports overlap with the build's own.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dataset_builder.build.worker_preload"])
    multiprocessing.forkserver.ensure_running()


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes that annotate chunks of articles.

    A `concurrent.futures` pool, not `multiprocessing.Pool`: when a worker dies (the
    out-of-memory killer, a crash in a C extension) its tasks fail with
    BrokenProcessPool at once, where `multiprocessing.Pool` would wait for them for ever.
    """
    start_worker_server()
    # load_annotators again in case the server could not import them (it ignores an
    # ImportError in its preloads); otherwise it does nothing.
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=load_annotators,
    )
