"""A project's corrections in and out: masks and QuPath GeoJSON imported as corrections (through
the image's history, so journalled and undoable), and masks, cells.csv, GeoJSON or COCO exported.

Each bad file gives one line naming it and changes nothing; the other files go on.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.errors import InputError, WbcError
from wbc_desktop.core.io.atomic import atomic_write_text, write_png_atomic
from wbc_desktop.core.io.images import class_map_to_mask
from wbc_desktop.core.editing.edits import values_patch
from wbc_desktop.core.project.assign import AssignPixels, orphan_assignment
from wbc_desktop.core.review.history import Reclassify
from wbc_desktop.core.project.interop.coco import coco_document
from wbc_desktop.core.project.interop.geojson import cell_features, feature_collection, read_cells_geojson
from wbc_desktop.core.project.interop.masks import find_masks, read_class_mask
from wbc_desktop.core.editing.mask_edit import MaskEdit
from wbc_desktop.core.project.project import Project
from wbc_desktop.core.project.manifest import ProjectImage
from wbc_desktop.core.export.layout import SUMMARY_TABLE
from wbc_desktop.core.export.tables import write_summary_csv

FORMATS = ("masks", "csv", "geojson", "coco")


def _image_for(project: Project, stem: str) -> Optional[ProjectImage]:
    for im in project.images:
        if stem in (im.key, Path(im.name).stem):
            return im
    return None


def _shape_of(project: Project, im: ProjectImage) -> tuple[int, int]:
    if im.size:
        return int(im.size[0]), int(im.size[1])
    path = project.image_path(im)
    if path is None:
        raise InputError(f"{im.name}: image file not found, its size is unknown")
    from PIL import Image

    with Image.open(path) as img:
        return img.height, img.width


def import_corrections(project: Project, masks: Optional[Path] = None,
                       geojson: Optional[Path] = None, report: Optional[dict] = None) -> tuple[int, list[str]]:
    """Masks (and/or GeoJSON cells) matched to the project's images by file stem.

    Returns how many images were corrected and one message line per file that was not used.
    ``report`` (filled when given): image key -> :class:`ImportReport` (cells to type again, pixels
    that could not be given to a cell).
    """
    mask_files = find_masks(masks) if masks else {}
    geo_files: dict[str, Path] = {}
    if geojson:
        g = Path(geojson)
        files = [g] if g.is_file() else sorted(g.glob("*.geojson")) + sorted(g.glob("*.json"))
        geo_files = {q.stem: q for q in files}
    errors: list[str] = []
    done = 0
    for stem in sorted(set(mask_files) | set(geo_files)):
        files = [f for f in (mask_files.get(stem), geo_files.get(stem)) if f is not None]
        im = _image_for(project, stem)
        if im is None:
            errors.extend(f"{f.name}: no image named {stem} in the project; skipped" for f in files)
            continue
        try:
            shape = _shape_of(project, im)
            cm = read_class_mask(mask_files[stem], shape) if stem in mask_files else None
            labels = None
            types: list = []
            if stem in geo_files:
                gcm, labels, types = read_cells_geojson(geo_files[stem], shape)
                cm = gcm if cm is None else cm
            r = _apply(project, im, cm, labels, types, files[0].name)  # type: ignore[arg-type]
            if report is not None:
                report[im.key] = r
            done += 1
        except WbcError as e:
            errors.append(str(e))
    project.flush()
    return done, errors


def _apply(project: Project, im: ProjectImage, cm: np.ndarray, labels: Optional[np.ndarray],
           types: list[Optional[str]], source: str) -> "ImportReport":
    a = project.load_analysis(im)
    if a is None:  # never analysed: the imported mask is the image's corrected analysis
        inst, cells = find_cells(cm, scale=im.scale)
        a = Analysis(image_name=im.name or im.key, shape=cm.shape, class_map=cm.copy(), instances=inst, cells=cells,
                     scale=im.scale)
        im.size = [int(cm.shape[0]), int(cm.shape[1])]
        project.save_corrected(im, a)
    h = project.open_images[im.key].history if im.key in project.open_images else project.attach(im, a)
    patch = values_patch(a.class_map, a.class_map != cm, cm, f"import {source}")
    out = ImportReport(im.name or im.key)
    if patch is not None:
        edit = MaskEdit(a, patch)
        h.do(edit)
        out.retype.update(edit.changed_ids)
    assignment = orphan_assignment(a)  # every labelled pixel to a cell, or said
    if assignment is not None:
        if assignment.cells:
            h.do(AssignPixels(a, assignment))
            out.retype.update(assignment.cells)
        out.assigned_px, out.unassigned_px = assignment.assigned_px, assignment.unassigned_px
        out.unassigned_regions = assignment.unassigned_regions
    live = {c.cell_id for c in a.cells}
    out.retype &= live
    if labels is not None and types:
        by_type: dict[str, list[int]] = {}
        for k, t in enumerate(types):
            if t is None:
                continue
            hit = a.instances[labels == k + 1]
            hit = hit[hit > 0]
            if len(hit):
                by_type.setdefault(t, []).append(int(np.bincount(hit).argmax()))
        for t, ids in by_type.items():
            h.do(Reclassify(tuple(sorted(set(ids))), t, who=project.user or "import"))
    return out


@dataclass
class ImportReport:
    """What an import did to one image: cells to type again, pixels given to cells, pixels left out."""

    name: str
    retype: set = field(default_factory=set)
    assigned_px: int = 0
    unassigned_px: int = 0
    unassigned_regions: int = 0

    def line(self) -> str:
        """One sentence for the person, '' when nothing needs saying."""
        parts = []
        if self.assigned_px:
            parts.append(f"{self.assigned_px} px of cytoplasm not touching a nucleus attached to the nearest cell")
        if self.unassigned_px:
            parts.append(f"{self.unassigned_px} px in {self.unassigned_regions} region"
                         f"{'s' if self.unassigned_regions != 1 else ''} too far from any nucleus were not assigned "
                         "to a cell (not counted)")
        return f"{self.name}: " + "; ".join(parts) + "." if parts else ""


def _analyses(project: Project) -> list[tuple[ProjectImage, Analysis]]:
    out = []
    for im in project.images:
        a = project.load_analysis(im)
        if a is not None:
            project.review_for(im).apply_to(a)
            out.append((im, a))
    return out


def export_project(project: Project, fmt: str, out: Path) -> list[str]:
    """Write ``fmt`` (masks, csv, geojson, coco) under ``out``; returns the paths written."""
    if fmt not in FORMATS:
        raise WbcError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    out = Path(out)
    items = _analyses(project)
    written: list[str] = []
    if fmt == "masks":
        for im, a in items:
            p = out / f"{im.key}.png"
            write_png_atomic(p, class_map_to_mask(a.class_map))
            written.append(str(p))
    elif fmt == "csv":
        out.mkdir(parents=True, exist_ok=True)
        project.flush()
        src = project.layout.cells_file
        if src.is_file():
            shutil.copyfile(src, out / src.name)
            written.append(str(out / src.name))
        write_summary_csv([a for _, a in items], out / SUMMARY_TABLE)
        written.append(str(out / SUMMARY_TABLE))
    elif fmt == "geojson":
        for im, a in items:
            p = out / f"{im.key}.geojson"  # the key is the image's stem (made unique within the project)
            atomic_write_text(p, json.dumps(feature_collection(cell_features(im.key, a))))
            written.append(str(p))
    else:
        p = out if out.suffix.lower() == ".json" else out / "coco.json"
        doc = coco_document([(im.name or im.key, a) for im, a in items])
        atomic_write_text(p, json.dumps(doc))
        written.append(str(p))
    return written
