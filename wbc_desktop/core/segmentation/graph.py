"""Superpixel graphs: node features, the L1-alpha edge rule or region adjacency, and batching.

A node's basic features are its mean RGB and mean (x, y) (5 numbers, as in the paper); the
optional rich set adds colour spread and size. Many images are batched into one big graph by
offsetting node indices, as the paper trains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.spatial import cKDTree

from wbc_desktop.core.segmentation.superpixels import Superpixels

BASIC_FEATURES = 5
RICH_FEATURES = 9


@dataclass
class SuperpixelGraph:
    """One image's graph: features (n x F), edges (2 x E, both directions), the map Q (HxW)."""

    x: torch.Tensor
    edge_index: torch.Tensor
    assignment: torch.Tensor  # HxW long: node of each pixel (Q)
    n: int


def node_features(rgb: np.ndarray, sp: Superpixels, rich: bool = False) -> np.ndarray:
    """Mean colour in [-1, 1] and mean position relative to the image centre in units of its half-size.

    Position is centred so that a crop around a cell and a whole single-cell image look alike.
    """
    h, w = sp.labels.shape
    lab = sp.labels.ravel()
    cnt = np.maximum(np.bincount(lab, minlength=sp.n), 1).astype(np.float32)
    px = rgb.reshape(-1, 3).astype(np.float32) / 127.5 - 1.0
    mean = np.stack([np.bincount(lab, px[:, c], sp.n) for c in range(3)], 1) / cnt[:, None]
    yy, xx = np.divmod(np.arange(h * w, dtype=np.float32), np.float32(w))
    cx = np.bincount(lab, xx, sp.n) / cnt
    cy = np.bincount(lab, yy, sp.n) / cnt
    half = max(h, w) / 2.0
    pos = np.stack([(cx - (w - 1) / 2) / half, (cy - (h - 1) / 2) / half], 1)
    feats = [mean, pos]
    if rich:
        sq = np.stack([np.bincount(lab, px[:, c] ** 2, sp.n) for c in range(3)], 1) / cnt[:, None]
        std = np.sqrt(np.maximum(sq - mean**2, 0.0))
        size = (cnt / cnt.mean() - 1.0)[:, None]
        feats += [std, size]
    return np.concatenate(feats, 1).astype(np.float32)


def centroids(sp: Superpixels) -> np.ndarray:
    """Superpixel centroids (x, y) in pixels."""
    h, w = sp.labels.shape
    lab = sp.labels.ravel()
    cnt = np.maximum(np.bincount(lab, minlength=sp.n), 1)
    yy, xx = np.divmod(np.arange(h * w), w)
    return np.stack([np.bincount(lab, xx, sp.n) / cnt, np.bincount(lab, yy, sp.n) / cnt], 1)


def l1_edges(sp: Superpixels, mean_area: float, alpha: float = 2.0) -> np.ndarray:
    """The paper's rule: join i, j when |xi-xj| + |yi-yj| < alpha * sqrt(S)."""
    pts = centroids(sp)
    radius = alpha * np.sqrt(mean_area)
    pairs = cKDTree(pts).query_pairs(r=np.nextafter(radius, 0), p=1, output_type="ndarray")
    return _both_ways(pairs)


def adjacency_edges(sp: Superpixels) -> np.ndarray:
    """Region adjacency: join superpixels that share a pixel edge (4-connectivity)."""
    lab = sp.labels
    a = np.concatenate([lab[:, :-1].ravel(), lab[:-1, :].ravel()])
    b = np.concatenate([lab[:, 1:].ravel(), lab[1:, :].ravel()])
    keep = a != b
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    pairs = np.unique(lo * sp.n + hi)
    return _both_ways(np.stack([pairs // sp.n, pairs % sp.n], 1))


def _both_ways(pairs: np.ndarray) -> np.ndarray:
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return np.concatenate([pairs, pairs[:, ::-1]], 0).T.copy()


def build_graph(
    rgb: np.ndarray, sp: Superpixels, mean_area: float, edges: str = "l1", alpha: float = 2.0, rich: bool = False
) -> SuperpixelGraph:
    """Everything SMGNN needs from one image; ``edges`` is 'l1' (paper) or 'adjacency'."""
    if edges == "l1":
        e = l1_edges(sp, mean_area, alpha)
    elif edges == "adjacency":
        e = adjacency_edges(sp)
    else:
        raise ValueError(f"unknown edge strategy {edges!r}")
    return SuperpixelGraph(
        x=torch.from_numpy(node_features(rgb, sp, rich)),
        edge_index=torch.from_numpy(e),
        assignment=torch.from_numpy(sp.labels),
        n=sp.n,
    )


@dataclass
class GraphBatch:
    """Several images' graphs as one disconnected big graph; Q maps each image's pixels into it."""

    x: torch.Tensor
    edge_index: torch.Tensor
    assignment: torch.Tensor  # B x H x W, node index into the big graph
    node_image: torch.Tensor  # image index of each node

    def to(self, device: torch.device) -> "GraphBatch":
        return GraphBatch(*(t.to(device) for t in (self.x, self.edge_index, self.assignment, self.node_image)))


def batch_graphs(graphs: list[SuperpixelGraph]) -> GraphBatch:
    """Offset node indices so that all graphs form one; all images must share one size."""
    offs = np.cumsum([0] + [g.n for g in graphs[:-1]])
    return GraphBatch(
        x=torch.cat([g.x for g in graphs]),
        edge_index=torch.cat([g.edge_index + int(o) for g, o in zip(graphs, offs)], 1),
        assignment=torch.stack([g.assignment + int(o) for g, o in zip(graphs, offs)]),
        node_image=torch.cat([torch.full((g.n,), i, dtype=torch.long) for i, g in enumerate(graphs)]),
    )
