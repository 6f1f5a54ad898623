"""core.credits: the bundled models' data sources and licences, from their cards."""

from __future__ import annotations

from wbc_desktop import __version__
from wbc_desktop.core import credits


def test_every_shipped_model_is_listed_with_its_sources():
    models = {(m.kind, m.name): m for m in credits.bundled_models()}
    assert ("segmenter", "default") in models and ("classifier", "default") in models
    assert all(m.sources and m.version != "?" for m in models.values())
    assert "cellavision" in " ".join(models["segmenter", "default"].sources).lower()


def test_weights_licence_follows_the_training_data():
    assert credits.weights_licence(("wbc-seg-cellavision train split",)).startswith("GPL-3.0")
    assert credits.weights_licence(("PBC (Acevedo et al. 2020, CC BY 4.0)", "CellaVision (GPL-3.0)")).startswith("GPL")
    pbc = credits.weights_licence(("PBC (Acevedo et al. 2020, CC BY 4.0)",))
    assert "CC BY 4.0" in pbc and "Acevedo" in pbc
    models = {(m.kind, m.name): m for m in credits.bundled_models()}
    assert models["classifier", "pbc-only"].licence.startswith(credits.APP_LICENCE)


def test_libraries_have_versions_and_licences_without_importing_them():
    rows = {name: (v, lic) for name, v, lic in credits.library_versions()}
    assert rows["torch"][1].startswith("BSD-3-Clause") and rows["PySide6-Essentials"][1].startswith("LGPL-3.0")
    assert rows["Python"][0].count(".") == 2
    assert credits.title() == f"WBC Desktop {__version__}"
