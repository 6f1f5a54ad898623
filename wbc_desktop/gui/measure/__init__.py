"""Measuring the window, not using it: the GUI benchmarks (``bench``: start, stalls, heartbeat;
``bench_gallery``: the batch gallery with 2,000 cells) and the Qt part of ``--self-test``."""
