"""project.image_files and cell_ids: an image's PNGs written, read back, set aside, never lost."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.project.cell_ids import encode_instances, read_instances
from wbc_desktop.core.project.image_files import ImageFiles
from wbc_desktop.core.project.layout import ProjectLayout

from tests.core.project.helpers import two_cells


def test_cell_ids_round_trip_and_damage(tmp_path):
    ids = np.zeros((5, 7), np.int32)
    ids[1:3, 2:5] = 40000  # above int16: needs the 16-bit PNG
    p = tmp_path / "i.png"
    p.write_bytes(encode_instances(ids))
    assert np.array_equal(read_instances(p, (5, 7)), ids)
    assert read_instances(p, (7, 5)) is None  # another image's size
    p.write_bytes(b"not a png")
    assert read_instances(p, (5, 7)) is None


def test_model_then_corrected_then_set_aside(tmp_path):
    lay = ProjectLayout(tmp_path)
    files = ImageFiles(lay)
    a = two_cells()
    a.uncertainty = np.full(a.shape, 9, np.uint8)
    assert not files.has_analysis("k") and files.set_aside("k") is None
    files.write_model("k", a)
    assert files.has_analysis("k") and not files.is_corrected("k") and lay.doubt("k").is_file()
    cm, inst = files.model_masks("k")
    assert cm.shape == a.shape and np.array_equal(inst, a.instances)

    edited = a.class_map.copy()
    edited[:5] = 2
    files.write_corrected("k", edited, a.instances)
    assert files.is_corrected("k") and lay.instances("k").is_file()
    kept = files.set_aside("k")
    assert kept is not None and kept.startswith("masks/replaced/k-") and (tmp_path / kept).is_file()
    assert not files.is_corrected("k") and not lay.instances("k").exists()
    assert any(p.name.endswith(".instances.png") for p in lay.replaced_dir.iterdir())  # the cell ids go too
    assert files.has_analysis("k")  # the model's masks stay
