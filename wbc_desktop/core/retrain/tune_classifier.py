"""Fine-tune the cell-type classifier on a lab's typed cells, with replay of the shipped sample.

Each typed cell becomes the crop inference would make of it (the corrected mask when there is
one, else the segmenter's), so the model learns exactly its own input. Before/after accuracy is
measured on the held-out cells and on the replay sample's ``check`` crops (original domain).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import torch

from wbc_desktop.core.weights import registry
from wbc_desktop.core.cells.classifier import calibrate_crops, crop_classes
from wbc_desktop.core.cells.crops import CropSpec, cell_crops, context_spec
from wbc_desktop.core.imaging.calibration import ColourMap, fit_colour_map
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.cells.model import build_classifier
from wbc_desktop.core.cells.training import FineTuneSettings, finetune, predict_probs
from wbc_desktop.core.retrain.data import CellExample
from wbc_desktop.core.retrain.replay import load_replay

Emit = Callable[[dict], None]
CONTEXT = 1.25  # as training/recipes/make_replay.py


def load_base(name: str) -> tuple[torch.nn.Module, dict, Path]:
    state, card, folder = registry.load(name, "classifier")
    model = build_classifier(card["arch"], len(card["classes"]))
    model.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in state.items()})
    return model, card, folder


class CropMaker:
    """Context crops of typed cells; segments an image only when it has no mask."""

    def __init__(self, spec: CropSpec, segmenter_name: str) -> None:
        self.ctx = context_spec(spec, CONTEXT)
        self.segmenter_name = segmenter_name
        self._seg = None

    def _segmenter(self):
        if self._seg is None:
            from wbc_desktop.core.segmentation.segmenter import Segmenter

            self._seg = Segmenter.load(self.segmenter_name, device="cpu")
        return self._seg

    def crop(self, ex: CellExample) -> Optional[np.ndarray]:
        cm, inst, scale = ex.class_map, ex.instances, ex.scale
        if cm is None:
            r = self._segmenter().segment(ex.rgb)
            cm, scale, inst = r.class_map, float(r.scale), None
        if scale is None:
            scale = float(self._segmenter().choose_scale(ex.rgb)[0])
        cid = ex.cell_id if inst is not None and ex.cell_id is not None and (inst == ex.cell_id).any() else None
        if cid is None:
            inst, cells = find_cells(cm, scale=scale)
            if not cells:
                return None
            h, w = cm.shape
            cx, cy = ex.centre if ex.centre is not None else (w / 2, h / 2)
            cid = min(cells, key=lambda c: (c.centroid[0] - cx) ** 2 + (c.centroid[1] - cy) ** 2).cell_id
        assert inst is not None  # the cell ids came with the example or were just found
        return cell_crops(ex.rgb, cm, inst, [cid], self.ctx, scale)[0]


def make_crops(examples: list[CellExample], maker: CropMaker, classes: list[str], notes: list[str],
               cancel=None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    from wbc_desktop.core.progress import check_cancel

    crops, ys, names, unknown, lost = [], [], [], set(), 0
    for ex in examples:
        check_cancel(cancel)
        if ex.cell_type not in classes:
            unknown.add(ex.cell_type)
            continue
        c = maker.crop(ex)
        if c is None:
            lost += 1
            continue
        crops.append(c)
        ys.append(classes.index(ex.cell_type))
        names.append(ex.image)
    if unknown:
        notes.append(f"classifier: types it does not know were skipped ({', '.join(sorted(unknown))})")
    if lost:
        notes.append(f"classifier: no cell found in {lost} image(s); skipped")
    size = maker.ctx.size
    X = np.stack(crops) if crops else np.zeros((0, size, size, maker.ctx.channels), np.uint8)
    return X, np.array(ys, np.int64), names


def _acc(p: np.ndarray, y: np.ndarray) -> Optional[float]:
    return float((p.argmax(1) == y).mean()) if len(y) else None


def finetune_classifier(
    train: list[CellExample], val: list[CellExample], base: str, segmenter: str, budget_s: Optional[float],
    epochs: Optional[int], lr: float, augment: bool, use_replay: bool, seed: int, device: torch.device,
    emit: Emit, cancel, notes: list[str], calibrate: bool = True,
) -> tuple[dict, dict, dict]:
    """Train; returns (state dict, card, metrics). Raises Cancelled when ``cancel`` is set."""
    t_start = time.perf_counter()
    model, card, folder = load_base(base)
    classes = list(card["classes"])
    spec = CropSpec.from_card(card.get("input", {}))
    emit({"kind": "stage", "model": "classifier", "text": f"cropping {len(train) + len(val)} typed cells"})
    maker = CropMaker(spec, segmenter)
    Xt, yt, _ = make_crops(train, maker, classes, notes, cancel)
    Xv, yv, names_v = make_crops(val, maker, classes, notes, cancel)
    if len(yt) == 0:
        raise ValueError("no typed cell of a type the classifier knows")
    replay = load_replay("classifier", folder, card) if use_replay else None
    Xr = yr = Xc = yc = None
    if replay is not None:
        rc = [str(c) for c in replay.train["labels"]]
        keep = np.array([c in classes for c in rc])
        Xr, yr = replay.train["crops"][keep], np.array([classes.index(c) for c in np.array(rc)[keep]])
        cc = [str(c) for c in replay.check["labels"]]
        keep = np.array([c in classes for c in cc])
        Xc, yc = replay.check["crops"][keep], np.array([classes.index(c) for c in np.array(cc)[keep]])
        if Xr.shape[1] != Xt.shape[1]:  # a replay of other crops would teach the wrong input
            notes.append("classifier: the replay sample's crops do not match this model's; no replay")
            Xr = yr = Xc = yc = None
    emit({"kind": "stage", "model": "classifier", "text": "measuring the current model"})
    base_cal = ColourMap.from_card(card.get("calibration"))
    pb_v = predict_probs(model, calibrate_crops(Xv, base_cal), spec.size, torch.device("cpu"))
    pb_c = predict_probs(model, calibrate_crops(Xc, base_cal), spec.size, torch.device("cpu")) if Xc is not None else None
    card = {k: v for k, v in card.items() if k != "calibration"}
    cal = None
    if calibrate and Xr is not None:
        cal = fit_colour_map([(x[..., :3], m) for x, m in zip(Xt, crop_classes(Xt))],
                             [(x[..., :3], m) for x, m in zip(Xr, crop_classes(Xr))], seed=seed)
        if cal is not None:
            card["calibration"] = cal.to_card()
            Xt = calibrate_crops(Xt, cal)
            emit({"kind": "log", "text": "classifier: this lab's stain differs from the training data's; "
                                         "a stain calibration was fitted from the typed cells"})
    st = FineTuneSettings(size=spec.size, lr=lr, seed=seed, augment="robust" if augment else None,
                          replay_fraction=0.5 if Xr is not None else 0.0)
    spent = time.perf_counter() - t_start
    if budget_s is not None:
        st.time_budget_s = max(2.0, budget_s - spent)
        if epochs is not None:
            st.steps = max(1, int(np.ceil(epochs * len(yt) / st.batch_size)))
    else:
        st.time_budget_s = None
        st.steps = max(1, int(np.ceil((epochs or 1) * len(yt) / (st.batch_size * (1 - st.replay_fraction)))))
    emit({"kind": "stage", "model": "classifier", "text": f"training on {len(yt)} cells"
          + (f" + replay of {len(yr)} shipped cells" if yr is not None else "")})

    def on_step(step: int, steps: int, loss: float, eta: float) -> None:
        emit({"kind": "step", "model": "classifier", "step": step, "steps": steps, "loss": round(loss, 4),
              "eta_s": round(eta, 1)})

    result = finetune(model, Xt, yt, st, device, Xr, yr, on_step, cancel)
    model.to("cpu")
    pa_v = predict_probs(model, calibrate_crops(Xv, cal), spec.size, torch.device("cpu"))
    pa_c = predict_probs(model, calibrate_crops(Xc, cal), spec.size, torch.device("cpu")) if Xc is not None else None
    metrics = {
        "measure": "accuracy",
        "before": _acc(pb_v, yv), "after": _acc(pa_v, yv),
        "original_before": _acc(pb_c, yc) if pb_c is not None and yc is not None else None,
        "original_after": _acc(pa_c, yc) if pa_c is not None and yc is not None else None,
        "per_image": [{"image": n, "true": classes[t], "before": float(b.argmax() == t), "after": float(a.argmax() == t),
                       "before_type": classes[int(b.argmax())], "after_type": classes[int(a.argmax())]}
                      for n, t, b, a in zip(names_v, yv, pb_v, pa_v)],
        "n_train": int(len(yt)), "n_val": int(len(yv)), "n_original": int(len(yc)) if yc is not None else 0,
        "original_domain": "replay check cells of the shipped model's training data (PBC val split)"
        if yc is not None else None,
    }
    if metrics["after"] is not None:
        emit({"kind": "val", "model": "classifier", "step": result["steps"], "accuracy": metrics["after"]})
    new_card = {k: v for k, v in card.items() if k not in ("recheck_members", "test", "test_cellavision", "evaluation")}
    new_card["weights_dtype"] = "float32"
    new_card["training"] = {"retrained": True, "fine_tuned_from": card.get("name"), "fine_tuned_from_version": card.get("version"),
        "steps_run": result["steps"], "seconds": result["seconds"],
                            "settings": st.to_dict(), "device": str(device), "n_train": int(len(yt)),
                            "n_val": int(len(yv)), "n_replay": int(len(yr)) if yr is not None else 0}
    new_card["replay_source"] = replay.source if replay else card.get("replay_source")
    return model.state_dict(), new_card, metrics
