"""A lab profile: what was learned about one lab, saved with its project and handed to the next batch.

Why: a sister lab (or the same lab's next batch) should start where the first batch ended: its
type prototypes (the cells a person typed, as embeddings), its pixel size or scale, and its
colour reference. Two files, never pickle: ``NAME.json`` (what a person can read: lab, scale,
colour reference, the embedding space and counts per type, the npz's checksum) and ``NAME.npz``
beside it (keys, labels, float32 vectors; read with ``allow_pickle=False``). Both written
atomically; a profile whose npz does not match its JSON is refused with a reason.

The colour reference is stored as the pipeline has it: the colour standardisation's name when
one ran (``Analysis.standardisation``), otherwise the cells' median RGB statistics as a
placeholder for the standardisation to come ("first contact").
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

import numpy as np

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.lab.embeddings import space_of
from wbc_desktop.core.lab.prototypes import Examples
from wbc_desktop.core.errors import InputError
from wbc_desktop.core.io.atomic import atomic_write_bytes, atomic_write_text

FORMAT = "wbc-desktop lab profile"
VERSION = 1


@dataclass
class LabProfile:
    """A lab's learned state (see the module docstring)."""

    name: str = "lab"
    examples: Examples = field(default_factory=Examples)
    pixel_size_um: Optional[float] = None  # a person's or the files' pixel size, when every image agreed
    scale: Optional[float] = None  # median model pixels per input pixel of the batch
    scale_methods: dict[str, int] = field(default_factory=dict)
    colour: dict[str, Any] = field(default_factory=dict)  # the colour reference (see the module docstring)
    familiarity: Optional[float] = None  # median familiarity of the batch's images (1 = like the training labs)
    n_images: int = 0
    created: str = ""
    centre: Optional[np.ndarray] = None  # mean embedding of the batch's cells: a next batch is centred alike

    @property
    def space(self) -> str:
        return self.examples.space

    def card(self, npz_sha256: str = "") -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "name": self.name, "created": self.created or _now(),
                "embedding_space": self.space, "examples": len(self.examples), "per_type": self.examples.counts(),
                "pixel_size_um": self.pixel_size_um, "scale": self.scale, "scale_methods": self.scale_methods,
                "colour_reference": self.colour, "familiarity": self.familiarity, "images": self.n_images,
                "prototypes_file": "", "prototypes_sha256": npz_sha256}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def from_analyses(analyses: Iterable[tuple[str, Analysis]], name: str = "lab",
                  pixel_size_um: Optional[float] = None) -> LabProfile:
    """The profile of a batch: its typed cells' embeddings (the space with most of them), scale, colour.

    ``analyses``: (image key, analysis) pairs whose cells carry a person's types (``reviewed_type``).
    """
    by_space: dict[str, Examples] = {}
    scales: list[float] = []
    methods: dict[str, int] = {}
    fams: list[float] = []
    standards: list[str] = []
    n = 0
    all_vecs: dict[str, list[np.ndarray]] = {}
    for key, a in analyses:
        n += 1
        scales.append(float(a.scale))
        if a.scale_method:
            methods[a.scale_method] = methods.get(a.scale_method, 0) + 1
        if a.familiarity is not None:
            fams.append(float(a.familiarity))
        if a.standardisation:
            standards.append(a.standardisation)
        ex = by_space.setdefault(space_of(a.models), Examples(space_of(a.models)))
        all_vecs.setdefault(space_of(a.models), []).extend(c.embedding for c in a.cells if c.embedding is not None)
        for c in a.cells:
            if c.reviewed_type and c.embedding is not None:
                ex.set(f"{key}:{c.cell_id}", c.reviewed_type, c.embedding)
    examples = max(by_space.values(), key=len) if by_space else Examples()
    colour: dict[str, Any] = {"standardisation": max(set(standards), key=standards.count)} if standards else \
        {"standardisation": "", "note": "no colour standardisation ran; placeholder until first-contact standardisation"}
    vecs = all_vecs.get(examples.space) or []
    centre = np.mean(np.stack(vecs), 0).astype(np.float32) if vecs else None
    return LabProfile(name, examples, pixel_size_um, float(np.median(scales)) if scales else None, methods, colour,
                      round(float(np.median(fams)), 3) if fams else None, n, _now(), centre)


def save(profile: LabProfile, json_path: Path | str) -> Path:
    """``NAME.json`` plus ``NAME.npz`` beside it (atomic writes); returns the JSON's path."""
    json_path = Path(json_path)
    if json_path.suffix.lower() != ".json":
        json_path = json_path.with_suffix(".json")
    ex = profile.examples
    dim = ex.vectors.shape[1] if ex.vectors.size else 0
    buf = io.BytesIO()
    np.savez(buf, keys=np.array(ex.keys, dtype=str), labels=np.array(ex.labels, dtype=str),
             vectors=ex.vectors.astype(np.float32) if ex.vectors.size else np.zeros((0, dim), np.float32),
             centre=np.zeros(0, np.float32) if profile.centre is None else np.asarray(profile.centre, np.float32))
    data = buf.getvalue()
    npz = json_path.with_suffix(".npz")
    atomic_write_bytes(npz, data)
    card = profile.card(hashlib.sha256(data).hexdigest())
    card["prototypes_file"] = npz.name
    atomic_write_text(json_path, json.dumps(card, indent=1))
    return json_path


def load(json_path: Path | str) -> LabProfile:
    """Read a profile; :class:`InputError` with a one-line reason when it is not a whole, valid one."""
    json_path = Path(json_path)
    try:
        card = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"lab profile {json_path.name}: not readable as JSON ({e})") from None
    if not isinstance(card, dict) or card.get("format") != FORMAT:
        raise InputError(f"lab profile {json_path.name}: not a wbc-desktop lab profile")
    if int(card.get("version", 0)) > VERSION:
        raise InputError(f"lab profile {json_path.name}: made by a newer version (format {card.get('version')})")
    npz = json_path.parent / str(card.get("prototypes_file") or json_path.with_suffix(".npz").name)
    if npz.parent.resolve() != json_path.parent.resolve():
        raise InputError(f"lab profile {json_path.name}: its prototypes file must lie beside it")
    try:
        data = npz.read_bytes()
    except OSError:
        raise InputError(f"lab profile {json_path.name}: its prototypes file {npz.name} is missing") from None
    if card.get("prototypes_sha256") and hashlib.sha256(data).hexdigest() != card["prototypes_sha256"]:
        raise InputError(f"lab profile {json_path.name}: {npz.name} does not match the profile (changed or truncated)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            keys, labels, vectors = [str(k) for k in z["keys"]], [str(v) for v in z["labels"]], z["vectors"]
            centre = np.asarray(z["centre"], np.float32) if "centre" in z.files and z["centre"].size else None
    except (OSError, ValueError, KeyError) as e:
        raise InputError(f"lab profile {json_path.name}: {npz.name} is not a valid prototypes file ({e})") from None
    if len(keys) != len(labels) or len(keys) != len(vectors):
        raise InputError(f"lab profile {json_path.name}: {npz.name} holds {len(keys)} keys for {len(vectors)} vectors")
    ex = Examples(str(card.get("embedding_space", "")), keys, labels, np.asarray(vectors, np.float32))
    return LabProfile(str(card.get("name", "lab")), ex, _opt(card.get("pixel_size_um")), _opt(card.get("scale")),
                      dict(card.get("scale_methods") or {}), dict(card.get("colour_reference") or {}),
                      _opt(card.get("familiarity")), int(card.get("images", 0)), str(card.get("created", "")), centre)


def _opt(v: Any) -> Optional[float]:
    return None if v is None else float(v)


def merged(examples: Examples, profile: Optional[LabProfile]) -> Examples:
    """This batch's examples plus an imported profile's (same embedding space; this batch's win on a key)."""
    if profile is None or not len(profile.examples) or (examples.space and profile.space != examples.space):
        return examples
    out = Examples(examples.space or profile.space, list(examples.keys), list(examples.labels), examples.vectors.copy())
    for k, lab, v in zip(profile.examples.keys, profile.examples.labels, profile.examples.vectors):
        key = f"profile:{k}"
        if key not in out.keys:
            out.set(key, lab, v)
    return out
