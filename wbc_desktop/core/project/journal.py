"""The journal of finished strokes: appended and fsynced after every step, replayed on open.

Masks are saved (atomically, debounced) only now and then, because a 4000x3000 PNG takes a
while; between saves each finished stroke is one line here, so a ``kill -9`` loses at most the
stroke being drawn. A line is JSON with the patch's box and values (zlib, base64) and a CRC, so
a line torn by a crash is recognised and skipped. The journal is emptied once the masks holding
its strokes are on disk.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from wbc_desktop.core.editing.edits import MaskPatch
from wbc_desktop.core.project.layout import JOURNAL_FILE

log = logging.getLogger(__name__)



@dataclass
class Entry:
    """One journalled step: set ``box`` of image ``key`` to these values."""

    seq: int
    key: str
    box: tuple[int, int, int, int]
    class_values: np.ndarray
    instance_values: Optional[np.ndarray]

    def apply(self, class_map: np.ndarray, instances: Optional[np.ndarray]) -> None:
        y0, y1, x0, x1 = self.box
        class_map[y0:y1, x0:x1] = self.class_values
        if instances is not None and self.instance_values is not None:
            instances[y0:y1, x0:x1] = self.instance_values


def _pack(a: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(np.ascontiguousarray(a).tobytes(), 1)).decode("ascii")


def _unpack(s: str, dtype, shape) -> np.ndarray:
    return np.frombuffer(zlib.decompress(base64.b64decode(s)), dtype=dtype).reshape(shape).copy()


class Journal:
    """Append-only file of :class:`Entry` lines."""

    def __init__(self, root: Path | str) -> None:
        self.path = Path(root) / JOURNAL_FILE
        self.seq = 0
        for e in self.read():
            self.seq = max(self.seq, e.seq)

    def append(self, key: str, patch: MaskPatch) -> int:
        """Write the patch's *after* state and fsync; returns its sequence number."""
        self.seq += 1
        doc = {"seq": self.seq, "key": key, "box": list(patch.box), "cm": _pack(patch.after.astype(np.uint8))}
        if patch.inst_after is not None:
            doc["inst"] = _pack(patch.inst_after.astype(np.int32))
        body = json.dumps(doc, separators=(",", ":"))
        line = json.dumps({"crc": zlib.crc32(body.encode("utf-8")), "e": doc}, separators=(",", ":")) + "\n"
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        return self.seq

    def read(self) -> list[Entry]:
        """The intact entries in order; a torn or damaged line (a crash mid-write) is skipped."""
        if not self.path.is_file():
            return []
        out: list[Entry] = []
        with open(self.path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                try:
                    rec = json.loads(line)
                    doc = rec["e"]
                    if zlib.crc32(json.dumps(doc, separators=(",", ":")).encode("utf-8")) != rec["crc"]:
                        raise ValueError("checksum mismatch")
                    y0, y1, x0, x1 = (int(v) for v in doc["box"])
                    shape = (y1 - y0, x1 - x0)
                    inst = _unpack(doc["inst"], np.int32, shape) if doc.get("inst") else None
                    out.append(Entry(int(doc["seq"]), str(doc["key"]), (y0, y1, x0, x1),
                                     _unpack(doc["cm"], np.uint8, shape), inst))
                except (ValueError, KeyError, TypeError, zlib.error) as e:
                    log.warning("%s line %d skipped (%s): a stroke interrupted by a crash", self.path.name, n, e)
        return out

    def drop_through(self, seq: int) -> None:
        """Forget the entries up to ``seq`` (their masks are saved); later ones stay."""
        keep = [line for line in self._lines() if _seq_of(line) > seq]
        from wbc_desktop.core.io.atomic import atomic_write_text

        if keep:
            atomic_write_text(self.path, "".join(keep))
        else:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass

    def _lines(self) -> list[str]:
        if not self.path.is_file():
            return []
        with open(self.path, encoding="utf-8", errors="replace") as f:
            return [ln if ln.endswith("\n") else ln + "\n" for ln in f]


def _seq_of(line: str) -> int:
    try:
        return int(json.loads(line)["e"]["seq"])
    except (ValueError, KeyError, TypeError):
        return -1
