"""Research apart from the product (not part of the installed package): ``recipes/`` build the
shipped models, ``eval/`` measures them, ``data/`` makes and reads the data sets, ``lib/`` holds
what they share (``lib/paths.py``: the one place that says where the data is). Run as modules from
the repository root, e.g. ``python -m training.eval.eval_scale``; reports go to
``training/reports/<topic>/``.
"""
