import numpy as np

from wbc_desktop.core.segmentation.superpixels import (
    compute_superpixels, label_fractions, majority_labels, reconstruction_iou, relabel,
)


def test_mean_area_and_consecutive_labels(cell_pair):
    rgb, _ = cell_pair
    sp = compute_superpixels(rgb[:120, :120], mean_area=16)
    assert sp.labels.shape == (120, 120)
    assert sp.labels.min() == 0 and sp.labels.max() == sp.n - 1
    assert 10 < sp.sizes().mean() < 25  # about S pixels each
    assert set(np.unique(sp.labels)) == set(range(sp.n))


def test_relabel_removes_gaps():
    sp = relabel(np.array([[5, 5, 9], [9, 2, 2]]))
    assert sp.n == 3 and sorted(np.unique(sp.labels)) == [0, 1, 2]


def test_label_fractions_and_majority():
    sp = relabel(np.array([[0, 0, 1, 1], [0, 0, 1, 1]]))
    cls = np.array([[2, 2, 0, 1], [2, 0, 1, 1]])
    y = label_fractions(sp, cls)
    assert np.allclose(y[0], [0.25, 0, 0.75]) and np.allclose(y[1], [0.25, 0.75, 0])
    assert list(majority_labels(sp, cls)) == [2, 1]


def test_reconstruction_iou_is_perfect_when_superpixels_follow_labels():
    cls = np.zeros((8, 8), np.int64)
    cls[2:6, 2:6] = 2
    sp = relabel(cls.copy())
    r = reconstruction_iou(sp, cls)
    assert r["miou"] == 1.0


def test_reconstruction_iou_on_real_image_is_high_but_below_one(cell_pair):
    rgb, mask = cell_pair
    r = reconstruction_iou(compute_superpixels(rgb, 16), mask)
    assert 0.85 < r["miou"] < 1.0


def test_slic_uint8_gives_scikit_images_labels(fixtures):
    """The table-driven colour conversion changes the speed, not one label."""
    from skimage.segmentation import slic

    from wbc_desktop.core.io.images import read_image
    from wbc_desktop.core.segmentation.augment import resize
    from wbc_desktop.core.segmentation.superpixels import slic_uint8

    for p in sorted((fixtures / "cellavision" / "images").iterdir())[:3]:
        rgb = resize(read_image(p).pixels, (147, 139))
        n = rgb.shape[0] * rgb.shape[1] // 16
        ref = slic(rgb, n_segments=n, compactness=10, max_num_iter=5, start_label=0, enforce_connectivity=False,
                   convert2lab=True)
        assert (slic_uint8(rgb, n, 10, 5) == ref).all()
