"""After a person types or confirms a cell: type the batch's other cells again by the lab's examples.

Listens to ``Document.reviewChanged`` (a person's step, not the model's retypes); gathers the
examples (cells with a person's type and an embedding) and the other cells' embeddings of every
analysed image, and sends one :class:`~wbc_desktop.core.lab.by_example.ExamplesRequest`
through the runner's retype queue, so the model process answers in the background like a retype
after a mask edit. One request at a time: confirmations made meanwhile go in the next one.
"""

from __future__ import annotations

import time
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import QObject, Signal

from wbc_desktop.core.lab.embeddings import space_of
from wbc_desktop.core.lab.by_example import ExamplesRequest
from wbc_desktop.core.lab.prototypes import Examples


def build_request(doc: Any, tag: object = None, profile: Any = None) -> Optional[ExamplesRequest]:
    """The examples and the cells to type of the embedding space holding most examples; None if none.

    An imported lab profile's prototypes (same embedding space) join this batch's own examples."""
    by_space: dict[str, tuple[Examples, dict]] = {}
    for i in range(len(doc.entries)):
        e = doc.entry(i)
        a = e.analysis if e is not None else None
        if a is None:
            continue
        space = space_of(a.models)
        ex, images = by_space.setdefault(space, (Examples(space), {}))
        ids, vecs = [], []
        for c in a.cells:
            if c.embedding is None:
                continue
            if c.reviewed_type:
                ex.set(f"{e.path}:{c.cell_id}", c.reviewed_type, c.embedding)
            else:
                ids.append(c.cell_id)
                vecs.append(c.embedding)
        if ids:
            images[str(e.path)] = (np.array(ids, np.int32), np.stack(vecs).astype(np.float32))
    if not by_space:
        return None
    if profile is not None and len(profile.examples):
        from wbc_desktop.core.lab.profile import merged

        ex_p, images_p = by_space.setdefault(profile.space, (Examples(profile.space), {}))
        by_space[profile.space] = (merged(ex_p, profile), images_p)
    space, (ex, images) = max(by_space.items(), key=lambda kv: len(kv[1][0]))
    if not len(ex) or not images:
        return None
    return ExamplesRequest(space, ex, images, tag)


def describe(req: ExamplesRequest) -> str:
    """One status-bar line: the examples and how often the others type each of them right."""
    from wbc_desktop.core.lab.prototypes import leave_one_out

    vecs = [v for _, v in req.images.values()]
    centre = np.concatenate(vecs).mean(0) if vecs else None
    right, scored = leave_one_out(req.examples, centre)
    n, types = len(req.examples), len(set(req.examples.labels))
    line = f"{req.n_cells} cells typed by {n} example{'s' if n != 1 else ''} of {types} type{'s' if types != 1 else ''}"
    if scored:
        line += f"; the examples agree on {right} of {scored} ({100 * right / scored:.0f}%): type more where they do not"
    return line


class ExampleLearner(QObject):
    """Connects a person's types to the model process's typing by examples."""

    done = Signal(int)  # cells retyped
    failed = Signal(str)
    estimated = Signal(str)  # how well the examples agree (status bar), after each update

    def __init__(self, document: Any, runner: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc, self.runner = document, runner
        self.enabled = True
        self._in_flight = False
        self._waiting = False
        self.last_ms = 0.0  # a person's type -> the batch typed again (for the benchmark)
        self._t0 = 0.0
        self.profile: Any = None  # an imported lab profile (core.lab.profile)
        self._seen: set[int] = set()  # analysis revisions (Document.revisions) already offered to the examples
        self._original: dict[tuple[str, int], dict] = {}  # (image, cell) -> the model's own type fields
        self._estimate = ""
        document.reviewChanged.connect(self.on_review)
        document.entryChanged.connect(self._on_entry)
        runner.examplesTyped.connect(self._on_typed)
        runner.retypeFailed.connect(self._on_failed)

    def on_review(self, _index: int) -> None:
        if not self.enabled or self.doc.retyping:
            return  # the model's own retypes are not a person's examples
        self.request()

    def set_profile(self, profile: Any) -> None:
        """An imported lab profile: its prototypes type the batch now and every image analysed later."""
        self.profile = profile
        if profile is not None:
            self.request()

    def request(self) -> None:
        """Type the batch by the examples now (or after the request in flight)."""
        if self._in_flight:
            self._waiting = True
        else:
            self._send()

    def _on_entry(self, index: int) -> None:
        """A newly analysed image is typed by the examples too (once a profile or a person gave some)."""
        e = self.doc.entry(index)
        rev = self.doc.revisions.analysis(str(e.path)) if e is not None else 0
        if e is None or e.analysis is None or rev in self._seen:
            return
        self._seen.add(rev)
        if self.profile is not None or any(c.reviewed_type for x in self.doc.entries if x.analysis is not None
                                           for c in x.analysis.cells):
            self.request()

    def _send(self) -> None:
        self._waiting = False
        self._t0 = time.perf_counter()
        req = build_request(self.doc, tag=("examples", self._t0), profile=self.profile)
        if req is None:
            self._restore()  # no example left (all undone): the model's own types come back
            return
        if self.runner.retype(None, req):
            self._in_flight = True
            self._estimate = describe(req)

    def _restore(self) -> None:
        """Put back the model's own type fields on the cells the examples had typed."""
        by_entry: dict[int, dict[int, dict]] = {}
        for (key, cid), fields in self._original.items():
            i = self.doc.index_of(key)
            if i >= 0:
                by_entry.setdefault(i, {})[cid] = fields
        self._original.clear()
        n = self.doc.set_types_many(by_entry)
        if n:
            self.done.emit(n)

    def _keep_original(self, key: str, analysis: Any, rows: dict) -> None:
        """The model's own type fields of cells about to be typed by example, the first time only."""
        from wbc_desktop.core.cells.retype import type_fields

        for c in analysis.cells:
            if c.cell_id in rows and (key, c.cell_id) not in self._original:
                fields = type_fields(c)
                fields.pop("embedding", None)
                self._original[(key, c.cell_id)] = fields

    def _on_typed(self, tag: Any, results: dict) -> None:
        self._in_flight = False
        by_entry: dict[int, dict[int, dict]] = {}
        for key, rows in (results or {}).items():
            i = self.doc.index_of(key)
            e = self.doc.entry(i)
            if e is None or e.analysis is None:
                continue
            live = {c.cell_id for c in e.analysis.cells if not c.reviewed_type}
            rows = {k: v for k, v in rows.items() if k in live}
            if rows:
                self._keep_original(key, e.analysis, rows)
                by_entry[i] = rows
        n = self.doc.set_types_many(by_entry)  # one refresh of the panels for the whole batch
        self.last_ms = (time.perf_counter() - self._t0) * 1e3
        self.done.emit(n)
        if self._estimate:
            self.estimated.emit(self._estimate)
        if self._waiting:
            self._send()

    def _on_failed(self, tag: Any, message: str) -> None:
        if isinstance(tag, tuple) and tag and tag[0] == "examples":
            self._in_flight = False
            self.failed.emit(message)
