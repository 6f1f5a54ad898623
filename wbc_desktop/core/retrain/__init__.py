"""Retraining the shipped models on a lab's corrections, with replay of the shipped data so
nothing known is forgotten, writing a new model version (see :mod:`wbc_desktop.core.weights.versions`).

``settings`` is plain data and imports no torch, so the window's process can build settings;
``run_retrain`` (torch) is imported lazily.
"""

from wbc_desktop.core.retrain.settings import RetrainResult, RetrainSettings

__all__ = ["RetrainResult", "RetrainSettings", "run_retrain"]


def __getattr__(name: str):
    if name == "run_retrain":
        from wbc_desktop.core.retrain.engine import run_retrain

        return run_retrain
    raise AttributeError(name)
