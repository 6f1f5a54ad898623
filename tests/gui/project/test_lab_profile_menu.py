"""File ▸ Lab profile in a project: export keeps a copy in lab-profile/, an import comes back on reopen."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.lab.prototypes import Examples
from wbc_desktop.core.lab.profile import LabProfile, save

from .test_session import analysed, copy_images, reopen


def test_an_imported_profile_is_kept_in_the_project_and_used_again_after_reopening(qtbot, make_window, tmp_path):
    win = make_window()
    s, menu = win.project_session, win.lab_profile_menu
    root = tmp_path / "proj"
    assert s.create(root)
    analysed(qtbot, win, copy_images(tmp_path))
    ex = Examples("fake v0", ["x:1", "x:2"], ["lymphocyte", "monocyte"], np.eye(2, 4, dtype=np.float32))
    path = save(LabProfile("sister lab", ex, pixel_size_um=0.1), tmp_path / "sister.json")
    assert win.controller.runner.pixel_size_um is None
    assert menu.import_dialog(path)
    assert (root / "lab-profile" / "imported.json").is_file() and (root / "lab-profile" / "imported.npz").is_file()
    assert win.edit_tools.learner.profile.name == "sister lab"
    assert win.controller.runner.pixel_size_um == 0.1  # none was set: the profile's
    s.close()
    assert win.edit_tools.learner.profile is None
    reopen(qtbot, win, root)
    assert win.edit_tools.learner.profile.name == "sister lab"
    assert win.edit_tools.learner.profile.examples.labels == ["lymphocyte", "monocyte"]


def test_a_bad_profile_is_refused_with_its_reason(qtbot, make_window, tmp_path):
    win = make_window()
    (tmp_path / "bad.json").write_text("{}")
    said = []
    win.controller.messages.error = said.append
    assert not win.lab_profile_menu.import_dialog(tmp_path / "bad.json")
    assert said and "not a wbc-desktop lab profile" in said[0]
