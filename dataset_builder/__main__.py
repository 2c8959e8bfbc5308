from dataset_builder.cli import run

run()
