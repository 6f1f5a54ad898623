import json

import numpy as np
import pytest

from wbc_desktop.core.weights import registry
from wbc_desktop.core.errors import ModelError, WbcError
from wbc_desktop.core.io.images import read_image
from wbc_desktop.core.segmentation.segmenter import Segmenter


def test_trained_model_folder_has_card_and_loads(tiny_segmenter):
    card = json.loads((tiny_segmenter / "card.json").read_text())
    assert card["kind"] == "segmenter" and card["params"] <= 20_000
    assert card["scale"]["model_px_per_train_px"] == 0.5
    assert card["training"]["steps_run"] == 3 and "val" in card
    seg = Segmenter.load(str(tiny_segmenter), device="cpu")
    assert seg.device_name == "cpu" and seg.info()["params"] == card["params"]


def test_segment_returns_input_sized_class_map(tiny_segmenter, cell_pair):
    rgb, _ = cell_pair
    seg = Segmenter.load(str(tiny_segmenter), device="cpu")
    r = seg.segment(rgb[:250, :180], with_probabilities=True)
    assert r.class_map.shape == (250, 180) and r.class_map.dtype == np.uint8
    assert set(np.unique(r.class_map)) <= {0, 1, 2}
    assert r.probabilities.shape == (250, 180, 3)
    assert r.notes and r.timings_ms["superpixels"] > 0
    assert r.uncertainty.shape == (250, 180) and r.uncertainty.dtype == np.uint8  # the segmenter's doubt, kept
    (n,) = r.nodes  # the node embeddings and Q kept for the wand, whole image: one region
    assert n.box == (0, 250, 0, 180) and n.labels.dtype == np.int32 and n.vectors.dtype == np.float16
    assert n.labels.shape == (round(250 * r.scale), round(180 * r.scale)) and n.labels.max() < len(n.vectors)
    assert n.logits.shape == (3,) + n.labels.shape and n.logits.dtype == np.float16  # the margin wand's


def test_scale_override_and_pixel_size(tiny_segmenter, cell_pair):
    rgb, _ = cell_pair
    seg = Segmenter.load(str(tiny_segmenter), device="cpu")
    assert seg.segment(rgb, scale=0.25).scale == pytest.approx(0.25)
    if seg.model_pixel_size_um:
        f, how = seg.choose_scale(rgb, pixel_size_um=seg.model_pixel_size_um * 2)
        assert f == pytest.approx(2.0) and "pixel size" in how


def test_big_field_goes_through_candidate_crops(tiny_segmenter, fixtures):
    seg = Segmenter.load(str(tiny_segmenter), device="cpu")
    field = read_image(fixtures / "bccd" / "BloodImage_00000.jpg").pixels
    big = np.tile(field, (2, 2, 1))  # 1280x960 at scale 1: above the whole-image limit
    r = seg.segment(big, scale=1.0)
    assert r.class_map.shape == big.shape[:2]
    assert r.crops, "the field's WBCs should be found as candidates"
    x0, y0, x1, y1 = r.crops[0]
    outside = np.ones(big.shape[:2], bool)
    for b in r.crops:
        outside[b[1]:b[3], b[0]:b[2]] = False
    assert not r.class_map[outside].any()  # nothing is computed away from candidates
    assert r.uncertainty.shape == big.shape[:2] and not r.uncertainty[outside].any()
    assert [(n.box[2], n.box[0], n.box[3], n.box[1]) for n in r.nodes] == list(r.crops)  # one per crop


def test_cancel_stops_field_work(tiny_segmenter, fixtures):
    import threading

    from wbc_desktop.core.errors import Cancelled

    seg = Segmenter.load(str(tiny_segmenter), device="cpu")
    big = np.tile(read_image(fixtures / "bccd" / "BloodImage_00000.jpg").pixels, (2, 2, 1))
    ev = threading.Event()
    ev.set()
    with pytest.raises(Cancelled):
        seg.segment(big, scale=1.0, cancel=ev)


def test_unknown_model_and_wrong_kind(tiny_segmenter):
    with pytest.raises(ModelError, match="no segmenter model"):
        Segmenter.load("does-not-exist")
    with pytest.raises(ModelError, match="not a classifier"):
        registry.load(str(tiny_segmenter), "classifier")


def test_corrupt_weights_are_a_clear_error(tiny_segmenter, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(tiny_segmenter, bad)
    (bad / "weights.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(ModelError, match="cannot be read"):
        Segmenter.load(str(bad))


def test_cuda_request_without_gpu_is_clear():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    from wbc_desktop.core.device import resolve_device

    with pytest.raises(WbcError, match="no CUDA GPU"):
        resolve_device("cuda")
