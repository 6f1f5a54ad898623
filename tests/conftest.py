"""Shared fixtures: small public images shipped in tests/fixtures (see ATTRIBUTION.md)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_collection_modifyitems(config, items):
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason="../shared/data not present")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_user_dir(tmp_path_factory, monkeypatch):
    """Tests never touch the real user's models or settings."""
    monkeypatch.setenv("WBC_DESKTOP_USER_DIR", str(tmp_path_factory.mktemp("user")))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def cell_pair():
    from wbc_desktop.core.io.images import read_image, read_mask

    img = read_image(FIXTURES / "cellavision" / "images" / "002.png")
    return img.pixels, read_mask(FIXTURES / "cellavision" / "masks" / "002.png", img.shape)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def tiny_segmenter(tmp_path_factory) -> Path:
    """A segmenter trained for a few steps on the fixtures: real files, real code path, no quality."""
    import torch

    from wbc_desktop.core.io.datasets import find_pairs, load_pairs
    from wbc_desktop.core.segmentation.recipe import train_segmenter
    from wbc_desktop.core.segmentation.training import TrainSettings

    out = tmp_path_factory.mktemp("models") / "tiny-seg"
    pairs = [(r, m) for _, r, m in load_pairs(find_pairs(FIXTURES / "cellavision" / "images", FIXTURES / "cellavision" / "masks"))]
    settings = TrainSettings(steps=3, batch_size=2, crop=64, val_every=3)
    train_segmenter(pairs[:4], pairs[4:], out, settings, device=torch.device("cpu"), data_note="test fixtures")
    return out
