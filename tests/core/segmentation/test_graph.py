import numpy as np
import torch

from wbc_desktop.core.segmentation.graph import (
    BASIC_FEATURES, RICH_FEATURES, adjacency_edges, batch_graphs, build_graph, centroids, l1_edges, node_features,
)
from wbc_desktop.core.segmentation.superpixels import compute_superpixels, relabel


def test_l1_rule_joins_exactly_close_centroids():
    # a 4x4 grid of 4x4-pixel blocks: centroids 4 px apart
    lab = np.repeat(np.repeat(np.arange(16).reshape(4, 4), 4, 0), 4, 1)
    sp = relabel(lab)
    e = l1_edges(sp, mean_area=16, alpha=2.0)  # |dx|+|dy| < 8: only the 4-neighbours (L1 = 4)
    pts = centroids(sp)
    d = np.abs(pts[e[0]] - pts[e[1]]).sum(1)
    assert (d < 8).all() and len(e[0]) == 2 * 24
    assert set(map(tuple, e.T)) == set(map(tuple, e[::-1].T))  # both directions
    e3 = l1_edges(sp, mean_area=16, alpha=2.5)  # < 10 also takes diagonals and 2-steps
    assert e3.shape[1] > e.shape[1]


def test_adjacency_edges_on_blocks():
    lab = np.repeat(np.repeat(np.arange(4).reshape(2, 2), 3, 0), 3, 1)
    e = adjacency_edges(relabel(lab))
    pairs = {tuple(sorted(p)) for p in e.T}
    assert pairs == {(0, 1), (0, 2), (1, 3), (2, 3)}


def test_features_are_normalised(cell_pair):
    rgb, _ = cell_pair
    sp = compute_superpixels(rgb[:64, :64], 16)
    f = node_features(rgb[:64, :64], sp)
    assert f.shape == (sp.n, BASIC_FEATURES) and np.abs(f).max() <= 1.01
    assert node_features(rgb[:64, :64], sp, rich=True).shape == (sp.n, RICH_FEATURES)


def test_batching_offsets_nodes(cell_pair):
    rgb, _ = cell_pair
    gs = []
    for crop in (rgb[:48, :48], rgb[48:96, 48:96]):
        sp = compute_superpixels(crop, 16)
        gs.append(build_graph(crop, sp, 16))
    b = batch_graphs(gs)
    n0 = gs[0].n
    assert b.x.shape[0] == n0 + gs[1].n
    assert b.assignment[1].min() == n0 and b.assignment[0].max() == n0 - 1
    assert (b.edge_index[:, b.edge_index[0] >= n0] >= n0).all()  # no edge crosses images
    assert torch.equal(b.node_image.bincount(), torch.tensor([n0, gs[1].n]))
