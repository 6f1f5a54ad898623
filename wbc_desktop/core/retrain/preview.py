"""Old and new segmenter overlays of a few held-out images, for the retraining result page.

Runs in the training process right after training (torch is loaded there already), so the
window's process gets small RGB arrays and never loads a model. Best effort: an image or a
model that cannot be read is skipped with a log line; the figures come from the engine.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

import numpy as np

log = logging.getLogger(__name__)

MAX_SIDE = 320  # overlays are shown small, side by side


def _model_path(name: str, out_dir: Path, kind: str) -> str:
    """A base named after a project version lives in the project's models/ folder."""
    cand = Path(out_dir) / kind / str(name)
    return str(cand) if (cand / "weights.safetensors").is_file() else str(name)


def _shrink(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    step = max(1, int(np.ceil(max(h, w) / MAX_SIDE)))
    return np.ascontiguousarray(rgb[::step, ::step])


def held_out_images(settings: dict[str, Any], result: Any, limit: int) -> list[tuple[str, Path, Optional[Path]]]:
    """(name, image path, corrected mask path or None) of the engine's held-out segmenter images."""
    rows = ((getattr(result, "metrics", {}) or {}).get("segmenter") or {}).get("per_image") or []
    names = [str(r.get("image")) for r in rows][:limit]
    found: list[tuple[str, Path, Optional[Path]]] = []
    if settings.get("project_dir"):
        from wbc_desktop.core.project.layout import ProjectLayout
        from wbc_desktop.core.project.trainable import find_image, list_trainable

        root = Path(settings["project_dir"])
        items = list_trainable(root)
        for n in names:
            it = find_image(items, n)
            if it is not None and it.path is not None:
                mask = ProjectLayout(root).corrected_mask(it.key)
                found.append((n, it.path, mask if mask.is_file() else None))
    else:
        pairs = list(zip(settings.get("images") or [], settings.get("masks") or []))
        for n in names:
            for img, mask in pairs:
                if n in (Path(img).name, Path(img).stem):
                    found.append((n, Path(img), Path(mask)))
                    break
    return found


def overlays(settings: dict[str, Any], result: Any, limit: int = 3) -> list[dict[str, Any]]:
    """[{"image": name, "old": rgb, "new": rgb, "truth": rgb or None}] for up to ``limit`` images."""
    new = (getattr(result, "versions", {}) or {}).get("segmenter")
    if new is None:
        return []
    items = held_out_images(settings, result, limit)
    if not items:
        return []
    from wbc_desktop.core.io.images import read_image, read_mask
    from wbc_desktop.core.segmentation.overlay import render_overlay
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    device = "cpu" if settings.get("device") == "cpu" else "auto"
    out_dir = Path(settings.get("out_dir", "."))
    try:
        old_seg = Segmenter.load(_model_path(settings.get("base_segmenter", "default"), out_dir, "segmenter"), device)
        new_seg = Segmenter.load(str(new), device)
    except Exception as e:  # noqa: BLE001 - a preview must never fail the run
        log.warning("no overlay preview: %s", e)
        return []
    previews = []
    for name, path, mask in items:
        try:
            rgb = read_image(path).pixels
            row = {"image": name,
                   "old": _shrink(render_overlay(rgb, old_seg.segment(rgb).class_map)),
                   "new": _shrink(render_overlay(rgb, new_seg.segment(rgb).class_map)),
                   "truth": _shrink(render_overlay(rgb, read_mask(mask, rgb.shape[:2]))) if mask else None}
        except Exception as e:  # noqa: BLE001
            log.warning("no overlay preview for %s: %s", name, e)
            continue
        previews.append(row)
    return previews
