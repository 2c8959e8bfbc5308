"""Imported once by the worker pool's fork server (see `pipeline.worker_pool`).

Loading the annotators here, in the server, lets every worker forked from it share the
compiled lexicons and validators instead of loading its own copy.
"""

from dataset_builder.pipeline import load_annotators, use_system_allocator

use_system_allocator()
load_annotators()
