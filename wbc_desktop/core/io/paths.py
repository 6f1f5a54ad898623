"""Where shipped resources and user data live (source tree, installed package or PyInstaller bundle)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, inside the bundle when frozen."""
    env = os.environ.get("WBC_DESKTOP_RESOURCES")
    if env:
        return Path(env)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[3] / "resources"


def samples_dir() -> Path:
    return resources_dir() / "samples"


def user_data_dir() -> Path:
    """Per-user folder for trained models and settings (never inside the install)."""
    env = os.environ.get("WBC_DESKTOP_USER_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path("wbc-desktop", appauthor=False)
