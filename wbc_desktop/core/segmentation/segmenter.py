"""Segmenter: any image -> class map (0 background, 1 cytoplasm, 2 nucleus) at the input's size.

Steps: choose the scale (pixel size from the file or a setting, else an estimate from the red
cells), resample to the model's training scale, then either segment the whole image (crops and
small fields) or, for big fields, only crops around candidate WBCs, so time and memory stay
bounded whatever the field's size.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import numpy as np
import torch
import torch.nn.functional as F

from wbc_desktop.core.analysis import NodeEmbeddings
from wbc_desktop.core.weights import registry
from wbc_desktop.core.segmentation.augment import resize
from wbc_desktop.core.imaging.calibration import ColourMap
from wbc_desktop.core.imaging.illumination import apply_gain, background_gain
from wbc_desktop.core.device import describe_device, is_oom, resolve_device
from wbc_desktop.core.segmentation.postprocess import clean_class_map
from wbc_desktop.core.segmentation.uncertainty import entropy_u8
from wbc_desktop.core.progress import ProgressFn, check_cancel, no_progress
from wbc_desktop.core.segmentation.forward import GraphSettings, predict_logits
from wbc_desktop.core.segmentation.models.build import build_model, inference_parameters

if TYPE_CHECKING:
    from wbc_desktop.core.imaging.self_calibration import StainReference

log = logging.getLogger(__name__)

WHOLE_IMAGE_MAX_PX = 512 * 512  # at model scale; above this, candidate crops


@dataclass
class SegResult:
    class_map: np.ndarray  # uint8 HxW at input size
    scale: float  # model pixels per input pixel
    notes: list[str] = field(default_factory=list)
    probabilities: Optional[np.ndarray] = None  # float16 HxWx3, whole-image mode only, when asked
    crops: list[tuple[int, int, int, int]] = field(default_factory=list)  # boxes segmented (field mode)
    timings_ms: dict[str, float] = field(default_factory=dict)
    uncertainty: Optional[np.ndarray] = None  # uint8 HxW normalised entropy (core.segmentation.uncertainty)
    scale_method: str = ""  # see core.imaging.scale.ScaleChoice
    scale_confidence: float = 0.0
    nodes: list = field(default_factory=list)  # NodeEmbeddings of each region segmented (graph models)


def prepare(rgb: np.ndarray, gain: Optional[np.ndarray], cal: Optional[ColourMap] = None) -> np.ndarray:
    """What the network sees of an image: background gain, then the lab's calibration if any."""
    out = apply_gain(rgb, gain)
    return cal.apply(out) if cal is not None else out


def gain_note(gain: np.ndarray) -> str:
    return "background colour normalised (gain R/G/B " + "/".join(f"{g:.2f}" for g in gain) + ")"


def class_of(logits: torch.Tensor) -> np.ndarray:
    """Per-pixel argmax of 3 x H x W logits as uint8 (comparisons: torch's argmax over a leading
    dimension is ~10x slower on CPU)."""
    l0, l1, l2 = logits.numpy()
    out = (l1 > l0).astype(np.uint8)
    out[l2 >= np.maximum(l0, l1)] = 2
    return out


class Segmenter:
    """A loaded segmentation model plus the preprocessing its card prescribes."""

    def __init__(self, model: torch.nn.Module, card: dict, device: torch.device, source: str = "") -> None:
        self.model = model.eval().to(device).to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # torch stubs lack Module.to(memory_format=)
        self.card = card
        self.device = device
        self.source = source
        self.graph = GraphSettings.from_dict(card.get("graph", {}))
        sc = card.get("scale", {})
        self.train_scale = float(sc.get("model_px_per_train_px", 0.5))
        self.target_rbc_px = sc.get("target_rbc_px")
        self.model_pixel_size_um = sc.get("model_pixel_size_um")
        self.background = card.get("colour", {}).get("background")  # reference plasma colour
        # a retrained version's stain calibration (core.imaging.calibration), for its lab's images only
        self.calibration = ColourMap.from_card(card.get("colour", {}).get("calibration"))
        # the training data's stain (core.imaging.self_calibration); None: never self-calibrated
        self.stain_reference: Optional[StainReference] = None
        self._lock = threading.Lock()

    @classmethod
    def load(cls, name_or_path: str = "default", device: str = "auto") -> "Segmenter":
        state, card, folder = registry.load(name_or_path, "segmenter")
        model = build_model(card.get("arch", "smgnn"), card.get("config", {}))
        model.load_state_dict(state)
        seg = cls(model, card, resolve_device(device), str(folder))
        if card.get("colour", {}).get("self_calibrate", True) and not seg.calibration:
            from wbc_desktop.core.imaging.self_calibration import StainReference

            seg.stain_reference = StainReference.load(folder)
        return seg

    @property
    def device_name(self) -> str:
        return describe_device(self.device)

    def info(self) -> dict:
        return {
            "name": self.card.get("name", "?"),
            "version": self.card.get("version", "?"),
            "params": self.card.get("params", inference_parameters(self.model)),
            "arch": self.card.get("arch", "smgnn"),
        }

    # -- scale ---------------------------------------------------------------------------
    def choose_scale(
        self, rgb: np.ndarray, pixel_size_um: Optional[float] = None, override: Optional[float] = None
    ) -> tuple[float, str]:
        """Model pixels per input pixel, and how we know it (see core.scale for the priority)."""
        c = self.scale_choice(rgb, pixel_size_um, override)
        return c.factor, c.note

    def scale_choice(self, rgb: np.ndarray, pixel_size_um: Optional[float] = None, override: Optional[float] = None):
        """:class:`~wbc_desktop.core.imaging.scale.ScaleChoice` for this image and model."""
        from wbc_desktop.core.imaging.scale import ScaleChoice, choose_scale

        if not self.target_rbc_px and not override and not (pixel_size_um and self.model_pixel_size_um):
            return ScaleChoice(self.train_scale, "training scale assumed (the model has no scale anchor)", "assumed", 0.0)
        return choose_scale(
            rgb, self.target_rbc_px or 1.0, pixel_size_um, self.model_pixel_size_um, override, fallback=self.train_scale
        )

    # -- prediction ----------------------------------------------------------------------
    def _logits(self, rgb_model: np.ndarray, timings: dict, notes: list[str], nodes: Optional[list] = None) -> torch.Tensor:
        with self._lock:  # one model, many GUI workers: serialise the forward passes
            try:
                return predict_logits(self.model, rgb_model, self.graph, self.device, timings, nodes)
            except RuntimeError as e:
                if self.device.type != "cuda" or not is_oom(e):
                    raise
                torch.cuda.empty_cache()
                self.device = torch.device("cpu")
                self.model.to(self.device)
                notes.append("GPU out of memory: switched to CPU")
                log.warning("CUDA out of memory; falling back to CPU")
                return predict_logits(self.model, rgb_model, self.graph, self.device, timings, nodes)

    def _segment_region(self, rgb: np.ndarray, f: float, timings: dict, notes: list[str],
                        nodes: Optional[list] = None, origin: tuple[int, int] = (0, 0)) -> torch.Tensor:
        """Logits (3 x h x w) at the region's own size; its node embeddings appended to ``nodes``
        (as NodeEmbeddings placed at ``origin`` = y, x) when given."""
        h, w = rgb.shape[:2]
        small = resize(rgb, (max(16, round(w * f)), max(16, round(h * f))))
        got: list = []
        logits = self._logits(small, timings, notes, got if nodes is not None else None)
        if nodes is not None and got:
            (oy, ox), (labels, vectors, region_logits) = origin, got[0]
            nodes.append(NodeEmbeddings((oy, oy + h, ox, ox + w), labels, vectors, region_logits))
        return F.interpolate(logits[None], size=(h, w), mode="bilinear", align_corners=False)[0]

    def segment(
        self,
        rgb: np.ndarray,
        pixel_size_um: Optional[float] = None,
        scale: Optional[float] = None,
        progress: ProgressFn = no_progress,
        cancel: Optional[threading.Event] = None,
        with_probabilities: bool = False,
    ) -> SegResult:
        """Choose the scale and colour, then segment once (the pipeline decides both in its first
        look, :mod:`core.pipeline_steps`, and calls :meth:`segment_at`)."""
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        choice = self.scale_choice(rgb, pixel_size_um, scale)
        timings["scale"] = (time.perf_counter() - t0) * 1e3
        notes = [choice.note]
        gain = background_gain(rgb, self.background)
        if gain is not None:
            notes.append(gain_note(gain))
        cal = self.calibration_for(rgb, gain)
        if cal is not None:
            notes.append("this lab's stain calibration applied")
        res = self.segment_at(rgb, choice.factor, gain, cal, notes, progress, cancel, with_probabilities,
                              timings=timings, t0=t0)
        res.scale_method, res.scale_confidence = choice.method, choice.confidence
        return res

    def segment_at(self, rgb: np.ndarray, f: float, gain: Optional[np.ndarray], colour=None,
                   notes: Optional[list[str]] = None, progress: ProgressFn = no_progress,
                   cancel: Optional[threading.Event] = None, with_probabilities: bool = False,
                   boxes: Optional[list[tuple[int, int, int, int]]] = None, timings: Optional[dict] = None,
                   t0: Optional[float] = None) -> SegResult:
        """One segmentation at factor ``f`` through ``gain`` then ``colour`` (anything with
        ``apply(rgb) -> rgb``: a lab calibration, a self-calibration, a standardisation).

        ``boxes``: a big field's candidate regions when already found (else found here)."""
        t0 = time.perf_counter() if t0 is None else t0
        timings = {} if timings is None else timings
        notes = [] if notes is None else notes
        h, w = rgb.shape[:2]
        nodes: list = []
        if h * w * f * f <= WHOLE_IMAGE_MAX_PX:
            logits = self._segment_region(prepare(rgb, gain, colour), f, timings, notes, nodes)
            cls = clean_class_map(class_of(logits), f)
            probs = logits.softmax(0).permute(1, 2, 0).numpy().astype(np.float16) if with_probabilities else None
            timings["total"] = (time.perf_counter() - t0) * 1e3
            return SegResult(cls, f, notes, probs, [], timings, entropy_u8(logits), nodes=nodes)
        return self._segment_field(rgb, f, gain, colour, notes, timings, t0, progress, cancel, boxes)

    def is_field(self, shape: tuple[int, int], f: float) -> bool:
        """Segmented in candidate regions rather than whole (see :data:`WHOLE_IMAGE_MAX_PX`)."""
        return shape[0] * shape[1] * f * f > WHOLE_IMAGE_MAX_PX

    def candidate_boxes(self, rgb: np.ndarray, f: float) -> list[tuple[int, int, int, int]]:
        """The regions of a big field that may hold a white cell (merged where they overlap)."""
        from wbc_desktop.core.segmentation.candidates import find_candidates, merge_overlapping

        rbc = self.target_rbc_px / f if self.target_rbc_px else None
        return merge_overlapping([c.box for c in find_candidates(rgb, rbc)])

    def calibration_for(self, rgb: np.ndarray, gain: Optional[np.ndarray]) -> Optional[ColourMap]:
        """The stain calibration when this image looks like its lab's (None for others)."""
        if self.calibration is None:
            return None
        return self.calibration if self.calibration.applies(apply_gain(rgb, gain)) else None

    def _segment_field(self, rgb, f, gain, cal, notes, timings, t0, progress, cancel, boxes=None) -> SegResult:
        h, w = rgb.shape[:2]
        if boxes is None:
            tc = time.perf_counter()
            boxes = self.candidate_boxes(rgb, f)
            timings["candidates"] = (time.perf_counter() - tc) * 1e3
        cls = np.zeros((h, w), np.uint8)
        doubt = np.zeros((h, w), np.uint8)  # outside the candidates: background, taken as sure
        nodes: list = []
        for i, (x0, y0, x1, y1) in enumerate(boxes):
            check_cancel(cancel)
            progress(i, len(boxes), f"segmenting candidate {i + 1}/{len(boxes)}")
            logits = self._segment_region(prepare(rgb[y0:y1, x0:x1], gain, cal), f, timings, notes, nodes, (y0, x0))
            region = clean_class_map(class_of(logits), f)
            np.maximum(cls[y0:y1, x0:x1], region, out=cls[y0:y1, x0:x1])
            np.maximum(doubt[y0:y1, x0:x1], entropy_u8(logits), out=doubt[y0:y1, x0:x1])
        progress(len(boxes), len(boxes), "segmented")
        notes.append(f"large field: {len(boxes)} candidate regions segmented")
        timings["total"] = (time.perf_counter() - t0) * 1e3
        return SegResult(cls, f, notes, None, list(boxes), timings, doubt, nodes=nodes)
