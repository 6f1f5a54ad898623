"""Checking a model file before anything reads its tensors: safetensors only, whole, untampered.

Pure Python (no torch), so the window's process can vet an imported file. A safetensors file
is an 8-byte little-endian header length, a JSON header (tensor name -> dtype, shape, byte
offsets; ``__metadata__`` -> str: str) and the tensor bytes. Pickles (``torch.save`` files,
zipped or not) are refused by their first bytes and are never unpickled.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any

MAX_HEADER = 100 * 1024 * 1024
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
               "U16": 2, "U32": 4, "U64": 8}


def read_header(path: Path) -> tuple[dict[str, Any], int]:
    """The parsed header and the offset where tensor bytes start; ValueError (one line) otherwise."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            if head[:1] == b"\x80" or head[:2] == b"PK":
                raise ValueError(f"{path.name} is a pickled (PyTorch) checkpoint; only .safetensors model files "
                                 "are accepted, pickles are never opened")
            if len(head) < 8:
                raise ValueError(f"{path.name} is not a safetensors file (too short: truncated or empty)")
            (n,) = struct.unpack("<Q", head)
            if n <= 1 or n > MAX_HEADER:
                raise ValueError(f"{path.name} is not a safetensors file (bad header length)")
            raw = f.read(n)
    except OSError as e:
        raise ValueError(f"{path.name}: cannot be read ({e.strerror or e})") from None
    if len(raw) < n:
        raise ValueError(f"{path.name} is truncated (its header is cut short)")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError(f"{path.name} is not a safetensors file (unreadable header)") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path.name} is not a safetensors file (header is not a table)")
    return header, 8 + n


def check_file(path: Path) -> dict[str, str]:
    """Check the layout (every tensor inside the file, sizes matching shapes, nothing missing).

    Returns the file's metadata (``__metadata__``); raises ValueError naming the problem.
    """
    path = Path(path)
    header, start = read_header(path)
    size = path.stat().st_size
    data_len = size - start
    end = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (a, b) = info["dtype"], info["shape"], info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{path.name}: tensor {name!r} is described wrongly in the header") from None
        n = 1
        for s in shape:
            n *= int(s)
        if dtype not in DTYPE_BYTES or b - a != n * DTYPE_BYTES[dtype] or a < 0:
            raise ValueError(f"{path.name}: tensor {name!r} does not match its shape (tampered?)")
        end = max(end, b)
    if end > data_len:
        raise ValueError(f"{path.name} is truncated ({data_len} of {end} bytes of weights present)")
    if end < data_len:
        raise ValueError(f"{path.name} has {data_len - end} unexpected bytes after its weights (tampered?)")
    meta = header.get("__metadata__") or {}
    if not isinstance(meta, dict):
        raise ValueError(f"{path.name}: metadata is not a table")
    return {str(k): str(v) for k, v in meta.items()}


def tensor_digest(path: Path) -> str:
    """sha256 of the tensor bytes and their descriptions (not the metadata): a seal for export."""
    header, start = read_header(path)
    h = hashlib.sha256()
    h.update(json.dumps({k: v for k, v in header.items() if k != "__metadata__"}, sort_keys=True).encode())
    with open(path, "rb") as f:
        f.seek(start)
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_with_metadata(src: Path, dest: Path, metadata: dict[str, str]) -> None:
    """Copy a safetensors file with a new ``__metadata__`` (tensor bytes untouched), atomically."""
    from wbc_desktop.core.io.atomic import atomic_write_bytes

    header, start = read_header(src)
    header = {k: v for k, v in header.items() if k != "__metadata__"}
    header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # keep tensor data 8-byte aligned
    body = Path(src).read_bytes()[start:]
    atomic_write_bytes(dest, struct.pack("<Q", len(raw)) + raw + body)
