"""Familiarity: training-like images score high, far ones low, the batch sentence, the json."""

import numpy as np

from wbc_desktop.core.analysis import Analysis, Cell
from wbc_desktop.core.imaging.familiarity import (BATCH_WARNING, FEATURES, FLAG_BELOW, FamiliarityModel, batch_warning,
                                          image_features, image_warning)


def _model(rng):
    ref = rng.normal(0, 1, (60, len(FEATURES)))
    m = FamiliarityModel.fit(ref, k=3)
    d = [m.distance(x) for x in rng.normal(0, 1, (40, len(FEATURES)))]
    return m.with_threshold(float(np.quantile(d, 0.95)))


def test_near_scores_high_far_scores_low(rng):
    m = _model(rng)
    near = [m.score(x) for x in rng.normal(0, 1, (50, len(FEATURES)))]
    far = [m.score(x) for x in rng.normal(4, 1, (50, len(FEATURES)))]
    assert np.mean(np.array(near) < FLAG_BELOW) <= 0.2
    assert np.mean(np.array(far) < FLAG_BELOW) == 1.0
    assert all(0.0 <= s <= 1.0 for s in near + far)


def test_missing_feature_is_left_out_of_the_distance(rng):
    m = _model(rng)
    x = rng.normal(0, 1, len(FEATURES))
    y = x.copy()
    y[-1] = np.nan
    assert np.isfinite(m.distance(y)) and m.score(y) > 0


def test_json_roundtrip_and_absent_file(rng, tmp_path):
    m = _model(rng)
    p = tmp_path / "familiarity.json"
    p.write_text(m.to_json())
    m2 = FamiliarityModel.load(p)
    x = rng.normal(0, 1, len(FEATURES))
    assert abs(m2.score(x) - m.score(x)) < 1e-2
    assert FamiliarityModel.load(tmp_path / "none.json") is None
    (tmp_path / "bad.json").write_text("{not json")
    assert FamiliarityModel.load(tmp_path / "bad.json") is None


def _analysis(fam):
    a = Analysis("x.png", (20, 20), np.zeros((20, 20), np.uint8), np.zeros((20, 20), np.int32))
    a.familiarity = fam
    return a


def test_batch_warning_needs_a_share_of_flagged_images():
    assert batch_warning([_analysis(0.9)] * 9 + [_analysis(0.1)]) == ""
    text = batch_warning([_analysis(0.9)] * 6 + [_analysis(0.1)] * 4)
    assert text.startswith(BATCH_WARNING) and "4 of 10" in text
    assert batch_warning([_analysis(None)]) == ""
    assert image_warning(0.2) and image_warning(0.8) == "" and image_warning(None) == ""


def test_image_features_of_a_drawn_cell():
    rgb = np.full((100, 100, 3), (240, 220, 200), np.uint8)
    cm = np.zeros((100, 100), np.uint8)
    yy, xx = np.mgrid[:100, :100]
    r2 = (yy - 50) ** 2 + (xx - 50) ** 2
    cm[r2 < 30 ** 2] = 1
    cm[r2 < 15 ** 2] = 2
    rgb[cm == 1] = (200, 180, 220)
    rgb[cm == 2] = (90, 40, 140)
    inst = (cm > 0).astype(np.int32)
    cell = Cell(1, (20, 20, 80, 80), (50.0, 50.0), int((cm == 2).sum()), int((cm == 1).sum()), False,
                confidence=0.9, top3=[("lymphocyte", 0.9)])
    a = Analysis("x.png", (100, 100), cm, inst, [cell], scale=0.5, scale_method="red-cells")
    f = image_features(rgb, a)
    assert f.shape == (len(FEATURES),) and np.all(np.isfinite(f))
    nuc = f[FEATURES.index("nucleus_od_g")]
    plasma = f[FEATURES.index("plasma_od_g")]
    assert nuc > plasma  # the nucleus absorbs more than the plasma
    assert f[FEATURES.index("scale_measured")] == 1.0 and f[FEATURES.index("mean_top_probability")] == 0.9
