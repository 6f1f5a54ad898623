"""Folder swaps and file checksums shared by model saving, retraining output, batch records and projects."""

from __future__ import annotations

import hashlib
import os

import pytest

from wbc_desktop.core.io.atomic import replace_folder, sha256_file


def _folder(path, text):
    path.mkdir()
    (path / "card.json").write_text(text)
    return path


def test_replace_folder_swaps_in_the_new_and_removes_the_old(tmp_path):
    dest = _folder(tmp_path / "model", "old")
    replace_folder(_folder(tmp_path / ".model.tmp", "new"), dest)
    assert (dest / "card.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temp or backup left


def test_replace_folder_into_a_new_place(tmp_path):
    replace_folder(_folder(tmp_path / ".m.tmp", "new"), tmp_path / "m")
    assert (tmp_path / "m" / "card.json").read_text() == "new"


def test_failed_move_puts_the_old_folder_back(tmp_path, monkeypatch):
    dest = _folder(tmp_path / "model", "old")
    src = _folder(tmp_path / ".model.tmp", "new")
    real = os.replace

    def failing(a, b):
        if str(a) == str(src):
            raise OSError("disk full")
        return real(a, b)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        replace_folder(src, dest)
    assert (dest / "card.json").read_text() == "old"


def test_sha256_file_reads_in_chunks_like_hashlib(tmp_path):
    data = os.urandom((1 << 20) * 2 + 17)  # crosses the 1 MiB chunk boundary
    p = tmp_path / "blob.bin"
    p.write_bytes(data)
    assert sha256_file(p) == hashlib.sha256(data).hexdigest()
