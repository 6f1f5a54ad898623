import numpy as np

from wbc_desktop.core.segmentation.postprocess import clean_class_map


def test_islands_without_nucleus_are_dropped_and_holes_filled():
    cls = np.zeros((100, 100), np.uint8)
    cls[20:60, 20:60] = 1
    cls[30:50, 30:50] = 2
    cls[38:41, 38:41] = 0  # a small hole inside the nucleus
    cls[25:27, 25:27] = 0  # a small hole in the cytoplasm
    cls[80:90, 80:90] = 1  # a pale gap between red cells taken for cytoplasm
    out = clean_class_map(cls, scale=1.0)
    assert (out[80:90, 80:90] == 0).all()
    assert (out[38:41, 38:41] == 2).all() and (out[25:27, 25:27] == 1).all()
    assert (out[20:60, 20:60] > 0).all()


def test_thresholds_follow_the_scale():
    cls = np.zeros((200, 200), np.uint8)
    cls[50:150, 50:150] = 1
    cls[95:105, 95:105] = 2  # 100 px of nucleus
    assert (clean_class_map(cls, scale=1.0)[95:105, 95:105] == 2).all()
    # at scale 0.25 the same nucleus is 100/16 model px^2: too small to anchor a cell
    assert not clean_class_map(cls, scale=0.25).any()


def test_big_nucleus_free_blob_is_kept():
    cls = np.zeros((120, 120), np.uint8)
    cls[10:110, 10:110] = 1  # 10,000 px, larger than any red cell
    assert (clean_class_map(cls, 1.0) == cls).all()
