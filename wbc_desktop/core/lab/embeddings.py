"""Cells' embeddings on disk: one small npz per image (ids + float32 vectors), no pickle.

Why: prototypes and "find similar" need every cell's embedding after a project is reopened,
without running the classifier again. Written atomically; read with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterable

import numpy as np

from wbc_desktop.core.analysis import Analysis, Cell
from wbc_desktop.core.io.atomic import atomic_write_bytes


def encode(cells: Iterable[Cell], space: str = "") -> bytes:
    """npz bytes of the cells that have an embedding (``space``: the classifier that made them)."""
    have = [c for c in cells if c.embedding is not None]
    ids = np.array([c.cell_id for c in have], np.int32)
    vecs = np.stack([np.asarray(c.embedding, np.float32) for c in have]) if have else np.zeros((0, 0), np.float32)
    buf = io.BytesIO()
    np.savez(buf, cell_ids=ids, vectors=vecs, space=np.array(space))
    return buf.getvalue()


def write(path: Path, cells: Iterable[Cell], space: str = "") -> None:
    atomic_write_bytes(path, encode(cells, space))


def read(path: Path, cells: Iterable[Cell]) -> str:
    """Put the stored embeddings back on the cells with those ids; the space name ('' when absent).

    A missing or damaged file leaves the cells without embeddings (they are made again at the
    next analysis); it never stops a project from opening.
    """
    if not Path(path).is_file():
        return ""
    try:
        with np.load(path, allow_pickle=False) as z:
            ids, vecs, space = z["cell_ids"], z["vectors"], str(z["space"])
    except (OSError, ValueError, KeyError):
        return ""
    by_id = {int(i): vecs[k] for k, i in enumerate(ids)}
    for c in cells:
        if c.cell_id in by_id:
            c.embedding = np.array(by_id[c.cell_id], np.float32)
    return space


def space_of(models: dict) -> str:
    """The embedding space of an analysis: the classifier that typed it ("name vVERSION")."""
    info = (models or {}).get("classifier") or {}
    return f"{info.get('name', '?')} v{info.get('version', '?')}" if info else ""


def save(path: Path, analysis: Analysis) -> None:
    """An analysis' embeddings in its classifier's space, when its cells have any (else nothing is written)."""
    if any(c.embedding is not None for c in analysis.cells):
        write(path, analysis.cells, space_of(analysis.models))
