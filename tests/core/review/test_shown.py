"""Which type a cell shows, and the model's masks kept for "revert"."""

import numpy as np

from wbc_desktop.core.analysis import Analysis, Cell
from wbc_desktop.core.review.shown import masks_before, masks_copy, model_types, show_types
from wbc_desktop.core.review.store import ImageReview


def _analysis() -> Analysis:
    cells = [Cell(1, (0, 0, 2, 2), (1.0, 1.0), 3, 4, False, cell_type="neutrophil", confidence=0.9,
                  predicted_type="neutrophil"),
             Cell(2, (2, 2, 4, 4), (3.0, 3.0), 3, 4, False, cell_type="lymphocyte", confidence=0.4,
                  predicted_type="lymphocyte")]
    cm = np.zeros((4, 4), np.uint8)
    cm[:2, :2] = 2
    inst = np.zeros((4, 4), np.int32)
    inst[:2, :2] = 1
    return Analysis("x.png", (4, 4), cm, inst, cells)


def test_the_threshold_moves_both_ways_and_the_persons_type_stays_on_top():
    a = _analysis()
    types = model_types(a)
    review = ImageReview("x.png", reviewed={1: "basophil"})
    show_types(a, types, 0.5, review)
    assert [c.cell_type for c in a.cells] == ["neutrophil", "unidentified"]
    assert [c.final_type for c in a.cells] == ["basophil", "unidentified"]
    show_types(a, types, 0.0, review)  # back to the model's own decision
    assert [c.cell_type for c in a.cells] == ["neutrophil", "lymphocyte"]
    assert a.cells[0].final_type == "basophil"


def test_a_retype_is_remembered_as_the_models_type():
    a = _analysis()
    types = model_types(a)
    a.cells[1].cell_type = "monocyte"  # the model process typed cell 2 again
    types.update(model_types(a, [2]))
    assert types == {1: "neutrophil", 2: "monocyte"}
    show_types(a, types, 0.0, None)
    assert a.cells[1].final_type == "monocyte"


class _Patch:
    """A stroke painted on the class map: revert puts its box's old values back."""

    def __init__(self, box, before):
        self.box, self.before = box, before

    def revert(self, cm):
        y0, y1, x0, x1 = self.box
        cm[y0:y1, x0:x1] = self.before


def test_the_models_masks_are_kept_without_the_live_stroke():
    a = _analysis()
    model = masks_copy(a)
    a.class_map[3, 3] = 1  # painted live
    cm, inst = masks_before(a, _Patch((3, 4, 3, 4), np.zeros((1, 1), np.uint8)))
    assert np.array_equal(cm, model[0]) and np.array_equal(inst, model[1])
    assert a.class_map[3, 3] == 1  # the shown masks keep the stroke
    cm[0, 0] = 0
    assert a.class_map[0, 0] == 2  # copies, not views
