"""One forward pass of a segmentation model on an image already at model scale.

Shared by the Segmenter (inference) and the training loop (validation), so the two can't drift.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Optional

import numpy as np
import torch

from wbc_desktop.core.segmentation.graph import GraphBatch, batch_graphs, build_graph
from wbc_desktop.core.segmentation.superpixels import compute_superpixels


@dataclass
class GraphSettings:
    """How an image becomes a graph; stored in the model card."""

    mean_area: float = 16.0
    compactness: float = 10.0
    n_iter: int = 5
    edges: str = "l1"  # "l1" (paper's alpha rule) or "adjacency"
    alpha: float = 3.0  # paper: alpha >= 2; 3 widens each GIN hop (val Dice +0.01 cytoplasm)
    rich_features: bool = False

    @classmethod
    def from_dict(cls, d: dict) -> "GraphSettings":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

    def to_dict(self) -> dict:
        return asdict(self)


def rgb_tensor(rgbs: list[np.ndarray]) -> torch.Tensor:
    """B x 3 x H x W in [-1, 1]."""
    arr = np.stack(rgbs).astype(np.float32) / 127.5 - 1.0
    return torch.from_numpy(arr).permute(0, 3, 1, 2).contiguous()


def make_batch(rgbs: list[np.ndarray], gs: GraphSettings, timings: Optional[dict] = None):
    """Superpixels and graphs of equally sized images, batched into one graph."""
    t0 = time.perf_counter()
    sps = [compute_superpixels(x, gs.mean_area, gs.compactness, gs.n_iter) for x in rgbs]
    t1 = time.perf_counter()
    graphs = [build_graph(x, sp, gs.mean_area, gs.edges, gs.alpha, gs.rich_features) for x, sp in zip(rgbs, sps)]
    batch = batch_graphs(graphs)
    t2 = time.perf_counter()
    if timings is not None:
        timings["superpixels"] = timings.get("superpixels", 0.0) + (t1 - t0) * 1e3
        timings["graph"] = timings.get("graph", 0.0) + (t2 - t1) * 1e3
    return batch, sps


def uses_graph(model: torch.nn.Module) -> bool:
    return hasattr(model, "gnn")


@torch.inference_mode()
def predict_logits(
    model: torch.nn.Module,
    rgb: np.ndarray,
    gs: GraphSettings,
    device: torch.device,
    timings: Optional[dict] = None,
    nodes: Optional[list] = None,
) -> torch.Tensor:
    """Class logits (3 x H x W, on CPU) for one RGB uint8 image at model scale.

    ``nodes``: a graph model appends (superpixel map Q as int32 H x W, node embeddings as float16
    N x D, its logits as float16 3 x H x W) to it, for the learned magic wand (:mod:`wbc_desktop.core.editing.wand`)."""
    x = rgb_tensor([rgb]).to(device).contiguous(memory_format=torch.channels_last)
    if uses_graph(model):
        batch, sps = make_batch([rgb], gs, timings)
        t = time.perf_counter()
        logits, emb = model(batch.to(device), x)
        if nodes is not None:
            nodes.append((sps[0].labels.astype(np.int32), emb.float().cpu().numpy().astype(np.float16),
                          logits[0].float().cpu().numpy().astype(np.float16)))
    else:
        t = time.perf_counter()
        logits = model(x)
    out = logits[0].float().cpu()
    if timings is not None:
        timings["model"] = timings.get("model", 0.0) + (time.perf_counter() - t) * 1e3
    return out


def forward_batch(model, batch: Optional[GraphBatch], x: torch.Tensor):
    """Training forward: (logits, embeddings or None) for graph and plain models alike."""
    if uses_graph(model):
        return model(batch, x)
    return model(x), None
