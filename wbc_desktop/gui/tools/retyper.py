"""After a mask edit: have the model process type the new or reshaped cells again, in the background.

Listens to ``Document.maskEdited``; sends a small snapshot (:mod:`wbc_desktop.core.cells.retype`)
through the runner's retype queue (ahead of images waiting for analysis) and puts the answer on
the cells with ``Document.set_types``, where a person's own type stays on top. An undone edit
brings its old cells back with their old types, so only applied edits are retyped.

One request per image is in flight at a time: cells edited meanwhile wait and go together in the
next one (a burst of strokes costs the model one or two retypes, not one per stroke), and an
answer is applied only to cells still at the revision they were sent at. The rules (batching,
revisions) are the Qt-free :mod:`wbc_desktop.core.review.session`; this class only wires signals.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Signal

from wbc_desktop.core.cells.retype import make_request
from wbc_desktop.core.review.session import RetypeQueue, live_ids


class Retyper(QObject):
    """Connects the document's mask edits to the runner's retype requests."""

    done = Signal(int, list)  # entry index, cell ids retyped
    failed = Signal(str)

    def __init__(self, document: Any, runner: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc, self.runner = document, runner
        self.queue = RetypeQueue()  # image path -> cells waiting, the request in flight
        document.maskEdited.connect(self.on_edit)
        document.masksRestored.connect(self.on_restored)
        runner.retyped.connect(self._on_retyped)
        runner.retypeFailed.connect(self._on_failed)

    def on_edit(self, index: int, edit: Any) -> None:
        e = self.doc.entry(index)
        if e is None or e.analysis is None or e.image is None or edit.change is None:
            return
        # an undone edit brought its old cells back with their old types: nothing to ask
        ids = live_ids(edit.changed_ids, (c.cell_id for c in e.analysis.cells)) if edit.applied else []
        if not ids:
            return
        key = str(e.path)
        if self.queue.add(key, ids, time.perf_counter()):
            self._send(key)

    def on_restored(self, index: int, ids: list, _message: str = "") -> None:
        """Cells of strokes replayed from an earlier session: typed again like a fresh edit's."""
        e = self.doc.entry(index)
        if e is None or e.analysis is None or e.image is None or not ids:
            return
        key = str(e.path)
        if self.queue.add(key, ids, time.perf_counter()):
            self._send(key)

    def _send(self, key: str) -> None:
        ids, t0 = self.queue.take(key, time.perf_counter())
        i = self.doc.index_of(key)
        e = self.doc.entry(i)
        if not ids or e is None or e.analysis is None or e.image is None:
            return
        sent = self.doc.revisions.stamps(key, [c.cell_id for c in e.analysis.cells if c.cell_id in ids])
        req = make_request(e.analysis, sorted(ids), tag=(key, t0, sent))
        if req is not None and self.runner.retype(e.image.pixels, req):
            self.queue.sent(key)

    def _on_retyped(self, tag: Any, results: dict) -> None:
        key, t0, sent = tag
        more = self.queue.answered(key)
        i = self.doc.index_of(key)
        e = self.doc.entry(i)
        if e is not None and e.analysis is not None:
            # only cells still at the revision sent: an undo (or a new analysis) meanwhile made the
            # answer stale (the old cell's type stands); a redo or a new edit asks again
            results = self.doc.revisions.current(key, results, sent)
            done = self.doc.set_types(i, results) if results else []
            self.last_ms = (time.perf_counter() - t0) * 1e3
            self.done.emit(i, done)
        if more:
            self._send(key)

    def _on_failed(self, tag: Any, message: str) -> None:
        more = self.queue.answered(tag[0])
        self.failed.emit(message)
        if more:
            self._send(tag[0])

    last_ms: float = 0.0  # first edit of a request -> its types on the cells (for the benchmark)
