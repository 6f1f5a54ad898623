"""batch.records: an image is skipped on a rerun only when everything its record claims holds."""

from __future__ import annotations

import os

from wbc_desktop.core.batch import records


def _result():
    return {"path": "x", "error": "", "files": {"masks/a.png": b"mask", "overlays/a.png": b"ov"},
            "cells": [{"image": "a.png", "cell_id": 1}], "image": {"image": "a.png"}, "counts": {"neutrophil": 1}}


def test_save_then_load_valid(tmp_path):
    src = tmp_path / "a.png"
    src.write_bytes(b"pixels")
    out = tmp_path / "out"
    rec = records.save(out, src, "k1", _result())
    assert (out / "masks" / "a.png").read_bytes() == b"mask" and "files" not in rec
    assert records.load_valid(out, src, "k1")["cells"] == [{"image": "a.png", "cell_id": 1}]
    assert records.load(out, src)["counts"] == {"neutrophil": 1}


def test_any_doubt_means_redo(tmp_path):
    src = tmp_path / "a.png"
    src.write_bytes(b"pixels")
    out = tmp_path / "out"
    records.save(out, src, "k1", _result())
    assert records.load_valid(out, src, "other settings") is None
    (out / "overlays" / "a.png").write_bytes(b"changed")
    assert records.load_valid(out, src, "k1") is None  # an output changed
    records.save(out, src, "k1", _result())
    os.utime(src, ns=(1, 1))
    assert records.load_valid(out, src, "k1") is None  # the source changed
    records.save(out, src, "k1", _result())
    records.record_path(out, src).write_text("{ torn")
    assert records.load_valid(out, src, "k1") is None and records.load(out, src) is None
    records.save(out, src, "k1", dict(_result(), error="a.png: unreadable"))
    assert records.load_valid(out, src, "k1") is None  # a failed image is tried again


def test_clear_forgets_every_record(tmp_path):
    src = tmp_path / "a.png"
    src.write_bytes(b"pixels")
    out = tmp_path / "out"
    records.save(out, src, "k1", _result())
    records.clear(out)
    assert records.load_valid(out, src, "k1") is None and (out / "masks" / "a.png").is_file()
