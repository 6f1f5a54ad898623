"""Pixel masks to polygons and back, so cells leave as vector shapes other tools can edit.

Coordinates follow QuPath and GeoJSON rasters: pixel (col, row) covers the square
[col, col+1] x [row, row+1], so a pixel centre is at (col + 0.5, row + 0.5).
"""

from __future__ import annotations

from functools import reduce
from typing import Optional

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from skimage.draw import polygon as draw_polygon
from skimage.measure import find_contours


def mask_to_geometry(mask: np.ndarray, offset: tuple[int, int] = (0, 0)) -> Optional[shapely.Geometry]:
    """The outline of a boolean mask (holes and several parts included) as a valid (Multi)Polygon.

    ``offset`` (x, y) places a cropped mask in its image. Contours run through the half-pixel
    boundary between inside and outside pixel centres, so rasterising gives the mask back.
    """
    if not mask.any():
        return None
    padded = np.pad(mask.astype(np.uint8), 1)
    rings = []
    for c in find_contours(padded, 0.5):
        if len(c) < 4:
            continue
        xy = np.stack([c[:, 1] - 1 + 0.5 + offset[0], c[:, 0] - 1 + 0.5 + offset[1]], 1)
        poly = Polygon(xy)
        if poly.area > 0:
            rings.append(shapely.make_valid(poly))
    if not rings:
        return None
    rings.sort(key=lambda g: -g.area)
    geom = reduce(lambda a, b: a.symmetric_difference(b), rings)  # nested rings: outer minus holes
    geom = shapely.make_valid(geom)
    polys = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, (Polygon, MultiPolygon))]
    if not polys:
        return None
    out = shapely.union_all(polys)
    return out if out.is_valid else shapely.make_valid(out)


def geometry_to_mask(geom: shapely.Geometry, shape: tuple[int, int]) -> np.ndarray:
    """Rasterise a (Multi)Polygon: pixels whose centre lies inside."""
    out = np.zeros(shape, bool)
    for poly in _polygons(geom):
        out |= _ring_mask(np.asarray(poly.exterior.coords), shape)
        for hole in poly.interiors:
            out &= ~_ring_mask(np.asarray(hole.coords), shape)
    return out


def _polygons(geom) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [p for g in getattr(geom, "geoms", []) for p in _polygons(g)]


def _ring_mask(xy: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    m = np.zeros(shape, bool)
    rr, cc = draw_polygon(xy[:, 1] - 0.5, xy[:, 0] - 0.5, shape=shape)
    m[rr, cc] = True
    return m
