"""training/data/make_shifted_val.py on the fixture data set: deterministic, masks stay 0/128/255."""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "cellavision"


def _load():
    return importlib.import_module("training.data.make_shifted_val")


def _run(mod, out: Path, monkeypatch) -> dict[str, str]:
    monkeypatch.setattr(sys, "argv", ["x", str(out), "--split", "val", "--data", str(FIX)])
    mod.main()
    return {p.relative_to(out).as_posix(): hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(out.rglob("*")) if p.is_file()}


def test_shifted_copy(tmp_path, monkeypatch):
    mod = _load()
    a = _run(mod, tmp_path / "a", monkeypatch)
    b = _run(mod, tmp_path / "b", monkeypatch)
    assert a == b  # byte-identical on a re-run
    names = [f"011{s}.png" for s in mod.VARIANTS]
    for n in names:
        img = np.asarray(Image.open(tmp_path / "a" / "images" / n))
        m = np.asarray(Image.open(tmp_path / "a" / "masks" / n))
        assert img.shape[:2] == m.shape and img.shape[2] == 3
        assert set(np.unique(m).tolist()) <= {0, 128, 255}
    assert np.asarray(Image.open(tmp_path / "a" / "masks" / "011_s0.6.png")).shape == (180, 180)
    lines = (tmp_path / "a" / "labels.csv").read_text().splitlines()
    assert lines[0].startswith("image,cell_type,split") and len(lines) == 1 + len(names)
    src = np.asarray(Image.open(FIX / "images" / "011.png").convert("RGB")).astype(int)
    hed = np.asarray(Image.open(tmp_path / "a" / "images" / "011_hed.png")).astype(int)
    assert np.abs(hed - src).mean() > 5  # the stain shift is strong, not cosmetic
