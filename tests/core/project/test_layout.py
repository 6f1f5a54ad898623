"""project.layout: every name of a project folder in one place; no other module spells one."""

from __future__ import annotations

import re
from pathlib import Path

from wbc_desktop.core.project import layout
from wbc_desktop.core.project.layout import ProjectLayout, is_project

PACKAGE = Path(layout.__file__).resolve().parents[2]  # wbc_desktop/


def test_paths_of_one_image(tmp_path):
    lay = ProjectLayout(str(tmp_path))
    assert lay.root == tmp_path
    assert lay.corrected_mask("k") == tmp_path / "masks" / "k.png"
    assert lay.model_mask("k") == tmp_path / "model" / "k.png"
    assert lay.instances("k") == tmp_path / "instances" / "k.png"
    assert lay.model_instances("k") == tmp_path / "model-instances" / "k.png"
    assert lay.doubt("k") == tmp_path / "uncertainty" / "k.png"
    assert lay.replaced_dir == tmp_path / "masks" / "replaced"
    assert lay.relative(lay.replaced_dir / "k-1.png") == "masks/replaced/k-1.png"
    assert (lay.project_file.name, lay.cells_file.name, lay.journal_file.name) == ("project.json", "cells.csv",
                                                                                 "journal.jsonl")


def test_keys_with_masks_and_is_project(tmp_path):
    lay = ProjectLayout(tmp_path)
    assert lay.keys_with_masks() == set() and not is_project(tmp_path) and not is_project(None)
    for p in (lay.model_mask("a"), lay.corrected_mask("b"), lay.doubt("c")):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"")
    assert lay.keys_with_masks() == {"a", "b"}  # doubt maps alone are not analyses
    lay.project_file.write_text("{}")
    assert is_project(tmp_path) and is_project(str(tmp_path))


def test_no_other_module_builds_a_project_path_by_hand():
    """A path made of a project name (``root / "masks"``, ``"masks/..."``) appears only in layout.py;
    analyze's output folder has its own ``masks/`` in export/layout.py."""
    names = [layout.MODEL_DIR, layout.MASKS_DIR, layout.MODEL_INSTANCES_DIR, layout.INSTANCES_DIR, layout.DOUBT_DIR,
             layout.PROJECT_FILE, layout.CELLS_FILE, layout.JOURNAL_FILE, layout.LOCK_FILE, layout.MODELS_DIR]
    found = []
    for py in PACKAGE.rglob("*.py"):
        rel = py.relative_to(PACKAGE).as_posix()
        if rel in ("core/project/layout.py", "core/export/layout.py"):
            continue
        code = re.sub(r'"""[\s\S]*?"""', "", py.read_text(encoding="utf-8"))  # docstrings may name the files
        for n in names:
            q = re.escape(n)
            if re.search(rf'/\s*f?["\']{q}["\']|f?["\']{q}/', code):
                found.append((rel, n))
    assert not [f for f in found if f not in ALLOWED]


# Not the project's: the app's model registry (resources/models, the user's models/).
ALLOWED = {("core/weights/registry.py", "models"), ("core/credits.py", "models")}
