"""One image's files in a project folder: the model's masks, the person's corrected ones, cell ids
and the segmenter's doubt.

Why apart from ``project``: which file wins (the person's masks over the model's) and how a
re-analysis keeps a person's work (set aside, never deleted) are rules of the folder, not of the
project's life cycle. Enters: class maps and cell ids; leaves: PNGs under the folders named by
:mod:`~.layout`. Atomic writes only.
"""

from __future__ import annotations

import time
from typing import Optional

import numpy as np

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.io.atomic import atomic_write_bytes, write_png_atomic
from wbc_desktop.core.io.images import class_map_to_mask, read_mask
from wbc_desktop.core.project.cell_ids import encode_instances, read_instances
from wbc_desktop.core.project.layout import ProjectLayout


class ImageFiles:
    """Reads and writes the per-image PNGs of one project folder."""

    def __init__(self, layout: ProjectLayout) -> None:
        self.layout = layout

    def has_analysis(self, key: str) -> bool:
        return self.layout.model_mask(key).is_file() or self.layout.corrected_mask(key).is_file()

    def is_corrected(self, key: str) -> bool:
        return self.layout.corrected_mask(key).is_file()

    def write_model(self, key: str, analysis: Analysis) -> None:
        """The model's output: class map, cell ids and (when there is one) its doubt map."""
        write_png_atomic(self.layout.model_mask(key), class_map_to_mask(analysis.class_map))
        atomic_write_bytes(self.layout.model_instances(key), encode_instances(analysis.instances))
        doubt = getattr(analysis, "uncertainty", None)
        if doubt is not None:  # the segmenter's doubt, for the review
            write_png_atomic(self.layout.doubt(key), doubt)

    def write_corrected(self, key: str, class_map: np.ndarray, instances: np.ndarray) -> None:
        """A person's masks (class map and cell ids)."""
        write_png_atomic(self.layout.corrected_mask(key), class_map_to_mask(class_map))
        atomic_write_bytes(self.layout.instances(key), encode_instances(instances))

    def model_class_map(self, key: str) -> Optional[np.ndarray]:
        p = self.layout.model_mask(key)
        return read_mask(p) if p.is_file() else None

    def model_masks(self, key: str) -> Optional[tuple[np.ndarray, Optional[np.ndarray]]]:
        """(class map, cell ids or None) as the model made them; None when never analysed."""
        cm = self.model_class_map(key)
        if cm is None:
            return None
        ip = self.layout.model_instances(key)
        return cm, (read_instances(ip, cm.shape) if ip.is_file() else None)

    def set_aside(self, key: str) -> Optional[str]:
        """Move the person's masks to ``masks/replaced/<key>-<time>.png`` (+ cell ids); the name
        relative to the project folder, or None when there were none."""
        src = self.layout.corrected_mask(key)
        if not src.is_file():
            return None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        dest = self.layout.replaced_dir / f"{key}-{stamp}.png"
        dest.parent.mkdir(parents=True, exist_ok=True)
        src.replace(dest)
        inst = self.layout.instances(key)
        if inst.is_file():
            inst.replace(dest.with_name(f"{key}-{stamp}.instances.png"))
        return self.layout.relative(dest)
