"""QuPath cell objects as GeoJSON: each cell a Feature with ``geometry`` (the whole cell),
``nucleusGeometry`` and ``properties.classification.name`` (its type), ``objectType: "cell"``,
in image pixels (QuPath's File > Import objects reads it)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Optional

import numpy as np
import shapely
from shapely.geometry import mapping, shape as to_shape

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.errors import InputError
from wbc_desktop.core.project.interop.geometry import geometry_to_mask, mask_to_geometry
from wbc_desktop.core.review.store import REVIEW_TYPES

#: Colours QuPath shows per type (packed as [r, g, b]).
TYPE_COLOURS = {
    "neutrophil": [31, 119, 180], "lymphocyte": [255, 127, 14], "monocyte": [44, 160, 44],
    "eosinophil": [214, 39, 40], "basophil": [148, 103, 189], "ig": [140, 86, 75],
    "erythroblast": [227, 119, 194], "platelet": [127, 127, 127], "unidentified": [188, 189, 34],
}
_NAMESPACE = uuid.UUID("5b0c3f2e-0d7a-4f43-9a4e-6c2b8f6f9d10")


def cell_features(key: str, analysis: Analysis) -> list[dict]:
    """One QuPath cell Feature per cell, typed with the final type (a person's, else the model's)."""
    feats = []
    for c in analysis.cells:
        x0, y0, x1, y1 = c.bbox
        inst = analysis.instances[y0:y1, x0:x1] == c.cell_id
        cell = mask_to_geometry(inst, (x0, y0))
        if cell is None:
            continue
        nuc = mask_to_geometry(inst & (analysis.class_map[y0:y1, x0:x1] == 2), (x0, y0))
        t = c.final_type
        f = {
            "type": "Feature",
            "id": str(uuid.uuid5(_NAMESPACE, f"{key}/{c.cell_id}")),
            "geometry": mapping(cell),
            "properties": {
                "objectType": "cell",
                "name": f"cell {c.cell_id}",
                "classification": {"name": t, "color": TYPE_COLOURS.get(t, [0, 0, 0])},
                "measurements": {"nucleus area px": c.nucleus_area_px, "cytoplasm area px": c.cytoplasm_area_px,
                                 "N:C ratio": round(c.nc_ratio, 4), "confidence": round(float(c.confidence), 4)},
                "wbcDesktop": {"image": key, "cell_id": c.cell_id, "model_type": c.cell_type,
                               "person_type": c.reviewed_type or "", "touches_border": c.touches_border},
            },
        }
        if nuc is not None:
            f["nucleusGeometry"] = mapping(nuc)
        feats.append(f)
    return feats


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _geom(doc, where: str):
    if not doc:
        return None
    try:
        g = to_shape(doc)
    except Exception as e:
        raise InputError(f"{where}: a geometry is not valid GeoJSON ({e})") from None
    return g if g.is_valid else shapely.make_valid(g)


def read_cells_geojson(path: Path | str, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, list[Optional[str]]]:
    """A class map drawn from the cell objects, a label map (feature k -> k+1) and each feature's type.

    Objects without a nucleus geometry are read as whole nuclei when classified ``Nucleus``,
    otherwise as cells; a type QuPath gives that is not one of ours is kept as ``None``.
    """
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise InputError(f"{p.name}: not a readable GeoJSON file ({str(e).splitlines()[0]})") from None
    feats = doc.get("features") if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" else \
        ([doc] if isinstance(doc, dict) and doc.get("type") == "Feature" else doc)
    if not isinstance(feats, list) or not feats:
        raise InputError(f"{p.name}: no objects in this GeoJSON file")
    cm = np.zeros(shape, np.uint8)
    labels = np.zeros(shape, np.int32)
    types: list[Optional[str]] = []
    for k, f in enumerate(feats):
        if not isinstance(f, dict) or "geometry" not in f:
            raise InputError(f"{p.name}: object {k + 1} is not a GeoJSON Feature")
        props = f.get("properties") or {}
        name = ((props.get("classification") or {}).get("name") or "").strip().lower()
        cell = _geom(f.get("geometry"), p.name)
        nuc = _geom(f.get("nucleusGeometry"), p.name)
        if cell is None:
            continue
        if nuc is None and name == "nucleus":
            nuc = cell
        m = geometry_to_mask(cell, shape)
        cm[m & (cm == 0)] = 1
        labels[m] = k + 1
        if nuc is not None:
            cm[geometry_to_mask(nuc, shape)] = 2
        types.append(name if name in REVIEW_TYPES else None)
    return cm, labels, types
