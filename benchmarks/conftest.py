"""The benchmark suite: ``pytest benchmarks/`` (pytest-benchmark), kept out of the unit tests.

Timings flake on a loaded machine, so no unit test asserts one; the figures the README quotes are
measured here or by the longer scripts beside these files (``python -m benchmarks.gui_window``,
``gui_gallery``, ``gui_editing``, ``gui_retrain``, ``app_start``, ``bench_batch``,
``bench_classifier``, and the product's own ``wbc-desktop bench``). ``--benchmark-json FILE``
keeps a run to compare with ``pytest-benchmark compare``.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OMP_NUM_THREADS", "1")
