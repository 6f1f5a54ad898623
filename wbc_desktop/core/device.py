"""Choosing where the networks run, and saying which one did."""

from __future__ import annotations

import logging

import torch

from wbc_desktop.core.errors import WbcError

log = logging.getLogger(__name__)


def resolve_device(choice: str = "auto") -> torch.device:
    """``auto`` picks CUDA when present, else CPU; ``cuda`` without a GPU is a clear error."""
    choice = (choice or "auto").lower()
    if choice == "auto":
        return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    if choice.startswith("cuda"):
        if not torch.cuda.is_available():
            raise WbcError("--device cuda was asked for, but no CUDA GPU is available (use auto or cpu)")
        return torch.device(choice if ":" in choice else "cuda:0")
    if choice == "cpu":
        return torch.device("cpu")
    raise WbcError(f"unknown device {choice!r} (use auto, cpu or cuda)")


def describe_device(device: torch.device) -> str:
    """``cpu`` or ``cuda:N``: the string reports and JSON files carry."""
    if device.type == "cuda":
        return f"cuda:{device.index or 0}"
    return "cpu"


def device_label(device: torch.device) -> str:
    """A human label for status bars: 'CPU' or the GPU's name."""
    if device.type == "cuda":
        return f"GPU {torch.cuda.get_device_name(device)} (cuda:{device.index or 0})"
    return "CPU"


def is_oom(exc: BaseException) -> bool:
    return isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower()
