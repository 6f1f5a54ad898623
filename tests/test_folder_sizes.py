"""scripts/folder_sizes.py: the installer's size report counts each file once and groups parts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "folder_sizes.py"


def _load():
    spec = importlib.util.spec_from_file_location("folder_sizes", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_sizes_and_parts(tmp_path, capsys):
    fs = _load()
    lib = tmp_path / "_internal" / "torch" / "lib"
    lib.mkdir(parents=True)
    (lib / "libtorch_cpu.so").write_bytes(b"x" * 3000)
    (tmp_path / "_internal" / "libpython.so").write_bytes(b"x" * 500)
    (tmp_path / "wbc-desktop").write_bytes(b"x" * 1000)
    (tmp_path / "wbc-desktop-cli").symlink_to("wbc-desktop")  # a link is not counted twice
    sizes = fs.file_sizes(tmp_path)
    assert sum(sizes.values()) == 4500
    parts = fs.parts(sizes, 2)
    assert parts["torch/lib"] == 3000 and parts["libpython.so"] == 500 and parts["wbc-desktop"] == 1000
    assert fs.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "in 3 files" in out and "torch/lib" in out
    assert fs.main([str(tmp_path / "missing")]) == 2
