"""Judging a submission: the check and mistake registries, strategies, numeric comparison,
statistics, determinism, the reference (or its recorded replay), the runner and the report."""
