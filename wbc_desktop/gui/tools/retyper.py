"""After a mask edit: have the model process type the new or reshaped cells again, in the background.

Listens to ``Document.maskEdited``; sends a small snapshot (:mod:`wbc_desktop.core.cells.retype`)
through the runner's retype queue (ahead of images waiting for analysis) and puts the answer on
the cells with ``Document.set_types``, where a person's own type stays on top. An undone edit
brings its old cells back with their old types, so only applied edits are retyped.

One request per image is in flight at a time: cells edited meanwhile wait and go together in the
next one (a burst of strokes costs the model one or two retypes, not one per stroke), and an
answer is applied only to cells still exactly as they were sent.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Signal

from wbc_desktop.core.cells.retype import make_request


class Retyper(QObject):
    """Connects the document's mask edits to the runner's retype requests."""

    done = Signal(int, list)  # entry index, cell ids retyped
    failed = Signal(str)

    def __init__(self, document: Any, runner: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc, self.runner = document, runner
        self._waiting: dict[str, set[int]] = {}  # image path -> cell ids edited since the last request
        self._in_flight: set[str] = set()
        self._t0: dict[str, float] = {}  # first edit of the wait: the latency measured
        document.maskEdited.connect(self.on_edit)
        document.masksRestored.connect(self.on_restored)
        runner.retyped.connect(self._on_retyped)
        runner.retypeFailed.connect(self._on_failed)

    def on_edit(self, index: int, edit: Any) -> None:
        e = self.doc.entry(index)
        if e is None or e.analysis is None or e.image is None or edit.change is None:
            return
        live = {id(c) for c in e.analysis.cells}
        ids = [c.cell_id for c in edit.change.cells_after if c.cell_id in edit.changed_ids and id(c) in live]
        if not ids:
            return
        key = str(e.path)
        self._waiting.setdefault(key, set()).update(ids)
        self._t0.setdefault(key, time.perf_counter())
        if key not in self._in_flight:
            self._send(key)

    def on_restored(self, index: int, ids: list, _message: str = "") -> None:
        """Cells of strokes replayed from an earlier session: typed again like a fresh edit's."""
        e = self.doc.entry(index)
        if e is None or e.analysis is None or e.image is None or not ids:
            return
        key = str(e.path)
        self._waiting.setdefault(key, set()).update(ids)
        self._t0.setdefault(key, time.perf_counter())
        if key not in self._in_flight:
            self._send(key)

    def _send(self, key: str) -> None:
        ids = self._waiting.pop(key, set())
        i = self.doc.index_of(key)
        e = self.doc.entry(i)
        if not ids or e is None or e.analysis is None or e.image is None:
            self._t0.pop(key, None)
            return
        objects = {c.cell_id: id(c) for c in e.analysis.cells if c.cell_id in ids}
        req = make_request(e.analysis, sorted(ids), tag=(key, self._t0.pop(key, time.perf_counter()), objects))
        if req is not None and self.runner.retype(e.image.pixels, req):
            self._in_flight.add(key)

    def _on_retyped(self, tag: Any, results: dict) -> None:
        key, t0, objects = tag
        self._in_flight.discard(key)
        i = self.doc.index_of(key)
        e = self.doc.entry(i)
        if e is not None and e.analysis is not None:
            # only cells still exactly as they were sent: an undo meanwhile brought back the old cell
            # (its old type stands); a redo or a new edit asks again
            live = {c.cell_id: id(c) for c in e.analysis.cells}
            results = {k: v for k, v in results.items() if k in objects and live.get(k) == objects[k]}
            done = self.doc.set_types(i, results) if results else []
            self.last_ms = (time.perf_counter() - t0) * 1e3
            self.done.emit(i, done)
        if key in self._waiting:
            self._send(key)

    def _on_failed(self, tag: Any, message: str) -> None:
        self._in_flight.discard(tag[0])
        self.failed.emit(message)
        if tag[0] in self._waiting:
            self._send(tag[0])

    last_ms: float = 0.0  # first edit of a request -> its types on the cells (for the benchmark)
