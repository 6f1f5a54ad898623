"""The Qt part of ``--self-test`` (``selftest_qt``: the main window builds and draws, off screen) and
the check for the system library Qt needs before it starts (``linux_libs``).

The GUI benchmarks (start-up, stalls, the batch gallery, editing, retraining) live in the
repository's ``benchmarks/``, not in the shipped package."""
