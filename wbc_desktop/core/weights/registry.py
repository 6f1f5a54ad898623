"""Model files: data-only weights (safetensors) plus a JSON card, addressed by name or path.

Layout: ``<root>/<kind>/<name>/{weights.safetensors, card.json}`` where root is the shipped
``resources/models`` or the user's data folder. A folder path holding those two files works
wherever a name does, so ``train --out DIR`` output is usable at once.

Listing and reading cards needs no torch (the window's process lists models for its menus and
must never import torch); only :func:`load` and :func:`save` import it, when called.
"""

from __future__ import annotations

from wbc_desktop.core.weights.labels import version_label

import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wbc_desktop.core.errors import ModelError
from wbc_desktop.core.io.paths import resources_dir, user_data_dir

if TYPE_CHECKING:
    import torch

WEIGHTS = "weights.safetensors"
CARD = "card.json"
KINDS = ("segmenter", "classifier")


def shipped_root() -> Path:
    return resources_dir() / "models"


def user_root() -> Path:
    return user_data_dir() / "models"


def resolve(name_or_path: str, kind: str) -> Path:
    """Find a model folder: an existing path first, then user models, then shipped ones."""
    p = Path(name_or_path).expanduser()
    if (p / WEIGHTS).is_file():
        return p
    if p.suffix == ".safetensors" and p.is_file():
        return p.parent
    if (p / kind).is_dir():  # a version store (train --out M, a project's models/): its active/newest version
        from wbc_desktop.core.weights.versions import resolve_store_model

        found = resolve_store_model(p, kind)
        if found is not None:
            return found
    for root in (user_root(), shipped_root()):
        cand = root / kind / str(name_or_path)
        if (cand / WEIGHTS).is_file():
            return cand
    known = ", ".join(list_names(kind)) or "none"
    raise ModelError(f"no {kind} model named or at {name_or_path!r} (known: {known})")


def list_names(kind: str) -> list[str]:
    names: list[str] = []
    for root in (shipped_root(), user_root()):
        d = root / kind
        if d.is_dir():
            names += sorted(q.name for q in d.iterdir() if (q / WEIGHTS).is_file())
    return sorted(set(names))


def read_card(name_or_path: str, kind: str) -> dict[str, Any]:
    """A model's card only (no weights, no torch)."""
    folder = resolve(name_or_path, kind)
    try:
        return json.loads((folder / CARD).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"model {folder}: card cannot be read ({e})") from None


def describe(card: dict[str, Any]) -> str:
    """One line for menus: version and what the model was trained on, from its card."""
    data = card.get("data") or {}
    source = "PBC + CellaVision" if data.get("cellavision") else "PBC" if "PBC" in str(data.get("train", "")) else ""
    if (card.get("input") or {}).get("mode") == "image":
        source = (source + ", " if source else "") + "image only, no segmentation"
    if float((card.get("augment") or {}).get("stain_vector_sigma") or 0) > 0:
        source = (source + ", " if source else "") + "for stains unlike PBC's"
    return version_label(card.get('version')) + (f", trained on {source}" if source else "")


def load(name_or_path: str, kind: str) -> tuple[dict[str, torch.Tensor], dict[str, Any], Path]:
    """Load weights (never pickle) and card; the card's ``kind`` must match."""
    from safetensors.torch import load_file

    folder = resolve(name_or_path, kind)
    try:
        card = json.loads((folder / CARD).read_text(encoding="utf-8"))
        state = load_file(str(folder / WEIGHTS))
    except FileNotFoundError as e:
        raise ModelError(f"model {folder}: missing {Path(e.filename).name}") from None
    except Exception as e:
        raise ModelError(f"model {folder}: cannot be read ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    if card.get("kind") != kind:
        raise ModelError(f"model {folder} is a {card.get('kind')!r} model, not a {kind}")
    return state, card, folder


def save(folder: Path | str, state: dict[str, torch.Tensor], card: dict[str, Any]) -> Path:
    """Write weights and card into ``folder`` atomically (a temp folder renamed into place)."""
    from safetensors.torch import save_file

    from wbc_desktop.core.io.atomic import replace_folder

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        save_file({k: v.detach().cpu().contiguous() for k, v in state.items()}, str(tmp / WEIGHTS))
        (tmp / CARD).write_text(json.dumps(card, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        replace_folder(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def update_card(folder: Path | str, **fields: Any) -> dict[str, Any]:
    """Merge fields into a model's card atomically (evaluation figures added after training)."""
    from wbc_desktop.core.io.atomic import atomic_write_text

    folder = Path(folder)
    card = json.loads((folder / CARD).read_text(encoding="utf-8"))
    card.update(fields)
    atomic_write_text(folder / CARD, json.dumps(card, indent=2) + "\n")
    return card
