"""CellClassifier: load through the registry, type every cell in one pass, threshold to unidentified."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from wbc_desktop.core.weights import registry
from wbc_desktop.core.analysis import UNIDENTIFIED
from wbc_desktop.core.cells.crops import CropSpec
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.cells.classifier import CellClassifier
from wbc_desktop.core.errors import ModelError
from wbc_desktop.core.io.images import read_image, read_mask
from wbc_desktop.core.cells.model import build_classifier, count_params

FIX = Path(__file__).resolve().parents[2] / "fixtures"
CLASSES = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"]


def _tiny_model(folder: Path, threshold: float = 0.0, mode: str = "segmented") -> Path:
    spec = CropSpec(size=32, fill=0.6, mode=mode)
    arch = {"in_channels": spec.channels, "widths": [8, 16], "depths": [1, 1], "dropout": 0.0}
    torch.manual_seed(0)
    m = build_classifier(arch, len(CLASSES))
    card = {"kind": "classifier", "name": "tiny", "version": "0", "classes": CLASSES, "input": spec.to_card(),
            "arch": arch, "threshold": threshold, "params": count_params(m)}
    registry.save(folder, {k: v.half() if v.is_floating_point() else v for k, v in m.state_dict().items()}, card)
    return folder


def _two_cells():
    """Two fixture cells side by side in one field."""
    rgbs = [read_image(FIX / "cellavision" / "images" / f"{n}.png").pixels for n in ("002", "004")]
    cms = [read_mask(FIX / "cellavision" / "masks" / f"{n}.png") for n in ("002", "004")]
    return np.concatenate(rgbs, 1), np.concatenate(cms, 1)


def test_classify_fills_every_cell(tmp_path):
    clf = CellClassifier.load(str(_tiny_model(tmp_path / "m")), device="cpu")
    rgb, cm = _two_cells()
    inst, cells = find_cells(cm, scale=0.3)
    assert len(cells) == 2
    clf.classify(rgb, cm, inst, cells, scale=0.3)
    for c in cells:
        assert c.cell_type in CLASSES and c.predicted_type == c.cell_type
        assert 0 < c.confidence <= 1
        assert len(c.top3) == 3 and c.top3[0] == (c.cell_type, pytest.approx(c.confidence))
        assert c.top3[0][1] >= c.top3[1][1] >= c.top3[2][1]
    info = clf.info()
    assert info["name"] == "tiny" and info["params"] > 0


def test_threshold_gives_unidentified_but_keeps_prediction(tmp_path):
    clf = CellClassifier.load(str(_tiny_model(tmp_path / "m", threshold=0.99)), device="cpu")
    rgb, cm = _two_cells()
    inst, cells = find_cells(cm, scale=0.3)
    clf.classify(rgb, cm, inst, cells)
    assert all(c.cell_type == UNIDENTIFIED and c.predicted_type in CLASSES for c in cells)


def test_batch_equals_one_by_one(tmp_path):
    clf = CellClassifier.load(str(_tiny_model(tmp_path / "m")), device="cpu")
    rgb, cm = _two_cells()
    inst, cells = find_cells(cm, scale=0.3)
    clf.classify(rgb, cm, inst, cells)
    together = [c.confidence for c in cells]
    for c in cells:
        clf.classify(rgb, cm, inst, [c])
    assert np.allclose(together, [c.confidence for c in cells], atol=1e-5)


def test_image_only_model_runs(tmp_path):
    clf = CellClassifier.load(str(_tiny_model(tmp_path / "m", mode="image")), device="cpu")
    rgb, cm = _two_cells()
    inst, cells = find_cells(cm, scale=0.3)
    clf.classify(rgb, cm, inst, cells)
    assert all(c.predicted_type in CLASSES for c in cells)


def test_bad_model_is_a_model_error(tmp_path):
    folder = _tiny_model(tmp_path / "m")
    card = json.loads((folder / "card.json").read_text())
    card["arch"]["widths"] = [4, 4]
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError):
        CellClassifier.load(str(folder), device="cpu")
    with pytest.raises(ModelError):
        CellClassifier.load(str(tmp_path / "nowhere"), device="cpu")


def test_shipped_default_types_fixture_cells():
    try:
        clf = CellClassifier.load("default", device="cpu")
    except ModelError:
        pytest.skip("no shipped classifier yet")
    assert clf.card["kind"] == "classifier" and clf.threshold > 0
    rgb = read_image(FIX / "cellavision" / "images" / "004.png").pixels
    cm = read_mask(FIX / "cellavision" / "masks" / "004.png")
    inst, cells = find_cells(cm, scale=0.3)
    clf.classify(rgb, cm, inst, cells)
    assert cells[0].predicted_type in clf.classes


def test_views_average_the_probabilities_of_the_rotated_crops(tmp_path):
    clf = CellClassifier.load(str(_tiny_model(tmp_path / "m")), device="cpu")
    rng = np.random.default_rng(0)
    crops = rng.integers(0, 256, (3, 32, 32, 5), dtype=np.uint8)
    one = {k: clf.predict_crops(np.ascontiguousarray(np.rot90(crops, k, (1, 2)))) for k in range(4)}
    clf.set_views(4)
    assert np.allclose(clf.predict_crops(crops), np.mean([one[k] for k in range(4)], 0), atol=1e-5)
    clf.set_views(2)
    assert np.allclose(clf.predict_crops(crops), (one[0] + one[2]) / 2, atol=1e-5)
    assert clf.info()["views"] == 2
    turned = np.ascontiguousarray(np.rot90(crops, 1, (1, 2)))
    clf.set_views(4)  # four quarter turns see the same four pictures whichever way the crop came in
    assert np.allclose(clf.predict_crops(turned), clf.predict_crops(crops), atol=1e-5)
    with pytest.raises(ValueError):
        clf.set_views(3)


def test_a_card_with_bad_views_is_refused_with_a_clear_error(tmp_path):
    folder = _tiny_model(tmp_path / "m")
    card = json.loads((folder / "card.json").read_text())
    card["views"] = 5
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="views"):
        CellClassifier.load(str(folder), device="cpu")


def test_recheck_gives_unsure_cells_all_views_and_sure_cells_one(tmp_path):
    clf = CellClassifier.load(str(_tiny_model(tmp_path / "m")), device="cpu")
    crops = np.random.default_rng(1).integers(0, 256, (6, 32, 32, 5), dtype=np.uint8)
    clf.set_views(1)
    one = clf.predict_crops(crops)
    clf.set_views(4)
    four = clf.predict_crops(crops)
    cut = float(np.median(one.max(1)))  # half the cells count as unsure
    clf.set_views(4, recheck_below=cut)
    mixed = clf.predict_crops(crops)
    unsure = one.max(1) < cut
    assert 0 < unsure.sum() < len(crops)
    assert np.allclose(mixed[unsure], four[unsure], atol=1e-5)
    assert np.allclose(mixed[~unsure], one[~unsure], atol=1e-5)
    assert clf.info()["recheck_below"] == cut
    with pytest.raises(ValueError):
        clf.set_views(4, recheck_below=1.5)


def test_the_cards_views_policy_is_the_default_and_can_be_restored(tmp_path):
    folder = _tiny_model(tmp_path / "m")
    card = json.loads((folder / "card.json").read_text())
    (folder / "card.json").write_text(json.dumps({**card, "views": 4, "recheck_below": 0.7}))
    clf = CellClassifier.load(str(folder), device="cpu")
    assert (clf.views, clf.recheck_below) == (4, 0.7)
    clf.set_views(1)
    assert (clf.views, clf.recheck_below) == (1, None)
    clf.set_views(0)  # back to the card's
    assert (clf.views, clf.recheck_below) == (4, 0.7)
    (folder / "card.json").write_text(json.dumps({**card, "views": 4, "recheck_below": "often"}))
    with pytest.raises(ModelError, match="recheck_below"):
        CellClassifier.load(str(folder), device="cpu")


def _with_member(tmp_path: Path, t: float) -> Path:
    """A tiny model whose card re-checks cells below ``t`` with itself plus a second tiny model."""
    folder = _tiny_model(tmp_path / "m")
    torch.manual_seed(1)
    other = build_classifier(json.loads((folder / "card.json").read_text())["arch"], len(CLASSES))
    card = json.loads((folder / "card.json").read_text())
    state = {k: v.half() if v.is_floating_point() else v for k, v in other.state_dict().items()}
    registry.save(folder / "members" / "b", state, card)
    (folder / "card.json").write_text(json.dumps({**card, "views": 4, "recheck_below": t,
                                                  "recheck_members": ["members/b"]}))
    return folder


def test_second_opinion_members_join_only_for_unsure_cells(tmp_path):
    crops = np.random.default_rng(2).integers(0, 256, (6, 32, 32, 5), dtype=np.uint8)
    own = CellClassifier.load(str(_tiny_model(tmp_path / "own")), device="cpu")
    own.set_views(1)
    first = own.predict_crops(crops)
    cut = float(np.median(first.max(1)))
    own.set_views(4)
    own4 = own.predict_crops(crops)
    clf = CellClassifier.load(str(_with_member(tmp_path, cut)), device="cpu")
    assert len(clf.members) == 1 and clf.info()["second_opinion"] == ["tiny v0"]
    clf.members[0].set_views(4)  # the member's own 4-view answer (the owner passes it its turns)
    member4 = clf.members[0].predict_crops(crops)
    got = clf.predict_crops(crops)
    unsure = first.max(1) < cut
    assert 0 < unsure.sum() < len(crops)
    assert np.allclose(got[unsure], (own4[unsure] + member4[unsure]) / 2, atol=1e-5)
    assert np.allclose(got[~unsure], first[~unsure], atol=1e-5)
    clf.set_views(4)  # an explicit choice types every cell with the model alone
    assert clf.info()["second_opinion"] == [] and np.allclose(clf.predict_crops(crops), own4, atol=1e-5)


def test_a_missing_or_mismatched_member_is_a_clear_model_error(tmp_path):
    folder = _with_member(tmp_path, 0.9)
    member_card = folder / "members" / "b" / "card.json"
    card = json.loads(member_card.read_text())
    member_card.write_text(json.dumps({**card, "classes": CLASSES[::-1]}))
    with pytest.raises(ModelError, match="member"):
        CellClassifier.load(str(folder), device="cpu")
    (folder / "members" / "b" / "weights.safetensors").unlink()
    with pytest.raises(ModelError, match="missing|no classifier"):
        CellClassifier.load(str(folder), device="cpu")
    card = json.loads((folder / "card.json").read_text())
    (folder / "card.json").write_text(json.dumps({**card, "recheck_members": ["../elsewhere"]}))
    with pytest.raises(ModelError, match="outside"):
        CellClassifier.load(str(folder), device="cpu")


def test_classify_keeps_each_cells_embedding_the_heads_input(tmp_path):
    clf = CellClassifier.load(str(_tiny_model(tmp_path / "m")), device="cpu")
    rgb, cm = _two_cells()
    inst, cells = find_cells(cm, scale=0.3)
    clf.classify(rgb, cm, inst, cells, scale=0.3)
    from wbc_desktop.core.lab.prototypes import head_probabilities

    w, b = clf.model.fc.weight.detach().numpy(), clf.model.fc.bias.detach().numpy()
    for c in cells:
        assert c.embedding.dtype == np.float32 and c.embedding.shape == (16,)
        p = head_probabilities(c.embedding[None], w, b)[0]
        assert p.max() == pytest.approx(c.confidence, abs=2e-3)  # folded BatchNorms: float rounding only
