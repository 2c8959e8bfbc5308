"""Evaluation against hand-checked gold: how well the annotators do on the seeds.

Used by the tests and the benchmarks, never by the annotators or the build.
"""
