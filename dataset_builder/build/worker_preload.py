"""Imported once by the worker pool's fork server (see `build.runtime.worker_pool`).

Loading the annotators here, in the server, lets every worker forked from it share the
compiled lexicons and validators instead of loading its own copy.
"""

import gc

from dataset_builder.build.runtime import load_annotators, use_system_allocator

use_system_allocator()
load_annotators()
# What is loaded so far lives as long as the workers: frozen, the workers' garbage
# collections leave it alone instead of walking it again and again, as the `gc` docs
# advise before forking.
gc.freeze()
