"""Retraining the shipped models on a lab's corrections, with replay of the shipped data so
nothing known is forgotten, writing a new model version (see :mod:`wbc_desktop.core.weights.versions`).

Data enters as a project folder (its corrected masks and typed cells, read by ``data`` and split
into train and held-out images) plus ``settings``; ``replay`` mixes in the shipped samples,
``tune_segmenter`` and ``tune_classifier`` fine-tune, and ``engine.run_retrain`` leaves a new
version in the project's ``models/`` with before/after figures (``preview``: old and new overlays
of held-out images). ``process`` runs all of it in a spawned child process, so the window only
polls events. ``settings`` is plain data and imports no torch, so the window's process can build
settings; ``run_retrain`` (torch) is imported lazily. It sits on top of the core with ``batch``.
"""

from wbc_desktop.core.retrain.settings import RetrainResult, RetrainSettings

__all__ = ["RetrainResult", "RetrainSettings", "run_retrain"]


def __getattr__(name: str):
    if name == "run_retrain":
        from wbc_desktop.core.retrain.engine import run_retrain

        return run_retrain
    raise AttributeError(name)
