"""The result of analysing one image: what the CLI writes, the GUI shows and the user corrects.

Plain dataclasses with numpy arrays, no Qt and no torch, so every front end can hold them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

CLASS_NAMES = ("background", "cytoplasm", "nucleus")  # class-map values 0, 1, 2
UNIDENTIFIED = "unidentified"


@dataclass
class Cell:
    """One white blood cell (a nucleus and its cytoplasm) found in an image."""

    cell_id: int  # 1-based; equals its value in Analysis.instances
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in input pixels, x1/y1 exclusive
    centroid: tuple[float, float]  # x, y in input pixels
    nucleus_area_px: int
    cytoplasm_area_px: int
    touches_border: bool
    cell_type: str = UNIDENTIFIED  # a class name, or "unidentified" below the confidence threshold
    confidence: float = 0.0
    top3: list[tuple[str, float]] = field(default_factory=list)
    predicted_type: Optional[str] = None  # the model's best class even when shown as unidentified
    reviewed_type: Optional[str] = None  # set when a person reclassified the cell
    doubt: str = ""  # why a typed cell is not to be trusted (far from its type's training cells...); "" = no doubt
    embedding: Optional[np.ndarray] = field(default=None, compare=False, repr=False)  # float32 (D,) classifier features: prototypes, "find similar"

    @property
    def nc_ratio(self) -> float:
        """Nucleus to cytoplasm area ratio (a classic morphology figure)."""
        return float(self.nucleus_area_px) / max(1, self.cytoplasm_area_px)

    @property
    def area_px(self) -> int:
        return self.nucleus_area_px + self.cytoplasm_area_px

    @property
    def final_type(self) -> str:
        """What the count uses: a person's decision beats the model's."""
        return self.reviewed_type or self.cell_type

    def top3_text(self) -> str:
        return ";".join(f"{n}:{p:.2f}" for n, p in self.top3)


@dataclass
class NodeEmbeddings:
    """SMGNN's superpixel embeddings of one segmented region, kept so that the learned magic wand
    (core.editing.wand) works in the window's process without torch and without a second forward pass."""

    box: tuple[int, int, int, int]  # y0, y1, x0, x1 of the region in input pixels (exclusive ends)
    labels: np.ndarray  # int32 h x w at model scale: the superpixel (node) of each model pixel, the map Q
    vectors: np.ndarray  # float16 n x D: each node's embedding (the GNN's output)
    logits: Optional[np.ndarray] = None  # float16 3 x h x w at model scale: the class logits (the margin wand)


@dataclass
class Analysis:
    """Everything known about one image after analysis."""

    image_name: str
    shape: tuple[int, int]  # height, width of the input
    class_map: np.ndarray  # uint8 HxW: 0 background, 1 cytoplasm, 2 nucleus (input size)
    instances: np.ndarray  # int32 HxW: 0 none, k = Cell.cell_id
    cells: list[Cell] = field(default_factory=list)
    scale: float = 1.0  # input pixels -> model pixels factor used
    device: str = "cpu"  # "cpu" or "cuda:N": what actually ran
    models: dict[str, dict] = field(default_factory=dict)  # kind -> {"name", "version", "params"}
    notes: list[str] = field(default_factory=list)  # conversions, fallbacks, warnings for the user
    timings_ms: dict[str, float] = field(default_factory=dict)
    probabilities: Optional[np.ndarray] = None  # float16 HxWx3 when asked for
    uncertainty: Optional[np.ndarray] = None  # uint8 HxW segmenter entropy, 255 = ln 3 (review: overlay, N)
    # How the scale was found and how sure the models are on this image (images.csv, the app's warning)
    scale_method: str = ""  # e.g. "pixel-size", "tiff-resolution", "red-cells", "fixed", "assumed"
    scale_confidence: float = 0.0  # 0..1, how much the scale estimate can be trusted
    familiarity: Optional[float] = None  # 0..1, 1 = like the training data; None when not measured
    warning: str = ""  # one plain sentence for the user when the image looks unlike the training data
    standardisation: str = ""  # which colour reference standardised this image ("" = none; images.csv, the app)
    overview_factor: Optional[float] = None  # a whole slide shown reduced: overview px per slide px (core.slide_view)
    nodes: list[NodeEmbeddings] = field(default_factory=list, compare=False, repr=False)  # the segmenter's, for the wand

    def cell(self, cell_id: int) -> Cell:
        for c in self.cells:
            if c.cell_id == cell_id:
                return c
        raise KeyError(cell_id)

    def counts(self, include_border: bool = False) -> dict[str, int]:
        """Cells per final type (cells cut by the border are left out unless asked)."""
        out: dict[str, int] = {}
        for c in self.cells:
            if c.touches_border and not include_border:
                continue
            out[c.final_type] = out.get(c.final_type, 0) + 1
        return out
