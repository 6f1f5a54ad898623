"""``wbc-desktop project``: new (with the shipped models), import, export, status; bad input."""

import json
import shutil

import numpy as np
from PIL import Image
from pycocotools.coco import COCO

from wbc_desktop.cli import main

from tests.conftest import FIXTURES


def _images(tmp_path, n=2):
    d = tmp_path / "imgs"
    d.mkdir()
    for p in sorted((FIXTURES / "cellavision" / "images").glob("*.png"))[:n]:
        shutil.copy(p, d / p.name)
    (d / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    return d


def test_new_analyses_then_import_export_status(tmp_path, capsys):
    imgs = _images(tmp_path)
    proj = tmp_path / "proj"
    rc = main(["project", "new", str(proj), str(imgs), "--user", "ana", "--device", "cpu"])
    err = capsys.readouterr().err
    assert rc == 1 and "error: broken.png:" in err  # the bad file named, the rest analysed
    stems = [p.stem for p in sorted(imgs.glob("0*.png"))]
    assert all((proj / "model" / f"{s}.png").is_file() for s in stems)

    masks = tmp_path / "fixed"
    masks.mkdir()
    shutil.copy(FIXTURES / "cellavision" / "masks" / f"{stems[0]}.png", masks / f"{stems[0]}.png")
    Image.fromarray(np.zeros((5, 5), np.uint8)).save(masks / f"{stems[1]}.png")  # wrong size
    before = (proj / "cells.csv").read_text()
    rc = main(["project", "import", str(proj), "--masks", str(masks)])
    err = capsys.readouterr().err
    assert rc == 1 and f"error: {stems[1]}.png: mask is 5x5" in err
    assert (proj / "masks" / f"{stems[0]}.png").is_file() and not (proj / "masks" / f"{stems[1]}.png").exists()
    assert before != (proj / "cells.csv").read_text()

    assert main(["project", "status", str(proj)]) == 0
    out = capsys.readouterr().out
    assert "corrected\t1" in out and "analysed\t1" in out

    assert main(["project", "export", str(proj), "--format", "geojson", "--out", str(tmp_path / "g")]) == 0
    assert sorted(p.stem for p in (tmp_path / "g").glob("*.geojson")) == stems
    doc = json.loads((tmp_path / "g" / f"{stems[0]}.geojson").read_text())
    assert doc["features"] and doc["features"][0]["properties"]["objectType"] == "cell"
    assert main(["project", "export", str(proj), "--format", "coco", "--out", str(tmp_path / "c.json")]) == 0
    coco = COCO(str(tmp_path / "c.json"))
    assert [i["file_name"] for i in coco.dataset["images"]] == [f"{s}.png" for s in stems]
    for fmt in ("masks", "csv"):
        assert main(["project", "export", str(proj), "--format", fmt, "--out", str(tmp_path / fmt)]) == 0
    assert (tmp_path / "csv" / "cells.csv").is_file() and len(list((tmp_path / "masks").glob("*.png"))) == 2


def test_no_analyze_and_errors(tmp_path, capsys):
    imgs = _images(tmp_path, 1)
    proj = tmp_path / "p"
    assert main(["project", "new", str(proj), str(imgs / "002.png"), "--no-analyze"]) == 0
    assert main(["project", "new", str(proj), str(imgs / "002.png")]) == 2
    assert "already a project" in capsys.readouterr().err
    assert main(["project", "status", str(tmp_path / "nothing")]) == 2
    assert "not a WBC Desktop project" in capsys.readouterr().err
    (proj / "project.json").write_text("{")
    assert main(["project", "status", str(proj)]) == 0
    assert "note: project.json: damaged" in capsys.readouterr().err
