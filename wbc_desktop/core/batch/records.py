"""Per-image records: what a finished image produced, so that a rerun skips it only when checked.

A record (``<out>/.wbc-batch/<stem>.json``) is written after the image's mask and overlay, and
holds its table rows, the settings it was made with, the size and time of the source file and
a SHA-256 of every file it wrote. :func:`load_valid` re-checks all of these; any doubt (a file
missing, changed or half-written, other settings, a changed source) means the image is redone.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Optional

from wbc_desktop.core.io.atomic import atomic_write_bytes, atomic_write_text, sha256_file

FORMAT = 1
RECORDS = ".wbc-batch"


def record_path(out: Path, source: Path) -> Path:
    return out / RECORDS / f"{source.stem}.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_id(source: Path) -> dict:
    st = source.stat()
    return {"path": str(source.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _plain(o):
    return o.item() if hasattr(o, "item") else str(o)


def save(out: Path, source: Path, settings_key: str, result: dict) -> dict:
    """Write the result's files atomically, then its record; return the record (rows, no bytes).

    ``result["written"]``: files the job already wrote atomically itself (a slide's mask), with hashes.
    """
    hashes = dict(result.get("written", {}))
    for rel, data in result.get("files", {}).items():
        atomic_write_bytes(out / rel, data)
        hashes[rel] = _sha(data)
    rec = {k: v for k, v in result.items() if k not in ("files", "written")}
    rec.update({"format": FORMAT, "settings": settings_key, "source": _source_id(source), "outputs": hashes})
    atomic_write_text(record_path(out, source), json.dumps(rec, default=_plain))
    return rec


def load_valid(out: Path, source: Path, settings_key: str) -> Optional[dict]:
    """The image's record if everything it claims still holds, else None (the image is redone)."""
    p = record_path(out, source)
    try:
        rec = json.loads(p.read_text(encoding="utf-8"))
        if rec.get("format") != FORMAT or rec.get("settings") != settings_key or rec.get("error"):
            return None
        if rec.get("source") != _source_id(source):
            return None
        for rel, digest in rec["outputs"].items():
            if sha256_file(out / rel) != digest:
                return None
        for key in ("cells", "image", "counts"):
            if key not in rec:
                return None
        return rec
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def load(out: Path, source: Path) -> Optional[dict]:
    """The record as stored (already checked by :func:`load_valid` earlier in this run)."""
    try:
        return json.loads(record_path(out, source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def clear(out: Path) -> None:
    """Forget every record (``--fresh``): all images are analysed again."""
    shutil.rmtree(out / RECORDS, ignore_errors=True)
