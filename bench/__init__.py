"""Benchmarks: ``python -m bench <name>``; each prints ratios against a baseline of the same run."""
