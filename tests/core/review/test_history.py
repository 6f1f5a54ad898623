"""Review state: undo/redo, signature lock, autosave round trip, threshold."""

from __future__ import annotations

import numpy as np
import pytest

from wbc_desktop.core.analysis import UNIDENTIFIED, Analysis, Cell
from wbc_desktop.core.review.counts import apply_threshold, batch_counts
from wbc_desktop.core.review.history import History, Reclassify, ReviewLocked, Sign
from wbc_desktop.core.review.store import ImageReview, ReviewStore


def _analysis() -> Analysis:
    cells = [
        Cell(1, (0, 0, 10, 10), (5, 5), 30, 40, False, "neutrophil", 0.9, predicted_type="neutrophil"),
        Cell(2, (20, 0, 30, 10), (25, 5), 30, 40, False, "lymphocyte", 0.6, predicted_type="lymphocyte"),
        Cell(3, (40, 0, 50, 10), (45, 5), 30, 40, True, "monocyte", 0.8, predicted_type="monocyte"),
    ]
    z = np.zeros((10, 50), np.uint8)
    return Analysis("a.png", (10, 50), z, z.astype(np.int32), cells)


def test_reclassify_undo_redo_and_autosave(tmp_path):
    store = ReviewStore(tmp_path)
    review = store.load(tmp_path / "img.png")
    saved: list[str] = []
    hist = History(review, save=lambda r: (store.save(r), saved.append(r.to_json())))
    a = _analysis()
    hist.do(Reclassify((2,), "monocyte"))
    review.apply_to(a)
    assert a.counts() == {"neutrophil": 1, "monocyte": 1}
    assert hist.undo_text == "reclassify cell 2 as monocyte"
    # Autosaved: a fresh store reads the decision back.
    assert ReviewStore(tmp_path).load(tmp_path / "img.png").reviewed == {2: "monocyte"}
    hist.undo()
    review.apply_to(a)
    assert a.counts() == {"neutrophil": 1, "lymphocyte": 1}
    assert ReviewStore(tmp_path).load(tmp_path / "img.png").reviewed == {}
    hist.redo()
    assert review.reviewed == {2: "monocyte"} and len(saved) == 3


def test_signed_image_is_locked_until_unsigned(tmp_path):
    hist = History(ImageReview("x.png"))
    hist.do(Sign("dr-a"))
    assert hist.review.signed
    with pytest.raises(ReviewLocked):
        hist.do(Reclassify((1,), "basophil"))
    assert hist.undo_text == "sign image"  # the refused action left no trace
    hist.undo()
    hist.do(Reclassify((1, 2), "basophil"))
    assert hist.review.reviewed == {1: "basophil", 2: "basophil"}


def test_damaged_review_file_is_kept_aside(tmp_path):
    store = ReviewStore(tmp_path)
    p = store.path_for(tmp_path / "img.png")
    p.write_text("{not json")
    r = store.load(tmp_path / "img.png")
    assert r.reviewed == {} and not p.exists()
    assert len(list(tmp_path.glob("*.damaged-*"))) == 1


def test_threshold_moves_both_ways_and_batch_counts():
    a = _analysis()
    apply_threshold(a, 0.7)
    assert a.cells[1].cell_type == UNIDENTIFIED
    apply_threshold(a, 0.5)
    assert a.cells[1].cell_type == "lymphocyte"
    b = _analysis()
    assert batch_counts([a, b]) == {"neutrophil": 2, "lymphocyte": 2}
    assert batch_counts([a], include_border=True)["monocyte"] == 1
