"""COCO instance JSON: categories are the cell types, one annotation per cell whose
``segmentation`` is the whole cell as RLE (pycocotools), with ``nucleus_segmentation`` and
``cytoplasm_segmentation`` beside it in the same encoding."""

from __future__ import annotations

import numpy as np
from pycocotools import mask as mask_utils

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.review.store import REVIEW_TYPES


def _rle(m: np.ndarray) -> dict:
    r = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
    return {"size": [int(v) for v in r["size"]], "counts": r["counts"].decode("ascii")}


def categories() -> list[dict]:
    return [{"id": i + 1, "name": t, "supercategory": "cell"} for i, t in enumerate(REVIEW_TYPES)]


def coco_document(entries: list[tuple[str, Analysis]]) -> dict:
    """``entries``: (image file name, analysis with the person's types applied) per image."""
    cat_id = {c["name"]: c["id"] for c in categories()}
    images: list[dict] = []
    anns: list[dict] = []
    for img_id, (file_name, a) in enumerate(entries, 1):
        H, W = a.shape
        images.append({"id": img_id, "file_name": file_name, "width": int(W), "height": int(H)})
        for c in a.cells:
            x0, y0, x1, y1 = c.bbox
            cell = a.instances == c.cell_id
            if not cell.any():
                continue
            nuc = cell & (a.class_map == 2)
            t = c.final_type if c.final_type in cat_id else "unidentified"
            anns.append({
                "id": len(anns) + 1, "image_id": img_id, "category_id": cat_id[t], "iscrowd": 0,
                "bbox": [int(x0), int(y0), int(x1 - x0), int(y1 - y0)], "area": int(cell.sum()),
                "segmentation": _rle(cell), "nucleus_segmentation": _rle(nuc),
                "cytoplasm_segmentation": _rle(cell & ~nuc),
                "cell_id": c.cell_id, "model_type": c.cell_type, "person_type": c.reviewed_type or "",
                "score": round(float(c.confidence), 4),
            })
    return {"info": {"description": "WBC Desktop export", "version": "1"}, "images": images,
            "annotations": anns, "categories": categories()}
