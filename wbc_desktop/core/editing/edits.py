"""Mask editing primitives on a class map (0 background, 1 cytoplasm, 2 nucleus), Qt-free.

Every tool returns a :class:`MaskPatch`: the values of the one box it touched, before and after,
so an undo step of a 4000x3000 image costs the stroke's box, not a copy of the image. The
primitives never change the map they are given; :meth:`MaskPatch.apply` (or
:class:`~wbc_desktop.core.editing.mask_edit.MaskEdit` through the history) does. A live brush uses
:class:`StrokeRecorder`, which paints in place while the mouse moves and hands back the patch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from scipy import ndimage as ndi
from skimage.draw import polygon as draw_polygon
from skimage.segmentation import flood

Box = tuple[int, int, int, int]  # y0, y1, x0, x1 (exclusive ends)
PointsXY = Sequence[tuple[float, float]]


@dataclass
class MaskPatch:
    """One edit: the box it touched and the values there before and after.

    ``inst_before``/``inst_after`` are set by cell operations that decide the instances
    themselves (split, merge, add, delete); brush-like tools leave them ``None`` and the
    cells are recomputed from the class map.
    """

    box: Box
    before: np.ndarray
    after: np.ndarray
    text: str = ""
    inst_before: Optional[np.ndarray] = None
    inst_after: Optional[np.ndarray] = None

    def __post_init__(self) -> None:
        self.box = tuple(int(v) for v in self.box)  # type: ignore[assignment]
        if self.before.shape != (self.box[1] - self.box[0], self.box[3] - self.box[2]):
            raise ValueError(f"patch values {self.before.shape} do not fit box {self.box}")

    @property
    def slices(self) -> tuple[slice, slice]:
        y0, y1, x0, x1 = self.box
        return slice(y0, y1), slice(x0, x1)

    def apply(self, class_map: np.ndarray, instances: Optional[np.ndarray] = None) -> None:
        class_map[self.slices] = self.after
        if instances is not None and self.inst_after is not None:
            instances[self.slices] = self.inst_after

    def revert(self, class_map: np.ndarray, instances: Optional[np.ndarray] = None) -> None:
        class_map[self.slices] = self.before
        if instances is not None and self.inst_before is not None:
            instances[self.slices] = self.inst_before

    def inverse(self) -> "MaskPatch":
        """The patch that undoes this one (what the journal records for an undo)."""
        return MaskPatch(self.box, self.after, self.before, f"undo {self.text}", self.inst_after, self.inst_before)

    @property
    def changed(self) -> np.ndarray:
        """Pixels of the box whose class changed (bool, box-sized)."""
        return self.before != self.after


def make_patch(class_map: np.ndarray, mask: np.ndarray, value: int, text: str,
               offset: tuple[int, int] = (0, 0)) -> Optional[MaskPatch]:
    """The patch setting ``mask`` (placed at ``offset`` = y, x) to ``value``; ``None`` if nothing changes."""
    value = _check_value(value)
    oy, ox = offset
    cm = class_map[oy:oy + mask.shape[0], ox:ox + mask.shape[1]]
    hit = mask & (cm != value)
    if not hit.any():
        return None
    ys, xs = np.nonzero(hit)
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    before = cm[y0:y1, x0:x1].copy()
    after = before.copy()
    after[hit[y0:y1, x0:x1]] = value
    return MaskPatch((y0 + oy, y1 + oy, x0 + ox, x1 + ox), before, after, text)


def _check_value(value: int) -> int:
    v = int(value)
    if v not in (0, 1, 2):
        raise ValueError(f"class value must be 0, 1 or 2, got {value}")
    return v


def _disk(radius: float) -> np.ndarray:
    r = max(0.5, float(radius))
    k = int(np.ceil(r - 0.5))
    yy, xx = np.mgrid[-k:k + 1, -k:k + 1]
    return (yy * yy + xx * xx) <= r * r


def _centres(points_xy: PointsXY, radius: float) -> np.ndarray:
    """Disk centres along the polyline, no farther apart than a third of the radius (no gaps)."""
    pts = np.asarray(points_xy, float).reshape(-1, 2)
    if len(pts) < 2:
        return pts
    step = max(0.5, radius / 3.0)
    out = [pts[:1]]
    for a, b in zip(pts[:-1], pts[1:]):
        n = int(np.ceil(np.hypot(*(b - a)) / step))
        if n:
            t = (np.arange(1, n + 1) / n)[:, None]
            out.append(a + t * (b - a))
    return np.concatenate(out)


def stroke_mask(shape: tuple[int, int], points_xy: PointsXY, radius: float) -> tuple[Optional[np.ndarray], Box]:
    """The pixels a polyline of disks covers, as a mask of its clipped bounding box."""
    H, W = shape
    c = _centres(points_xy, radius)
    foot = _disk(radius)
    k = foot.shape[0] // 2
    if not len(c):
        return None, (0, 0, 0, 0)
    ci = np.rint(c).astype(int)
    y0, y1 = max(0, ci[:, 1].min() - k), min(H, ci[:, 1].max() + k + 1)
    x0, x1 = max(0, ci[:, 0].min() - k), min(W, ci[:, 0].max() + k + 1)
    if y0 >= y1 or x0 >= x1:
        return None, (0, 0, 0, 0)
    m = np.zeros((y1 - y0, x1 - x0), bool)
    for x, y in np.unique(ci, axis=0):
        ay, ax = y - k - y0, x - k - x0  # footprint origin in the box
        sy0, sx0 = max(0, -ay), max(0, -ax)
        sy1 = min(foot.shape[0], m.shape[0] - ay)
        sx1 = min(foot.shape[1], m.shape[1] - ax)
        if sy0 < sy1 and sx0 < sx1:
            m[ay + sy0:ay + sy1, ax + sx0:ax + sx1] |= foot[sy0:sy1, sx0:sx1]
    return m, (y0, y1, x0, x1)


def paint_disks(class_map: np.ndarray, points_xy: PointsXY, radius: float, value: int,
                text: str = "") -> Optional[MaskPatch]:
    """A brush (or eraser, ``value=0``) stroke: disks of ``radius`` px along the polyline ``points_xy``."""
    m, (y0, _, x0, _) = stroke_mask(class_map.shape, points_xy, radius)
    if m is None:
        return None
    return make_patch(class_map, m, value, text or _name("brush", value), (y0, x0))


def flood_fill(class_map: np.ndarray, x: int, y: int, value: int, text: str = "") -> Optional[MaskPatch]:
    """Set the 4-connected region of one class containing (x, y) to ``value``."""
    H, W = class_map.shape
    if not (0 <= x < W and 0 <= y < H):
        return None
    m = flood(class_map, (int(y), int(x)), connectivity=1)
    return make_patch(class_map, m, value, text or _name("fill", value))


def fill_polygon(class_map: np.ndarray, polygon_xy: PointsXY, value: int, text: str = "") -> Optional[MaskPatch]:
    """A lasso/polygon fill: the inside of the closed polygon (x, y vertices) set to ``value``."""
    pts = np.asarray(polygon_xy, float).reshape(-1, 2)
    if len(pts) < 3:
        return None
    rr, cc = draw_polygon(pts[:, 1], pts[:, 0], shape=class_map.shape)
    if not len(rr):
        return None
    y0, x0 = int(rr.min()), int(cc.min())
    m = np.zeros((int(rr.max()) - y0 + 1, int(cc.max()) - x0 + 1), bool)
    m[rr - y0, cc - x0] = True
    return make_patch(class_map, m, value, text or _name("polygon fill", value), (y0, x0))


def _name(tool: str, value: int) -> str:
    return f"{tool} {('background', 'cytoplasm', 'nucleus')[_check_value(value)]}"


class StrokeRecorder:
    """A live brush: paints each mouse move into the map at once, keeps what was there.

    Only the stroke's growing box is copied (grown in steps of ``grow`` px so a long stroke
    re-copies rarely); :meth:`finish` returns the stroke as one :class:`MaskPatch`, already
    applied (applying it again through the history is harmless).
    """

    def __init__(self, class_map: np.ndarray, radius: float, value: int, text: str = "", grow: int = 64) -> None:
        self.map = class_map
        self.radius = float(radius)
        self.value = _check_value(value)
        self.text = text or _name("brush" if value else "eraser", value)
        self.grow = int(grow)
        self.box: Optional[Box] = None
        self._before: Optional[np.ndarray] = None
        self._last: Optional[tuple[float, float]] = None

    def add(self, points_xy: PointsXY) -> Optional[Box]:
        """Paint the segment from the previous point through ``points_xy``; returns the box painted."""
        pts: list[tuple[float, float]] = [(float(p[0]), float(p[1])) for p in points_xy]
        if self._last is not None:
            pts = [self._last] + pts
        if not pts:
            return None
        self._last = pts[-1]
        m, box = stroke_mask(self.map.shape, pts, self.radius)
        if m is None:
            return None
        self._cover(box)
        y0, y1, x0, x1 = box
        self.map[y0:y1, x0:x1][m] = self.value
        return box

    def add_patch(self, patch: Optional[MaskPatch]) -> Optional[Box]:
        """Apply another tool's patch as part of this stroke (a superpixel drag); returns its box."""
        if patch is None:
            return None
        self._cover(patch.box)
        patch.apply(self.map)
        return patch.box

    def _cover(self, box: Box) -> None:
        H, W = self.map.shape
        if self.box is None:
            y0, y1, x0, x1 = box
        else:
            y0, y1, x0, x1 = self.box
            if box[0] >= y0 and box[1] <= y1 and box[2] >= x0 and box[3] <= x1:
                return
            y0, y1 = min(y0, box[0]), max(y1, box[1])
            x0, x1 = min(x0, box[2]), max(x1, box[3])
        g = self.grow
        new = (max(0, y0 - g), min(H, y1 + g), max(0, x0 - g), min(W, x1 + g))
        before = self.map[new[0]:new[1], new[2]:new[3]].copy()
        if self.box is not None and self._before is not None:
            oy0, oy1, ox0, ox1 = self.box
            before[oy0 - new[0]:oy1 - new[0], ox0 - new[2]:ox1 - new[2]] = self._before
        self.box, self._before = new, before

    def finish(self) -> Optional[MaskPatch]:
        """The whole stroke as one patch, trimmed to the changed pixels; ``None`` if nothing changed."""
        if self.box is None or self._before is None:
            return None
        y0, y1, x0, x1 = self.box
        after = self.map[y0:y1, x0:x1]
        diff = after != self._before
        if not diff.any():
            return None
        ys, xs = np.nonzero(diff.any(1))[0], np.nonzero(diff.any(0))[0]
        a0, a1, b0, b1 = int(ys[0]), int(ys[-1]) + 1, int(xs[0]), int(xs[-1]) + 1
        return MaskPatch((y0 + a0, y0 + a1, x0 + b0, x0 + b1), self._before[a0:a1, b0:b1].copy(),
                         after[a0:a1, b0:b1].copy(), self.text)

    def cancel(self) -> None:
        """Put back what the stroke painted (Esc during a stroke)."""
        if self.box is not None and self._before is not None:
            y0, y1, x0, x1 = self.box
            self.map[y0:y1, x0:x1] = self._before
        self.box, self._before, self._last = None, None, None


def bbox_of(mask: np.ndarray) -> Optional[Box]:
    """The tight box of a boolean mask, or ``None`` when empty."""
    sl = ndi.find_objects(mask.astype(np.uint8))
    if not sl or sl[0] is None:
        return None
    s = sl[0]
    return s[0].start, s[0].stop, s[1].start, s[1].stop


def values_patch(class_map: np.ndarray, mask: np.ndarray, values: np.ndarray, text: str,
                 offset: tuple[int, int] = (0, 0)) -> Optional[MaskPatch]:
    """The patch giving the ``mask`` pixels the matching ``values`` (both box-sized, at ``offset``)."""
    oy, ox = offset
    cm = class_map[oy:oy + mask.shape[0], ox:ox + mask.shape[1]]
    hit = mask & (cm != values)
    if not hit.any():
        return None
    y0, y1, x0, x1 = bbox_of(hit)  # type: ignore[misc]
    before = cm[y0:y1, x0:x1].copy()
    after = before.copy()
    h = hit[y0:y1, x0:x1]
    after[h] = values[y0:y1, x0:x1][h]
    return MaskPatch((y0 + oy, y1 + oy, x0 + ox, x1 + ox), before, after, text)


def union_patch(class_map: np.ndarray, patches: Sequence[MaskPatch], text: str,
                instances: Optional[np.ndarray] = None) -> Optional[MaskPatch]:
    """Several patches computed on the same map (disjoint, e.g. deleting several cells) as one undo step."""
    patches = [p for p in patches if p is not None]
    if len(patches) <= 1:
        return patches[0] if patches else None
    y0, x0 = min(p.box[0] for p in patches), min(p.box[2] for p in patches)
    y1, x1 = max(p.box[1] for p in patches), max(p.box[3] for p in patches)
    before = class_map[y0:y1, x0:x1].copy()
    after = before.copy()
    with_inst = instances is not None and all(p.inst_after is not None for p in patches)
    ib = instances[y0:y1, x0:x1].copy() if (with_inst and instances is not None) else None
    ia = ib.copy() if ib is not None else None
    for p in patches:
        sl = slice(p.box[0] - y0, p.box[1] - y0), slice(p.box[2] - x0, p.box[3] - x0)
        ch = p.changed
        after[sl][ch] = p.after[ch]
        if ia is not None and p.inst_after is not None:
            ich = p.inst_before != p.inst_after
            ia[sl][ich] = p.inst_after[ich]
    return MaskPatch((y0, y1, x0, x1), before, after, text, ib, ia)
