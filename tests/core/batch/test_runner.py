"""Streamed, resumable batches: the same bytes as writing everything at the end, and records checked."""

import json
import shutil

import pytest

from wbc_desktop.core.batch import records
from wbc_desktop.core.batch.job import BatchSettings
from wbc_desktop.core.batch.runner import run_batch
from wbc_desktop.core.io.images import list_images, read_image
from wbc_desktop.core.pipeline import Pipeline
from wbc_desktop.core.export.tables import write_cells_csv, write_summary_csv


@pytest.fixture
def inputs(tmp_path, fixtures):
    d = tmp_path / "in"
    d.mkdir()
    for n in ("002.png", "004.png", "007.png"):
        shutil.copy(fixtures / "cellavision" / "images" / n, d / n)
    (d / "bad.png").write_bytes(b"not a png")
    return list_images([d])


def _run(files, out, seg, **kw):
    lines = []
    rep = run_batch(files, out, BatchSettings(model=str(seg), classifier=None), say=lines.append, **kw)
    return rep, lines


def _outputs(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and records.RECORDS not in p.parts}


def test_streamed_tables_equal_the_one_go_tables_and_a_bad_image_fails_alone(tmp_path, inputs, tiny_segmenter):
    out = tmp_path / "out"
    rep, lines = _run(inputs, out, tiny_segmenter)
    assert rep.failed == 1 and rep.analysed == len(inputs) - 1
    assert [ln for ln in lines if ln.startswith("error:")] == ["error: bad.png: not a readable image (unknown or damaged format)"]
    pipe = Pipeline.load(str(tiny_segmenter), None)
    analyses = [pipe.analyze(read_image(p)) for p in inputs if p.name != "bad.png"]
    write_cells_csv(analyses, tmp_path / "cells.csv")
    write_summary_csv(analyses, tmp_path / "summary.csv")
    assert (out / "cells.csv").read_bytes() == (tmp_path / "cells.csv").read_bytes()
    assert (out / "summary.csv").read_bytes() == (tmp_path / "summary.csv").read_bytes()
    assert len((out / "images.csv").read_text().splitlines()) == len(analyses) + 1
    assert not (out / "summary.csv.partial").exists()


def test_a_rerun_skips_checked_records_and_redoes_damaged_ones(tmp_path, inputs, tiny_segmenter):
    out = tmp_path / "out"
    _run(inputs, out, tiny_segmenter)
    first = _outputs(out)
    rep, lines = _run(inputs, out, tiny_segmenter)
    assert rep.resumed == len(inputs) - 1 and rep.analysed == 0 and _outputs(out) == first
    # a damaged mask and a record from other settings are not trusted: those images are redone
    (out / "masks" / "002.png").write_bytes(b"half a png")
    rec = records.record_path(out, inputs[1])
    data = json.loads(rec.read_text())
    data["settings"] = "other"
    rec.write_text(json.dumps(data))
    rep, _ = _run(inputs, out, tiny_segmenter)
    assert rep.analysed == 2 and rep.resumed == len(inputs) - 3 and _outputs(out) == first
    rep, _ = _run(inputs, out, tiny_segmenter, fresh=True)
    assert rep.resumed == 0 and rep.analysed == len(inputs) - 1 and _outputs(out) == first


def test_an_interrupted_run_keeps_finished_rows_and_resumes_to_the_same_bytes(tmp_path, inputs, tiny_segmenter):
    out = tmp_path / "out"
    _run(inputs, out, tiny_segmenter)
    full = _outputs(out)
    out2 = tmp_path / "out2"

    class Stop(Exception):
        pass

    def say(line):
        if line.startswith("[2/"):
            raise Stop  # as a Ctrl+C right after the second image
    with pytest.raises(Stop):
        run_batch(inputs, out2, BatchSettings(model=str(tiny_segmenter), classifier=None), say=say)
    kept = (out2 / "cells.csv").read_text().splitlines()
    assert kept[0].startswith("image,cell_id") and all(r.split(",")[0] == inputs[0].name for r in kept[1:])
    assert not (out2 / "summary.csv").exists()
    rep, _ = _run(inputs, out2, tiny_segmenter)
    assert rep.resumed == 2 and _outputs(out2) == full


@pytest.mark.slow
def test_a_sigkilled_run_resumes_to_the_same_bytes(tmp_path, inputs, tiny_segmenter):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    full = tmp_path / "full"
    _run(inputs, full, tiny_segmenter)
    out = tmp_path / "killed"
    args = [sys.executable, "-m", "wbc_desktop.cli", "analyze", *map(str, inputs), "--out", str(out),
            "--model", str(tiny_segmenter), "--classifier", "none", "--device", "cpu"]
    proc = subprocess.Popen(args, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and not list((out / records.RECORDS).glob("*.json")):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (out / "cells.csv").exists() and not (out / "summary.csv").exists()
    rep, _ = _run(inputs, out, tiny_segmenter)
    assert rep.resumed >= 1 and _outputs(out) == _outputs(full)
