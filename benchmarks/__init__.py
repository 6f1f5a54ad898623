"""Benchmarks: the pytest-benchmark suite (``test_*.py``) and the longer measurement scripts it wraps."""
