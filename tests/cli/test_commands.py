"""The headless CLI, driven as a user would: exit codes, files written, one-line errors."""

import json
import shutil

import numpy as np
import pytest

from wbc_desktop.cli import main
from wbc_desktop.core.io.images import read_image


@pytest.fixture
def inputs(tmp_path, fixtures):
    d = tmp_path / "in"
    d.mkdir()
    for n in ("002.png", "004.png"):
        shutil.copy(fixtures / "cellavision" / "images" / n, d / n)
    return d


def test_analyze_writes_masks_overlays_and_tables(tmp_path, inputs, tiny_segmenter, capsys):
    out = tmp_path / "out"
    rc = main(["analyze", str(inputs), "--out", str(out), "--model", str(tiny_segmenter), "--classifier", "none"])
    assert rc == 0
    for stem in ("002", "004"):
        m = read_image(out / "masks" / f"{stem}.png").pixels[..., 0]
        assert m.shape == (300, 300) and set(np.unique(m)) <= {0, 128, 255}
        assert (out / "overlays" / f"{stem}.png").is_file()
    header = (out / "cells.csv").read_text().splitlines()[0]
    assert header.startswith("image,cell_id,x0,y0,x1,y1,centroid_x")
    assert (out / "summary.csv").read_text().startswith("image,cell_type,count,percent")
    assert "device: cpu" in capsys.readouterr().err


def test_analyze_without_overlays_writes_masks_and_tables_only(tmp_path, inputs, tiny_segmenter):
    out = tmp_path / "out"
    rc = main(["analyze", str(inputs), "--out", str(out), "--model", str(tiny_segmenter), "--classifier", "none",
               "--no-overlays"])
    assert rc == 0
    assert (out / "masks" / "002.png").is_file() and not list((out / "overlays").glob("*.png"))
    assert (out / "cells.csv").is_file()


def test_analyze_with_rotated_views_types_the_same_cells(tmp_path, inputs, capsys):
    # the shipped models: one view, the card's policy and four views find the same cells; the log says which
    rows = {}
    for views, said in (("1", "(1 view per cell)"), ("0", "(4 views if unsure (< 0.80), 2 models per cell)"),
                        ("4", "(4 views per cell)")):
        out = tmp_path / f"out{views}"
        args = ["--views", views] if views != "0" else []
        assert main(["analyze", str(inputs), "--out", str(out), *args, "--device", "cpu"]) == 0
        assert said in capsys.readouterr().err
        rows[views] = [r.split(",")[:6] for r in (out / "cells.csv").read_text().splitlines()[1:]]
    assert rows["1"] and rows["1"] == rows["0"] == rows["4"]


def test_analyze_bad_inputs_fail_cleanly_and_the_rest_is_processed(tmp_path, inputs, tiny_segmenter, capsys):
    (inputs / "empty.png").write_bytes(b"")
    (inputs / "junk.jpg").write_bytes(b"not a jpeg")
    out = tmp_path / "out"
    rc = main(["analyze", str(inputs), "--out", str(out), "--model", str(tiny_segmenter), "--classifier", "none"])
    err = capsys.readouterr().err
    assert rc != 0
    assert "error: empty.png: file is empty" in err and "error: junk.jpg:" in err
    assert "Traceback" not in err
    assert (out / "masks" / "002.png").is_file() and (out / "masks" / "004.png").is_file()


def test_unknown_model_is_one_line_error(tmp_path, inputs, capsys):
    rc = main(["analyze", str(inputs), "--out", str(tmp_path / "o"), "--model", "nope"])
    err = capsys.readouterr().err
    assert rc == 2 and "no segmenter model" in err and "Traceback" not in err


def test_evaluate_json_contract(tmp_path, fixtures, tiny_segmenter):
    j = tmp_path / "r.json"
    fx = fixtures / "cellavision"
    rc = main(["evaluate", "--images", str(fx / "images"), "--masks", str(fx / "masks"), "--labels",
               str(fx / "labels.csv"), "--split", "train", "--model", str(tiny_segmenter), "--json", str(j),
               "--classifier", "none"])
    assert rc == 0
    r = json.loads(j.read_text())
    assert r["n_images"] == 3
    assert set(r["dice"]) == {"nucleus", "cytoplasm", "cell", "mean"}
    assert all(0.0 <= v <= 1.0 for v in r["dice"].values())
    assert set(r["model"]) == {"name", "version", "params"} and r["device"] == "cpu"


def test_train_then_use_the_output_as_model(tmp_path, fixtures):
    fx = fixtures / "cellavision"
    out = tmp_path / "m"
    rc = main(["train", "--images", str(fx / "images"), "--masks", str(fx / "masks"), "--labels",
               str(fx / "labels.csv"), "--split", "train", "--out", str(out), "--steps", "2", "--batch-size", "2"])
    assert rc == 0 and (out / "weights.safetensors").is_file()
    rc = main(["train", "--images", str(fx / "images"), "--masks", str(fx / "masks"), "--base", str(out),
               "--out", str(tmp_path / "m2"), "--steps", "1", "--batch-size", "2"])
    assert rc == 0
    card = json.loads((tmp_path / "m2" / "card.json").read_text())
    assert card["training"]["fine_tuned_from"] == "m"
    rc = main(["analyze", str(fx / "images" / "002.png"), "--out", str(tmp_path / "o"), "--model", str(tmp_path / "m2"),
               "--classifier", "none"])
    assert rc == 0


def test_analyze_rerun_resumes_and_fresh_starts_over(tmp_path, inputs, tiny_segmenter, capsys):
    out = tmp_path / "out"
    args = ["analyze", str(inputs), "--out", str(out), "--model", str(tiny_segmenter), "--classifier", "none"]
    assert main(args) == 0
    first = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    assert set(first) == {"cells.csv", "images.csv", "summary.csv"}
    capsys.readouterr()
    assert main(args) == 0
    assert "2 analysed (2 from an earlier run)" in capsys.readouterr().err
    assert main(args + ["--fresh"]) == 0
    assert "2 analysed, 0 failed" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == first
