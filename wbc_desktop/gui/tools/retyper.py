"""After a mask edit: have the model process type the new or reshaped cells again, in the background.

Listens to ``Document.maskEdited``; sends a small snapshot (:mod:`wbc_desktop.core.review.retype`)
through the runner's retype queue (ahead of images waiting for analysis) and puts the answer on
the cells with ``Document.set_types``, where a person's own type stays on top. An undone edit
brings its old cells back with their old types, so only applied edits are retyped.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Signal

from wbc_desktop.core.review.retype import make_request


class Retyper(QObject):
    """Connects the document's mask edits to the runner's retype requests."""

    done = Signal(int, list)  # entry index, cell ids retyped
    failed = Signal(str)

    def __init__(self, document: Any, runner: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc, self.runner = document, runner
        self.last_ms: float = 0.0  # request -> types on the cells, for the benchmark
        document.maskEdited.connect(self.on_edit)
        runner.retyped.connect(self._on_retyped)
        runner.retypeFailed.connect(lambda _tag, msg: self.failed.emit(msg))

    def on_edit(self, index: int, edit: Any) -> None:
        e = self.doc.entry(index)
        if e is None or e.analysis is None or e.image is None or edit.change is None:
            return
        live = {id(c) for c in e.analysis.cells}
        ids = [c.cell_id for c in edit.change.cells_after if c.cell_id in edit.changed_ids and id(c) in live]
        if not ids:
            return
        objects = {c.cell_id: id(c) for c in e.analysis.cells if c.cell_id in ids}
        req = make_request(e.analysis, ids, tag=(e.path, time.perf_counter(), objects))
        if req is not None:
            self.runner.retype(e.image.pixels, req)

    def _on_retyped(self, tag: Any, results: dict) -> None:
        path, t0, objects = tag
        i = self.doc.index_of(path)
        e = self.doc.entry(i)
        if e is None or e.analysis is None:
            return
        # only cells still exactly as they were sent: an undo meanwhile brought back the old cell
        # (its old type stands); a redo or a new edit asks again
        live = {c.cell_id: id(c) for c in e.analysis.cells}
        results = {k: v for k, v in results.items() if k in objects and live.get(k) == objects[k]}
        done = self.doc.set_types(i, results) if results else []
        self.last_ms = (time.perf_counter() - t0) * 1e3
        self.done.emit(i, done)
