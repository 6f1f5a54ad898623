"""Settings checks, their JSON round trip (for a child process) and the held-out split."""

from __future__ import annotations

from pathlib import Path

import pytest

from wbc_desktop.core.retrain.data import split_names
from wbc_desktop.core.retrain.settings import RetrainSettings


def test_round_trip_and_checks(tmp_path):
    s = RetrainSettings(out_dir=tmp_path, labels=[(tmp_path / "a.png", "lymphocyte")], models=("classifier",))
    s2 = RetrainSettings.from_dict(s.to_dict())
    assert s2 == s and isinstance(s2.out_dir, Path)
    s.check()
    for bad in (dict(models=("nope",)), dict(val_fraction=1.0), dict(time_budget_s=0), dict(lr=0),
                dict(time_budget_s=None, epochs=None), dict(device="tpu"), dict(images=[Path("a")])):
        with pytest.raises(ValueError):
            RetrainSettings(out_dir=tmp_path, **bad).check()


def test_split_is_seeded_and_keeps_one_of_each():
    names = [f"im{i}" for i in range(10)]
    tr, va = split_names(names, 0.2, seed=0)
    assert len(va) == 2 and tr | va == set(names) and not tr & va
    assert split_names(names, 0.2, seed=0) == (tr, va)
    assert split_names(names, 0.2, seed=1) != (tr, va)
    assert split_names(["a", "b"], 0.2, 0)[1] and split_names(["a", "b"], 0.2, 0)[0]  # one of each
    assert split_names(["a"], 0.5, 0) == ({"a"}, set())
    assert split_names(names, 0.0, 0) == (set(names), set())
