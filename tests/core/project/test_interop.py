"""GeoJSON (QuPath cells) and COCO out, masks and GeoJSON in, through a project."""

import json

import numpy as np
import pytest
import shapely
from PIL import Image
from pycocotools.coco import COCO
from pycocotools import mask as mask_utils
from shapely.geometry import shape

from wbc_desktop.core.errors import InputError
from wbc_desktop.core.review.history import Reclassify
from wbc_desktop.core.project.interop.geometry import geometry_to_mask, mask_to_geometry
from wbc_desktop.core.project.interop.geojson import read_cells_geojson
from wbc_desktop.core.project.interop.masks import read_class_mask
from wbc_desktop.core.project.interop.project_io import export_project, import_corrections
from wbc_desktop.core.project.project import Project

from tests.core.project.test_project import new_project


def dice(a, b):
    return 2 * (a & b).sum() / max(1, a.sum() + b.sum())


@pytest.fixture
def project(tmp_path):
    p, root = new_project(tmp_path, 2)
    im = p.images[0]
    a = p.load_analysis(im)
    h = p.attach(im, a)
    h.do(Reclassify((1,), "monocyte"))
    yield p
    p.close()


def test_geometry_round_trip_with_holes_and_parts():
    m = np.zeros((60, 60), bool)
    m[10:40, 10:40] = True
    m[20:30, 20:30] = False
    m[50:55, 3:9] = True
    g = mask_to_geometry(m)
    assert g.is_valid and g.geom_type == "MultiPolygon"
    assert np.array_equal(geometry_to_mask(g, m.shape), m)


def test_geojson_is_valid_typed_and_round_trips(project, tmp_path):
    out = tmp_path / "geo"
    files = export_project(project, "geojson", out)
    assert len(files) == 2
    im = project.images[0]
    a = project.load_analysis(im)
    doc = json.loads((out / f"{im.key}.geojson").read_text())
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == len(a.cells)
    for f in doc["features"]:
        assert f["properties"]["objectType"] == "cell"
        assert f["properties"]["classification"]["name"]
        assert shape(f["geometry"]).is_valid and shape(f["nucleusGeometry"]).is_valid
        assert shape(f["geometry"]).contains(shape(f["nucleusGeometry"]).representative_point())
    names = [f["properties"]["classification"]["name"] for f in doc["features"]]
    assert names[0] == "monocyte" and set(names[1:]) <= {"neutrophil"}
    cm, labels, types = read_cells_geojson(out / f"{im.key}.geojson", a.shape)
    cells = a.instances > 0
    for cls in (1, 2):  # per class, only the pixels that belong to cells are exported
        ref = (a.class_map == cls) & cells
        assert dice(cm == cls, ref) >= 0.99
    assert types[0] == "monocyte"


def test_coco_loads_in_pycocotools_and_masks_match(project, tmp_path):
    (path,) = export_project(project, "coco", tmp_path / "coco.json")
    coco = COCO(path)
    names = {c["name"] for c in coco.loadCats(coco.getCatIds())}
    assert {"neutrophil", "monocyte", "unidentified"} <= names
    imgs = coco.loadImgs(coco.getImgIds())
    assert [i["file_name"] for i in imgs] == [im.name for im in project.images]
    for info, im in zip(imgs, project.images):
        a = project.load_analysis(im)
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[info["id"]]))
        assert len(anns) == len(a.cells)
        for ann, c in zip(anns, a.cells):
            cell = a.instances == c.cell_id
            assert np.array_equal(coco.annToMask(ann).astype(bool), cell)
            nuc = mask_utils.decode(ann["nucleus_segmentation"]).astype(bool)
            assert np.array_equal(nuc, cell & (a.class_map == 2))
    first = coco.loadAnns(coco.getAnnIds(imgIds=[imgs[0]["id"]]))[0]
    assert coco.loadCats(first["category_id"])[0]["name"] == "monocyte"


def test_import_masks_and_geojson_as_corrections(project, tmp_path):
    im0, im1 = project.images
    a1 = project.load_analysis(im1)
    H, W = a1.shape
    fixed = a1.class_map.copy()
    fixed[:20, :20] = 2  # a correction
    masks = tmp_path / "fixed"
    masks.mkdir()
    Image.fromarray((fixed * 127.5).astype(np.uint8)).save(masks / f"{im1.key}.png")  # 0/127/255: still fine
    Image.fromarray(np.full((10, 10), 7, np.uint8)).save(masks / f"{im0.key}.png")  # wrong size and values
    (masks / "stranger.png").write_bytes(b"not a png")
    geo = tmp_path / "geo"
    export_project(project, "geojson", geo)
    before0 = project.load_analysis(im0).class_map.copy()
    n, errors = import_corrections(project, masks, geo)
    assert n == 1 and len(errors) == 2
    assert any(e.startswith(f"{im0.key}.png: mask is 10x10") for e in errors)
    assert any(e.startswith("stranger.png: no image") for e in errors)
    assert np.array_equal(project.load_analysis(im0).class_map, before0)  # a failed import changed nothing
    assert (project.load_analysis(im1).class_map[:20, :20] == 2).all()
    assert im1.state == "reviewed"  # geojson types became a person's types
    assert (project.root / "masks" / f"{im1.key}.png").is_file()


def test_strict_mask_reading(tmp_path):
    p = tmp_path / "m.png"
    Image.fromarray(np.array([[0, 1], [2, 1]] * 4, np.uint8).repeat(4, 1)).save(p)
    assert read_class_mask(p).max() == 2
    Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8)).save(p)
    with pytest.raises(InputError, match="m.png: unexpected mask values"):
        read_class_mask(p)
    import tifffile

    t = tmp_path / "labels.tif"
    tifffile.imwrite(t, np.array([[0, 2], [1, 0]], np.uint16).repeat(4, 0).repeat(4, 1))
    assert read_class_mask(t)[0, 4] == 2


def test_export_masks_and_csv(project, tmp_path):
    files = export_project(project, "masks", tmp_path / "m")
    assert len(files) == 2
    arr = np.asarray(Image.open(files[0]))
    assert set(np.unique(arr).tolist()) <= {0, 128, 255}
    files = export_project(project, "csv", tmp_path / "c")
    text = (tmp_path / "c" / "cells.csv").read_text()
    assert "person_type" in text.splitlines()[0] and "monocyte" in text
    assert (tmp_path / "c" / "summary.csv").is_file()
    assert shapely is not None and Project is not None
