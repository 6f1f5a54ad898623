import threading

import numpy as np
import pytest

from wbc_desktop.core.errors import Cancelled, InputError
from wbc_desktop.core.pipeline import Pipeline
from wbc_desktop.core.segmentation.segmenter import Segmenter


@pytest.fixture
def pipe(tiny_segmenter):
    return Pipeline(Segmenter.load(str(tiny_segmenter), device="cpu"))


def test_analyze_a_file_end_to_end(pipe, fixtures):
    seen = []
    a = pipe.analyze(fixtures / "cellavision" / "images" / "002.png", progress=lambda d, t, m: seen.append((d, t)))
    assert a.image_name == "002.png" and a.shape == (300, 300)
    assert a.class_map.shape == a.instances.shape == (300, 300)
    assert a.device == "cpu" and a.models["segmenter"]["params"] > 0
    assert set(np.unique(a.instances).tolist()) - {0} == {c.cell_id for c in a.cells}
    assert seen[-1][0] == seen[-1][1] and a.timings_ms["total"] > 0


def test_analyze_bad_file_is_input_error(pipe, tmp_path):
    p = tmp_path / "x.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(InputError, match="x.png"):
        pipe.analyze(p)


def test_analyze_can_be_cancelled(pipe, fixtures):
    ev = threading.Event()
    ev.set()
    with pytest.raises(Cancelled):
        pipe.analyze(fixtures / "cellavision" / "images" / "002.png", cancel=ev)


@pytest.mark.parametrize("name", ["002_x2_norbc.png", "088_x2_rbc.png"])
def test_tight_crop_scale_from_the_white_cell(fixtures, name):
    """Half-size crops of the cellavision fixtures (true scale 1.0): no whole red cell to measure."""
    p = Pipeline.load("default", None, device="cpu")
    a = p.analyze(fixtures / "tight_crops" / "images" / name)
    assert a.scale_method == "wbc-size" and 0 < a.scale_confidence < 0.5
    assert 0.7 <= a.scale <= 1.4  # within 30% of the truth (the estimate's spread is ~18%)
    assert any("white cell" in n for n in a.notes)


def test_shipped_pipeline_fills_scale_and_familiarity(fixtures):
    p = Pipeline.load("default", "default", device="cpu")
    a = p.analyze(fixtures / "cellavision" / "images" / "002.png")
    assert a.scale_method == "red-cells" and 0 < a.scale_confidence <= 1
    if p.familiarity is not None:
        assert a.familiarity is not None and 0 <= a.familiarity <= 1


def test_training_lab_fixtures_are_familiar(fixtures):
    """The shipped familiarity reference: cellavision and PBC images pass (PBC test: 3.1% flagged)."""
    p = Pipeline.load("default", "default", device="cpu")
    if p.familiarity is None:
        pytest.skip("no familiarity.json beside the shipped segmenter")
    cv = [p.analyze(f).familiarity for f in sorted((fixtures / "cellavision" / "images").iterdir())]
    pbc = [p.analyze(f).familiarity for f in sorted((fixtures / "pbc").glob("*/*.jpg"))]
    assert all(f >= 0.5 for f in cv)
    assert sum(f >= 0.5 for f in pbc) >= 0.8 * len(pbc)
    field = p.analyze(fixtures / "bccd" / "BloodImage_00000.jpg")
    assert field.familiarity < 0.5 and field.warning


def test_an_unfamiliar_stain_is_segmented_once_through_its_own_calibration(fixtures):
    """A strong HED shift of a training-lab image: the first look finds it unfamiliar and fits its stain
    calibration to the glance; the one segmentation goes through it. The unshifted image is not calibrated."""
    from wbc_desktop.core.imaging.stain import hed_jitter
    from wbc_desktop.core.io.images import ImageData, read_image

    p = Pipeline.load("default", None, device="cpu")
    if p.familiarity is None or p.segmenter.stain_reference is None:
        pytest.skip("no familiarity.json / stain_reference.json beside the shipped segmenter")
    p.standardise = None  # the colour standardisation (tested below) makes this copy familiar
    rgb = read_image(fixtures / "cellavision" / "images" / "002.png").pixels
    plain = p.analyze(ImageData(rgb))
    assert not any("calibrated on its own first look" in n for n in plain.notes)
    shifted = hed_jitter(rgb, alpha=np.array([0.7484, 0.8338, 0.8288]), beta=np.array([0.0294, 0.0245, -0.0082]))
    a = p.analyze(ImageData(shifted))
    assert a.familiarity < 0.5
    assert any("calibrated on its own first look" in n for n in a.notes)
    assert "glance" in a.timings_ms and "self_calibration_pass" not in a.timings_ms
    p.self_calibrate = False
    b = p.analyze(ImageData(shifted))
    assert not any("calibrated on its own first look" in n for n in b.notes)
    assert (b.class_map != a.class_map).any()  # the calibration changed what the segmenter saw


def test_unfamiliar_images_are_typed_by_the_stain_robust_classifier(fixtures):
    """With the shipped default, a flagged image (a BCCD field) is typed by `other-labs`; a familiar one
    by the default; a classifier the user chose is never replaced; retypes follow the same rule."""
    p = Pipeline.load("default", "default", device="cpu")
    if p.familiarity is None:
        pytest.skip("no familiarity.json beside the shipped segmenter")
    field = p.analyze(fixtures / "bccd" / "BloodImage_00000.jpg")
    assert field.familiarity < 0.5 and field.models["classifier"]["name"] == "other-labs"
    assert any("typed by the other-labs cell-type model" in n for n in field.notes)
    familiar = p.analyze(fixtures / "cellavision" / "images" / "002.png")
    assert familiar.models["classifier"]["name"] == "default"
    if field.cells:
        from wbc_desktop.core.io.images import read_image
        from wbc_desktop.core.cells.retype import make_request

        req = make_request(field, [field.cells[0].cell_id])
        assert req.familiarity == field.familiarity
        got = p.retype(read_image(fixtures / "bccd" / "BloodImage_00000.jpg"), req.to_analysis(), req.cell_ids)
        c = field.cells[0]
        assert got[c.cell_id]["predicted_type"] == c.predicted_type  # the same model, the same answer
    chosen = Pipeline.load("default", "pbc-only", device="cpu")
    assert chosen.classifier_for(0.01) is chosen.classifier


def test_colour_is_standardised_once_for_both_networks(fixtures):
    """First contact (issue 23): a HED-shifted copy is standardised from its plasma and red cells (the
    reference named in the analysis), so it reads as more familiar than without; the plain image is
    left as it is."""
    from wbc_desktop.core.imaging.stain import hed_jitter
    from wbc_desktop.core.io.images import ImageData, read_image

    p = Pipeline.load("default", None, device="cpu")
    if p.familiarity is None or p.standardise is None:
        pytest.skip("no familiarity.json or colour reference installed")
    rgb = read_image(fixtures / "cellavision" / "images" / "002.png").pixels
    assert p.analyze(ImageData(rgb)).standardisation == ""
    shifted = hed_jitter(rgb, alpha=np.array([0.7484, 0.8338, 0.8288]), beta=np.array([0.0294, 0.0245, -0.0082]))
    a = p.analyze(ImageData(shifted))
    assert a.standardisation
    plug = p.standardise
    p.standardise = None
    b = p.analyze(ImageData(shifted))
    p.standardise = plug
    assert b.standardisation == "" and a.familiarity > b.familiarity


def test_retype_sees_the_standardised_colours_and_marks_doubt(fixtures, monkeypatch):
    """After a mask edit a cell is typed again from the standardised colours it was first typed in
    (same type, close confidence), and its doubt comes back with the type fields."""
    from wbc_desktop.core.imaging.stain import hed_jitter
    from wbc_desktop.core.io.images import ImageData, read_image

    import wbc_desktop.core.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "FIRST_CONTACT", True)  # standardisation: off by default (its cost)
    p = Pipeline.load("default", "default", device="cpu")
    rgb = read_image(fixtures / "cellavision" / "images" / "002.png").pixels
    shifted = hed_jitter(rgb, alpha=np.array([0.7484, 0.8338, 0.8288]), beta=np.array([0.0294, 0.0245, -0.0082]))
    a = p.analyze(ImageData(shifted))
    assert a.standardisation and a.cells
    c = a.cells[0]
    again = p.retype(ImageData(shifted), a, [c.cell_id])[c.cell_id]
    assert again["predicted_type"] == c.predicted_type and abs(again["confidence"] - c.confidence) < 0.02
    assert "doubt" in again
