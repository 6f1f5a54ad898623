"""Step 4, the typing policy: which model types the cells, and which of its answers stand.

1. The active classifier types every cell once, all cells of the image in one batch (its card may
   give unsure cells extra views or a second opinion: only those cells pay for them).
2. The platelet size rule (``core.cells.size_scale``): a "platelet" wider than any training platelet
   takes its next type, when the scale is trusted.
3. The familiarity of the analysed image (``core.imaging.familiarity``: its statistics include the
   classifier's mean confidence, so it is judged after step 1) and the image's warning.
4. A flagged image, when the shipped default is active, is typed by the stain-robust classifier
   (``Pipeline.classifier_for``); the size rule again on its answers.
5. The unsure rule: on a flagged image, cells typed below the familiarity file's bar are left
   unidentified.
"""

from __future__ import annotations

import time

import numpy as np

from wbc_desktop.core.analysis import Analysis


def _classify(clf, rgb: np.ndarray, a: Analysis, timings: dict[str, float], key: str) -> None:
    from wbc_desktop.core.cells.size_scale import apply_size_prior

    t = time.perf_counter()
    clf.classify(rgb, a.class_map, a.instances, a.cells, scale=a.scale)
    timings[key] = timings.get(key, 0.0) + (time.perf_counter() - t) * 1e3
    n = apply_size_prior(a.cells, a.scale, a.scale_method, clf.threshold)
    if n:
        a.notes.append(f"{n} cell(s) typed platelet but wider than any platelet the model learned: re-typed")


def type_cells(pipeline, rgb: np.ndarray, a: Analysis, timings: dict[str, float]) -> None:
    """Fill the cells' types, ``a.familiarity`` and ``a.warning`` in place (see the module doc)."""
    if pipeline.classifier is not None and a.cells:
        _classify(pipeline.classifier, rgb, a, timings, "classify")
    fam_model = pipeline.familiarity
    if fam_model is None:
        return
    from wbc_desktop.core.imaging.familiarity import apply_unsure, image_features, image_warning

    t = time.perf_counter()
    a.familiarity = round(fam_model.score(image_features(rgb, a)), 3)
    a.warning = image_warning(a.familiarity)
    timings["familiarity"] = (time.perf_counter() - t) * 1e3
    clf = pipeline.classifier_for(a.familiarity)
    if clf is not None and a.cells and clf is not pipeline.classifier:
        _classify(clf, rgb, a, timings, "classify_unfamiliar")
        a.models["classifier"] = clf.info()
        a.notes.append(f"unfamiliar image: cells typed by the {clf.info()['name']} cell-type model "
                       f"(v{clf.info()['version']}, made for stains unlike the training labs')")
    n = apply_unsure(a.cells, a.familiarity, fam_model.unsure_below)
    if n:
        a.notes.append(f"unfamiliar image: {n} cell(s) typed below {fam_model.unsure_below:g} left unidentified")
