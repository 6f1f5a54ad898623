"""Typing each found cell: normalised crops of all cells of an image, one batched forward pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from wbc_desktop.core.weights import registry
from wbc_desktop.core.analysis import UNIDENTIFIED, Cell
from wbc_desktop.core.cells.crops import CropSpec, cell_crops, to_tensor
from wbc_desktop.core.device import describe_device, resolve_device
from wbc_desktop.core.errors import ModelError
from wbc_desktop.core.cells.model import build_classifier, count_params
from wbc_desktop.core.cells.fuse import fuse_conv_bn
from wbc_desktop.core.cells.views import TURNS, check_recheck, check_views
from wbc_desktop.core.imaging.calibration import ColourMap

MAX_BATCH = 256  # cells per forward pass; a crowded field is split into a few passes


def turned(x: torch.Tensor, turns: Sequence[int]) -> list[torch.Tensor]:
    """The crop batch turned by each of ``turns`` quarter turns (TURNS[views] for 1, 2 or 4 views).

    Cells have no orientation, so every turn is an equally valid picture of the cell; averaging
    the class probabilities over turns steadies a call that hinges on one view's details.
    """
    return [x if k == 0 else x.rot90(k, (2, 3)) for k in turns]


def penultimate(model: Any, x: torch.Tensor) -> torch.Tensor:
    """A CellResNet's pooled features before its last layer (what ``model.fc`` reads).

    ``model``: a CellResNet or its BatchNorm-folded copy (typed Any: the copy is a plain Module)."""
    x = model.stages(model.stem(x))
    return torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1)


def crop_classes(crops: np.ndarray) -> np.ndarray:
    """The class map of crops from their mask channels (0 background, 1 cytoplasm, 2 nucleus)."""
    cm = np.zeros(crops.shape[:3], np.uint8)
    if crops.shape[-1] >= 5:
        cm[crops[..., 4] > 127] = 1
        cm[crops[..., 3] > 127] = 2
    return cm


def calibrate_crops(crops: np.ndarray, cal: ColourMap | None) -> np.ndarray:
    """Crops with the lab's stain calibration applied to those that look like the lab's."""
    if cal is None or not len(crops):
        return crops
    out = np.array(crops, copy=True)
    for i in range(len(out)):
        if cal.applies(out[i, ..., :3]):
            out[i, ..., :3] = cal.apply(np.ascontiguousarray(out[i, ..., :3]))
    return out


class CellClassifier:
    """A loaded classifier plus its card (classes, crop spec, confidence threshold)."""

    def __init__(self, model: torch.nn.Module, card: dict[str, Any], device: torch.device, folder: Path | None = None):
        self.model = model.eval().to(device)
        self._runner: torch.nn.Module | None = None  # BatchNorm-folded copy, made on first use
        self.card = card
        self.device = device
        self.folder = folder
        self.classes: list[str] = list(card["classes"])
        self.spec = CropSpec.from_card(card.get("input", {}))
        self.threshold = float(card.get("threshold", 0.5))
        # a retrained version's stain calibration (core.imaging.calibration), for its lab's cells only
        self.calibration = ColourMap.from_card(card.get("calibration"))
        try:
            self._card_views = check_views(int(card.get("views", 1)))
            self._card_recheck = check_recheck(card.get("recheck_below"))
        except (TypeError, ValueError) as e:
            raise ModelError(f"classifier {folder}: bad 'views' or 'recheck_below' in its card ({e})") from None
        self.members: list[CellClassifier] = []  # second opinion on unsure cells (card "recheck_members")
        self.views: int = 1
        self.recheck_below: float | None = None
        self._use_members = False
        self.set_views(0)

    @classmethod
    def load(cls, name_or_path: str = "default", device: str = "auto") -> "CellClassifier":
        """Load a shipped/user model by name, or a folder holding weights.safetensors + card.json.

        Models named in the card's ``recheck_members`` (folders relative to it) load too: with the
        card's views policy they give unsure cells a second opinion.
        """
        clf = cls._load_one(name_or_path, device)
        members = clf.card.get("recheck_members") or []
        if members and clf.folder is None:
            raise ModelError("classifier: members need the folder of their card")
        for rel in members:
            assert clf.folder is not None
            path = (clf.folder / str(rel)).resolve()
            if not path.is_relative_to(clf.folder.resolve()):
                raise ModelError(f"classifier {clf.folder}: member {rel} lies outside its folder")
            member = cls._load_one(str(path), device)
            if member.classes != clf.classes or member.spec != clf.spec or member.card.get("recheck_members"):
                raise ModelError(f"classifier {clf.folder}: member {rel} has other classes or crops, or members of its own")
            clf.members.append(member)
        clf.set_views(0)
        return clf

    @classmethod
    def _load_one(cls, name_or_path: str, device: str) -> "CellClassifier":
        state, card, folder = registry.load(str(name_or_path), "classifier")
        try:
            model = build_classifier(card["arch"], len(card["classes"]))
            model.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in state.items()})
        except (KeyError, RuntimeError, ValueError, TypeError) as e:
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise ModelError(f"classifier {folder}: weights do not match its card ({msg[:200]})") from None
        return cls(model, card, resolve_device(device), folder)

    def set_views(self, views: int = 0, recheck_below: float | None = None) -> None:
        """0: the card's policy; 1, 2 or 4: that many rotated views (~1 ms per extra view and cell on CPU).

        With ``recheck_below`` only the cells whose first view is unsure (top probability below it)
        get the other views: most of the steadiness of several views at close to the cost of one,
        since most cells are typed with high confidence. The card's policy may add a second opinion
        on those cells from its member models (their mean over all turns).
        """
        if int(views) == 0:
            self.views, self.recheck_below = self._card_views, self._card_recheck
            self._use_members = bool(self.members) and self.recheck_below is not None
        else:
            self.views, self.recheck_below = check_views(int(views)), check_recheck(recheck_below)
            self._use_members = False

    @property
    def device_name(self) -> str:
        return describe_device(self.device)

    def info(self) -> dict[str, Any]:
        return {"name": self.card.get("name", "?"), "version": self.card.get("version", "?"),
                "params": int(self.card.get("params", count_params(self.model))), "views": self.views,
                "recheck_below": self.recheck_below,
                "second_opinion": [f"{m.card.get('name', '?')} v{m.card.get('version', '?')}" for m in self.members]
                if self._use_members else []}

    @torch.inference_mode()
    def predict_crops(self, crops: np.ndarray) -> np.ndarray:
        """NxSxSxC uint8 normalised crops -> NxK class probabilities (mean over the views each cell got)."""
        return self.predict_crops_features(crops)[0]

    @torch.inference_mode()
    def predict_crops_features(self, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Class probabilities and the penultimate features (NxD float32, mean over this model's views).

        The features are the cells' embedding (core.lab.prototypes: a lab's own examples,
        "find similar"); the members' second opinion changes the probabilities only.
        """
        crops = calibrate_crops(crops, self.calibration)
        turns = TURNS[self.views]
        members = self.members if self._use_members else []
        if self.recheck_below is None or (len(turns) == 1 and not members):
            return self._mean_over_turns(crops, turns)
        p, f = self._mean_over_turns(crops, turns[:1])
        unsure = np.flatnonzero(p.max(1) < self.recheck_below)
        if len(unsure):  # the other turns for unsure cells only; their mean then equals all views' mean
            sub = crops[unsure]
            own = p[unsure]
            if len(turns) > 1:
                p2, f2 = self._mean_over_turns(sub, turns[1:])
                own = (own + p2 * (len(turns) - 1)) / len(turns)
                f[unsure] = (f[unsure] + f2 * (len(turns) - 1)) / len(turns)
            p[unsure] = np.mean([own] + [m._mean_over_turns(sub, turns)[0] for m in members], 0)
        return p, f

    @torch.inference_mode()
    def _mean_over_turns(self, crops: np.ndarray, turns: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        if self._runner is None:  # the device is fixed at load, so one copy serves every call
            # folded BatchNorms and channels-last tensors: ~30% less time per cell on CPU (measured)
            self._runner = fuse_conv_bn(self.model).to(self.device, memory_format=torch.channels_last)  # type: ignore[call-overload]  # torch stubs lack Module.to(memory_format=)
        out, feats = [], []
        step = max(1, MAX_BATCH // len(turns))  # forward passes stay MAX_BATCH crops at most
        for i in range(0, len(crops), step):
            x = to_tensor(crops[i : i + step]).to(self.device)
            views = turned(x, turns)
            batch = torch.cat(views).contiguous(memory_format=torch.channels_last)  # one pass for all turns
            runner: Any = self._runner
            f = penultimate(runner, batch)
            p = torch.softmax(runner.fc(f).float(), 1).view(len(views), len(x), -1).mean(0)
            out.append(p.cpu().numpy())
            feats.append(f.float().view(len(views), len(x), -1).mean(0).cpu().numpy())
        if not out:
            fc: Any = self.model.fc
            d = int(fc.in_features)
            return np.zeros((0, len(self.classes)), np.float32), np.zeros((0, d), np.float32)
        return np.concatenate(out), np.concatenate(feats).astype(np.float32)

    def classify(
        self,
        rgb: np.ndarray,
        class_map: np.ndarray,
        instances: np.ndarray,
        cells: Sequence[Cell],
        scale: float = 1.0,
        quick: bool = False,
    ) -> None:
        """Fill ``cell_type``, ``confidence``, ``top3``, ``predicted_type`` and ``embedding`` of each cell in place.

        Crops are normalised by each cell's segmented size, which removes magnification;
        ``scale`` (model pixels per input pixel) only keeps tiny objects (platelets) small.
        ``quick``: one view, no second opinion, whatever the card says (a rough type is enough, e.g.
        for the white cell's typical size in the pipeline's first look).
        """
        if not cells:
            return
        crops = cell_crops(rgb, class_map, instances, [c.cell_id for c in cells], self.spec, scale,
                           boxes=[c.bbox for c in cells])
        if quick:
            probs, feats = self._mean_over_turns(calibrate_crops(crops, self.calibration), TURNS[1])
        else:
            probs, feats = self.predict_crops_features(crops)
        for cell, p, f in zip(cells, probs, feats):
            cell.embedding = f
            order = np.argsort(-p)
            best = self.classes[int(order[0])]
            cell.predicted_type = best
            cell.confidence = float(p[order[0]])
            cell.top3 = [(self.classes[int(k)], float(p[k])) for k in order[:3]]
            cell.cell_type = best if cell.confidence >= self.threshold else UNIDENTIFIED
