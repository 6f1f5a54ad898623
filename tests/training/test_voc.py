import pytest

from training.lib.voc import box_iou, covers, read_voc_boxes


def test_read_voc_boxes_per_class(fixtures):
    xml = fixtures / "bccd" / "BloodImage_00000.xml"
    assert read_voc_boxes(xml, "WBC") == [(260.0, 177.0, 491.0, 376.0)]
    assert read_voc_boxes(xml, "wbc") == read_voc_boxes(xml, "WBC")
    assert len(read_voc_boxes(xml, "RBC")) > 5


def test_iou_and_covers():
    a = (0, 0, 10, 10)
    assert box_iou(a, a) == pytest.approx(1.0)
    assert box_iou(a, (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert box_iou(a, (20, 20, 30, 30)) == 0.0
    assert covers(a, (-1, -1, 11, 11))
    assert not covers(a, (0, 0, 10, 7))  # 70% of the box: the cell would be cut
    assert not covers(a, (6, 6, 30, 30))  # centre outside
