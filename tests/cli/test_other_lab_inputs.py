"""CLI behaviour on inputs other labs send: empty folders named like images, wrong-size masks."""

import json
import shutil

from PIL import Image

from wbc_desktop.cli import main


def test_analyze_names_a_folder_called_png(tmp_path, capsys):
    d = tmp_path / "x.png"
    d.mkdir()
    rc = main(["analyze", str(d), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc != 0 and "x.png" in err and "folder" in err and "Traceback" not in err


def test_evaluate_wrong_size_mask_is_named_left_out_and_fails(tmp_path, fixtures, tiny_segmenter, capsys):
    fx = fixtures / "cellavision"
    imgs, msks = tmp_path / "images", tmp_path / "masks"
    shutil.copytree(fx / "images", imgs)
    shutil.copytree(fx / "masks", msks)
    first = sorted(msks.iterdir())[0]
    with Image.open(first) as m:
        m.resize((m.width // 2, m.height // 2), Image.NEAREST).save(first)
    n_all = len(list(imgs.iterdir()))
    j = tmp_path / "r.json"
    rc = main(["evaluate", "--images", str(imgs), "--masks", str(msks), "--model", str(tiny_segmenter),
               "--json", str(j), "--classifier", "none"])
    err = capsys.readouterr().err
    assert rc != 0
    assert first.name in err and "left out" in err
    r = json.loads(j.read_text())
    assert r["n_images"] == n_all - 1 and first.stem not in {k.rsplit(".", 1)[0] for k in r["per_image"]}
    assert any(first.name in e for e in r["errors"])


def test_analyze_warns_when_the_batch_is_unfamiliar(tmp_path, fixtures, capsys):
    """A BCCD field (another lab's stain) with the shipped models: the batch sentence at the end."""
    rc = main(["analyze", str(fixtures / "bccd" / "BloodImage_00000.jpg"), "--out", str(tmp_path / "o"),
               "--device", "cpu"])
    err = capsys.readouterr().err
    assert rc == 0
    assert "warning: these images differ from what the models learned: check the results, correct a few and retrain" in err


def test_analyze_is_quiet_on_training_lab_images(tmp_path, fixtures, capsys):
    rc = main(["analyze", str(fixtures / "cellavision" / "images" / "002.png"), "--out", str(tmp_path / "o"),
               "--device", "cpu"])
    err = capsys.readouterr().err
    assert rc == 0 and "differ from what the models learned" not in err
