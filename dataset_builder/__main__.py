import sys

from dataset_builder.cli import main

sys.exit(main())
