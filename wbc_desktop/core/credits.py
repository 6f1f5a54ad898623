"""What the installed app is made of: its name and version, the bundled models with the data
they were trained on, and the licences of the bundled data and libraries.

Why here and not in the dialog: the About dialog, the self-test and the docs all say the same
thing, and a lab's compliance office needs it without starting the GUI. Reads model cards
only (no torch, no Qt).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any

from wbc_desktop import APP_NAME, __version__

__all__ = ["APP_NAME", "bundled_models", "library_versions", "title"]
APP_ID = "wbc-desktop"
APP_LICENCE = "GPL-3.0-or-later"
HOMEPAGE_NOTE = "open source; see README.md and docs/installer.md"

# The data sets anything bundled was made from: (short name, citation, licence).
DATA = {
    "cellavision": ("CellaVision images (Dataset 2 of segmentation_WBC)",
                    "Zheng et al., Micron 107, 2018; images from the CellaVision blog", "GPL-3.0"),
    "pbc": ("PBC", "Acevedo et al., Data in Brief 30, 2020", "CC BY 4.0"),
    "bccd": ("BCCD", "BCCD data set (sample images only)", "MIT"),
}

# Libraries in the installer: (distribution name, licence). Licences as their projects state them.
LIBRARIES = (
    ("Python", "PSF-2.0"),
    ("torch", "BSD-3-Clause (bundles oneDNN: Apache-2.0; libgomp: GPL-3.0 with GCC runtime exception)"),
    ("torch-geometric", "MIT"),
    ("numpy", "BSD-3-Clause (bundles OpenBLAS: BSD-3-Clause)"),
    ("scipy", "BSD-3-Clause"),
    ("scikit-image", "BSD-3-Clause"),
    ("pillow", "MIT-CMU"),
    ("tifffile", "BSD-3-Clause"),
    ("safetensors", "Apache-2.0"),
    ("platformdirs", "MIT"),
    ("PySide6-Essentials", "LGPL-3.0 (Qt for Python; Qt 6 itself: LGPL-3.0; ICU: Unicode licence)"),
    ("superqt", "BSD-3-Clause"),
    ("shapely", "BSD-3-Clause (bundles GEOS: LGPL-2.1)"),
    ("pycocotools", "BSD-2-Clause"),
    ("pyqtgraph", "MIT"),
    ("imagecodecs", "BSD-3-Clause (bundles codec libraries under their own permissive licences)"),
    ("tqdm", "MPL-2.0 and MIT"),
    ("zarr", "MIT (with numcodecs: MIT)"),
)


@dataclass(frozen=True)
class BundledModel:
    kind: str  # "segmenter" or "classifier"
    name: str
    version: str
    sources: tuple[str, ...]  # the card's own words on its training data
    licence: str  # of the weights, following the data they were trained on


def _sources(card: dict[str, Any]) -> tuple[str, ...]:
    data = card.get("data") or {}
    out = [str(data[k]) for k in ("train", "cellavision") if data.get(k)]
    training = card.get("training") or {}
    if training.get("data"):
        out.append(str(training["data"]))
    return tuple(out) or ("(the card names no training data)",)


def weights_licence(sources: tuple[str, ...]) -> str:
    """GPL-3.0 when any training data was the GPL CellaVision set; else the app's own licence,
    with the CC BY attribution PBC asks for."""
    text = " ".join(sources).lower()
    if "cellavision" in text:
        return "GPL-3.0 (trained on GPL-3.0 CellaVision data, Zheng et al. 2018)"
    if "pbc" in text:
        return f"{APP_LICENCE}; trained on PBC data, CC BY 4.0 (credit Acevedo et al. 2020)"
    return APP_LICENCE


def bundled_models() -> list[BundledModel]:
    """Every model shipped in resources/models, from its card."""
    import json

    from wbc_desktop.core.io.paths import resources_dir

    out = []
    for kind in ("segmenter", "classifier"):  # registry.KINDS; registry is not imported (torch, for typing)
        d = resources_dir() / "models" / kind
        for folder in sorted(d.iterdir()) if d.is_dir() else []:
            try:
                card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            src = _sources(card)
            out.append(BundledModel(kind, folder.name, str(card.get("version", "?")), src, weights_licence(src)))
    return out


def library_versions() -> list[tuple[str, str, str]]:
    """(library, installed version or 'not installed', licence) for the bundled libraries."""
    import platform

    rows = []
    for name, licence in LIBRARIES:
        if name == "Python":
            rows.append((name, platform.python_version(), licence))
            continue
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:  # never import a library just to ask (torch: seconds)
            version = "bundled"
        rows.append((name, version, licence))
    return rows


def title() -> str:
    return f"{APP_NAME} {__version__}"
