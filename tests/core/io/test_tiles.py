"""io.tiles: the grid of cores, their halos, and the seam guard that keeps one copy of a seam cell."""

from __future__ import annotations

from wbc_desktop.core.io.tiles import SeamGuard, grid, window_of


def test_grid_covers_the_image_once_in_row_major_order():
    g = grid(5000, 3000, 2048)
    assert g[:3] == [(0, 0, 2048, 2048), (2048, 0, 4096, 2048), (4096, 0, 5000, 2048)]
    assert len(g) == 6 and g[-1] == (4096, 2048, 5000, 3000)
    assert sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in g) == 5000 * 3000
    assert grid(100, 50, 2048) == [(0, 0, 100, 50)]


def test_window_adds_the_halo_inside_the_image():
    assert window_of((2048, 0, 4096, 2048), 256, 5000, 3000) == (1792, 0, 4352, 2304)
    assert window_of((0, 0, 100, 50), 256, 100, 50) == (0, 0, 100, 50)


def _row(x0, y0, x1, y1):
    return {"x0": x0, "y0": y0, "x1": x1, "y1": y1}


def test_seam_cell_kept_once_inner_cells_always():
    guard = SeamGuard(core=100)
    left = guard.unique((0, 0, 100, 100), [_row(10, 10, 30, 30), _row(90, 40, 112, 60)])  # one crosses x=100
    assert len(left) == 2
    # the next tile sees the seam cell again, a few pixels off, plus its own inner cell
    right = guard.unique((100, 0, 200, 100), [_row(89, 41, 111, 61), _row(150, 10, 170, 30)])
    assert right == [_row(150, 10, 170, 30)]
    # two rows further down, the first row's seam cells are forgotten (memory stays two rows)
    guard.unique((0, 100, 100, 200), [])
    far = guard.unique((0, 300, 100, 400), [_row(90, 40, 112, 60)])
    assert len(far) == 1 and all(r >= 2 for r, _ in guard.seen)
