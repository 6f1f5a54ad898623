"""The learned magic wand: one click spreads a class over the superpixels SMGNN finds alike.

SMGNN trains its superpixel (node) embeddings so that their cosine similarity says "same class".
The analysis keeps those embeddings and the pixel -> superpixel map Q of every region it segmented
(:class:`~wbc_desktop.core.analysis.NodeEmbeddings`), so a click here needs no torch and no
forward pass: the clicked superpixel's embedding is compared with its neighbours', and the class
spreads over the connected superpixels whose similarity to the clicked one stays above a
threshold, stopping where it drops (the cell's learned edge, not a fixed grid). The brush radius is
the reach: nothing farther than it from the click changes. The 1-3 px band along the new edge is
then fitted to the image's colours (:mod:`~wbc_desktop.core.editing.refine`).

An image without embeddings (read back from a project, or a model without a graph) gets the
same wand on superpixels computed around the click, compared by their mean colour.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from wbc_desktop.core.analysis import NodeEmbeddings
from wbc_desktop.core.editing.edits import MaskPatch, _name, make_patch
from wbc_desktop.core.editing.refine import refine_band

THRESHOLD = 0.95  # centred cosine similarity to the clicked superpixel (tuned on the val split, eval_effort)
SUPERPIXEL_AREA = 16.0  # model px (the segmenter's S): the refinement decides a superpixel's width around the taken region
GROW = 1.0
MODE = "margin"  # "margin": the segmenter's logits; "embedding": its node embeddings
TOLERANCE = 1.0  # logit margin below the clicked pixel's still taken (val + shifted val: 0 < 0.5 < 1 > 1.5)
REFINE_MARGIN = False  # the margin already follows the model's edge; refining it cost actions (eval_effort)  # of a superpixel's width
COLOUR_THRESHOLD = 0.9  # the same for mean-colour vectors (no embeddings)


def region_at(nodes: Sequence[NodeEmbeddings], x: float, y: float) -> Optional[NodeEmbeddings]:
    """The segmented region holding input pixel (x, y), the smallest when several do."""
    hit = [n for n in nodes if n.box[0] <= y < n.box[1] and n.box[2] <= x < n.box[3]]
    if not hit:
        return None
    return min(hit, key=lambda n: (n.box[1] - n.box[0]) * (n.box[3] - n.box[2]))


def _to_model(n: NodeEmbeddings, ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Input pixel rows/columns (absolute) -> model pixel rows/columns of region ``n`` (centres)."""
    y0, y1, x0, x1 = n.box
    mh, mw = n.labels.shape
    my = np.minimum(((ys - y0 + 0.5) * mh / (y1 - y0)).astype(int), mh - 1)
    mx = np.minimum(((xs - x0 + 0.5) * mw / (x1 - x0)).astype(int), mw - 1)
    return my, mx


def _centred_unit(v: np.ndarray) -> np.ndarray:
    """Rows minus their mean, made unit length: the raw embeddings sit in a narrow cone (cos ~0.9
    for any pair), centring spreads them so one threshold means the same on every image."""
    v = v.astype(np.float32)
    v = v - v.mean(0, keepdims=True)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-6)


def _adjacency(lab: np.ndarray, n: int) -> coo_matrix:
    a = np.concatenate([lab[:, :-1].ravel(), lab[:-1, :].ravel()])
    b = np.concatenate([lab[:, 1:].ravel(), lab[1:, :].ravel()])
    keep = a != b
    a, b = a[keep], b[keep]
    return coo_matrix((np.ones(len(a), bool), (a, b)), shape=(n, n))


def spread(n: NodeEmbeddings, x: float, y: float, reach: float, threshold: float,
           unit: Optional[np.ndarray] = None) -> tuple[Optional[np.ndarray], tuple[int, int]]:
    """The input pixels the wand takes from a click at (x, y): a mask and its (y, x) offset.

    Superpixels joined to the clicked one through superpixels whose similarity to it is at least
    ``threshold``, clipped to a disk of ``reach`` input pixels around the click."""
    H0, H1, W0, W1 = n.box
    r = max(1.0, float(reach))
    y0, y1 = max(H0, int(y - r)), min(H1, int(y + r) + 1)
    x0, x1 = max(W0, int(x - r)), min(W1, int(x + r) + 1)
    ys, xs = np.arange(y0, y1), np.arange(x0, x1)
    my, mx = _to_model(n, ys, xs)
    lab = n.labels[my[:, None], mx[None, :]]  # the window's superpixels at input resolution
    sy, sx = _to_model(n, np.array([int(y)]), np.array([int(x)]))
    seed = int(n.labels[sy[0], sx[0]])
    uniq, inv = np.unique(lab, return_inverse=True)
    inv = inv.reshape(lab.shape)
    u = _centred_unit(n.vectors) if unit is None else unit
    sim = u[uniq] @ u[seed]
    ok = sim >= threshold
    ok[np.searchsorted(uniq, seed)] = True
    g = _adjacency(inv, len(uniq))
    sel = ok[g.row] & ok[g.col]  # edges between superpixels that both pass
    sub = coo_matrix((np.ones(int(sel.sum()), bool), (g.row[sel], g.col[sel])), shape=g.shape)
    _, comp = connected_components(sub, directed=False)
    taken = ok & (comp == comp[np.searchsorted(uniq, seed)])
    yy, xx = np.mgrid[y0:y1, x0:x1]
    mask = taken[inv] & ((yy - y) ** 2 + (xx - x) ** 2 <= r * r)
    return mask, (y0, x0)


def margin_spread(n: NodeEmbeddings, class_map: np.ndarray, x: float, y: float, value: int, reach: float,
                  tolerance: float = 0.0) -> tuple[Optional[np.ndarray], tuple[int, int]]:
    """The pixels the click takes by the segmenter's own logits: connected to the click, of the clicked
    pixel's class, within ``reach``, and at least as much ``value`` (the margin of its logit over the
    others', upsampled as the segmenter does) as the clicked pixel, less ``tolerance``. Where the
    model hesitated flips first; where it was sure stays."""
    from scipy import ndimage as ndi

    if n.logits is None:
        raise ValueError("this region's logits were not kept")
    H0, H1, W0, W1 = n.box
    r = max(1.0, float(reach))
    y0, y1 = max(H0, int(y - r)), min(H1, int(y + r) + 1)
    x0, x1 = max(W0, int(x - r)), min(W1, int(x + r) + 1)
    logits = n.logits
    mh, mw = logits.shape[1:]
    gy = (np.arange(y0, y1) - H0 + 0.5) * mh / (H1 - H0) - 0.5  # bilinear, align_corners=False
    gx = (np.arange(x0, x1) - W0 + 0.5) * mw / (W1 - W0) - 0.5
    cy, cx = np.meshgrid(np.clip(gy, 0, mh - 1), np.clip(gx, 0, mw - 1), indexing="ij")
    lg = np.stack([ndi.map_coordinates(logits[k].astype(np.float32), [cy, cx], order=1) for k in range(3)])
    others = np.delete(lg, value, axis=0).max(0)
    margin = lg[value] - others
    ky, kx = int(y) - y0, int(x) - x0
    yy, xx = np.mgrid[y0:y1, x0:x1]
    win = class_map[y0:y1, x0:x1]
    ok = (win == win[ky, kx]) & ((yy - y) ** 2 + (xx - x) ** 2 <= r * r) & (margin >= margin[ky, kx] - tolerance)
    ok[ky, kx] = True
    lab, _ = ndi.label(ok, np.ones((3, 3), bool))
    return lab == lab[ky, kx], (y0, x0)


def painted_by_hand(shape: tuple[int, int], steps: Sequence[object]) -> Optional[np.ndarray]:
    """The pixels earlier mask edits set (``MaskEdit``-like steps with a ``patch``), other wand clicks
    left out so that clicks can correct each other: what a wand click must not spread over."""
    out: Optional[np.ndarray] = None
    for st in steps:
        p = getattr(st, "patch", None)
        if p is None or str(getattr(st, "text", "")).startswith("wand"):
            continue
        if out is None:
            out = np.zeros(shape, bool)
        out[p.slices] |= p.changed
    return out


def local_nodes(rgb: np.ndarray, x: float, y: float, reach: float, scale: float) -> NodeEmbeddings:
    """Superpixels around the click with their mean colour as the vector: the wand of an image
    whose embeddings were not kept (read back from a project)."""
    from wbc_desktop.core.editing.snap import _labels_at_model_scale

    H, W = rgb.shape[:2]
    pad = int(reach) + int(np.ceil(12 / max(scale, 1e-3)))
    y0, y1, x0, x1 = max(0, int(y) - pad), min(H, int(y) + pad + 1), max(0, int(x) - pad), min(W, int(x) + pad + 1)
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1, :3])
    lab = _labels_at_model_scale(crop, scale, 16.0).astype(np.int32)
    n = int(lab.max()) + 1
    cnt = np.maximum(np.bincount(lab.ravel(), minlength=n), 1)[:, None]
    px = crop.reshape(-1, 3).astype(np.float32)
    mean = np.stack([np.bincount(lab.ravel(), px[:, c], n) for c in range(3)], 1) / cnt
    return NodeEmbeddings((y0, y1, x0, x1), lab, mean.astype(np.float16))


def wand_click(class_map: np.ndarray, rgb: np.ndarray, nodes: Sequence[NodeEmbeddings], x: float, y: float,
               value: int, reach: float, scale: float = 1.0, threshold: Optional[float] = None,
               refine: Optional[bool] = None, locked: Optional[np.ndarray] = None, text: str = "",
               mode: Optional[str] = None) -> Optional[MaskPatch]:
    """The patch one wand click makes (``None`` when nothing changes).

    Parameters
    ----------
    nodes : ``Analysis.nodes`` (may be empty: superpixels around the click by colour then).
    value : the class given; a negative click (right button, Shift) passes 0, background.
    reach : the brush radius in input pixels: nothing farther from the click changes.
    refine : fit the 1-3 px band along the new edge to the image's colours (default: for the
        embedding and colour spreads, not for the margin's).
    mode : "margin" (the segmenter's logits, the default) or "embedding" (its node embeddings).
    locked : pixels a person painted by hand (bool, image-sized, :func:`painted_by_hand`): neither
        the spread nor the refinement changes them, except the clicked pixel itself.
    """
    H, W = class_map.shape
    if not (0 <= x < W and 0 <= y < H):
        return None
    mode = MODE if mode is None else mode
    n = region_at(nodes, x, y)
    thr = THRESHOLD if threshold is None else threshold
    if n is None:
        n = local_nodes(rgb, x, y, reach, scale or 1.0)
        thr = COLOUR_THRESHOLD if threshold is None else threshold
    by_margin = mode == "margin" and n.logits is not None
    if by_margin:
        mask, (oy, ox) = margin_spread(n, class_map, x, y, value, reach, TOLERANCE)
    else:
        mask, (oy, ox) = spread(n, x, y, reach, thr)
    if refine is None:
        refine = REFINE_MARGIN if by_margin else True
    if mask is not None and locked is not None:  # never over what a person painted, but where clicked
        keep = mask[int(y) - oy, int(x) - ox]
        mask &= ~locked[oy:oy + mask.shape[0], ox:ox + mask.shape[1]]
        mask[int(y) - oy, int(x) - ox] = keep
    if mask is not None:  # a wand acts on what was clicked: the pixels of the clicked pixel's class
        mask &= class_map[oy:oy + mask.shape[0], ox:ox + mask.shape[1]] == class_map[int(y), int(x)]
    if mask is None or not mask.any():
        return None
    if not refine:
        return make_patch(class_map, mask, value, text or _name("wand", value), (oy, ox))
    sp_width = int(np.ceil(GROW * np.sqrt(SUPERPIXEL_AREA) / (scale or 1.0)))  # input px
    return refine_band(class_map, rgb, mask, (oy, ox), value, (int(y), int(x)), reach, locked,
                       text or _name("wand", value), grow=sp_width)
