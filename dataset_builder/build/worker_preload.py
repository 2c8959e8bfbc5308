"""Imported once by the worker pool's fork server (see `build.runtime.worker_pool`).

Loading here, in the server, lets every worker forked from it share the language
detector's models and the validators instead of loading its own copy; the same goes for
the modules a worker runs and for what they load the first time they are used. Topic
lexicons and date rules are compiled by each worker at its first text in their language
(`runtime.load_annotators`).
"""

import gc

from dataset_builder.build import worker  # noqa: F401  (the module workers are sent to run)
from dataset_builder.build.dedup import fingerprint
from dataset_builder.build.runtime import load_annotators, use_system_allocator
from dataset_builder.config import CONFIGS
from dataset_builder.publish.parquet import arrow_row, rows_to_table

use_system_allocator()
load_annotators()
# Used once here, what a worker's first article loads is loaded for all of them: the
# codec of the fingerprints, the Arrow schemas and converters, and pandas, which pyarrow
# imports the first time it converts Python values (to recognise pandas objects).
fingerprint("Vietnam and Japan")
for config in CONFIGS:
    arrow_row({}, config)
    rows_to_table([], config)
# What is loaded so far lives as long as the workers: frozen, the workers' garbage
# collections leave it alone instead of walking it again and again, as the `gc` docs
# advise before forking.
gc.freeze()
