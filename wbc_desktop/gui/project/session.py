"""The open project bound to the Document: open/create/close, load its analyses, save every step.

A project (:class:`~wbc_desktop.core.project.project.Project`, Qt-free) owns the files; this class
only routes the app to it. While a project is open every analysed image's undo history is the
project's own (``Document.history_for``), so each retype, signature and finished stroke is journalled
and its types written before the action returns; the masks themselves, the slow part, are written by
a debounced timer on a worker thread (:meth:`Project.snapshot` here, :meth:`Project.write_snapshot`
there). Analyses the project already holds are loaded in a worker, not recomputed. What needs no
save (the project's own analyses, rows a step wrote already) is kept by the Qt-free
:class:`~wbc_desktop.core.review.save_book.ProjectWrites`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from wbc_desktop.core.errors import WbcError
from wbc_desktop.core.project.project import Project
from wbc_desktop.core.review.save_book import ProjectWrites

from wbc_desktop.gui.document import ImageEntry
from wbc_desktop.gui.runner import Outcome
from wbc_desktop.gui.workers import Job

log = logging.getLogger(__name__)

RECENT_KEY, MAX_RECENT = "projects/recent", 10


class ProjectSession(QObject):
    """At most one open project per window; ``opened``/``closed`` tell the menus."""

    opened = Signal(str)  # project folder
    closed = Signal()
    loaded = Signal()  # every stored analysis of the project is in the Document
    saved = Signal()  # masks written (the debounced autosave ran)

    def __init__(self, controller: Any, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.doc, self.messages, self.settings = controller.doc, controller.messages, controller.settings
        self._told_slides: set[Path] = set()  # whole slides said once to stay out of the project
        self.project: Optional[Project] = None
        self.writes = ProjectWrites()  # analyses read from the project (not saved again), rows waiting
        self._pending_loads = 0
        self.opening = False  # the project's own images are being added to the Document
        self.confirm: Optional[Any] = None  # str -> bool: may the images open outside a project be closed?
        self._writing = threading.Lock()
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self._jobs: set[Job] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.autosave)
        self.doc.reviewChanged.connect(self._on_review)
        self.doc.typesChanged.connect(lambda ids: [self._on_review(i) for i in ids if i != self.doc.current])
        self.rows_timer = QTimer(self)
        self.rows_timer.setSingleShot(True)
        self.rows_timer.setInterval(300)
        self.rows_timer.timeout.connect(self._write_retyped)
        self._by_path: dict[Path, Any] = {}  # image path -> ProjectImage (find() walks every image)
        self._arrived: list[Outcome] = []  # loaded analyses waiting to enter the Document together
        self._bulk = False
        self.drain_timer = QTimer(self)
        self.drain_timer.setSingleShot(True)
        self.drain_timer.setInterval(40)
        self.drain_timer.timeout.connect(self._drain)

    # ---- opening and closing
    @property
    def is_open(self) -> bool:
        return self.project is not None

    def create(self, root: Path | str) -> bool:
        return self._start(lambda: Project.create(Path(root), user=self._user()), root)

    def open(self, root: Path | str) -> bool:
        return self._start(lambda: Project.open(Path(root), user=self._user(), review_store=self.doc.store), root)

    def _user(self) -> str:
        return self.settings.reviewer or "reviewer"

    def _may_close_loose(self) -> bool:
        """Images open outside a project are closed only when the person agrees (``confirm``, set by the menu)."""
        n = len(self.doc.entries) if self.project is None else 0
        if not n or self.confirm is None:
            return True
        return self.confirm(
            f"{n} image{'s are' if n != 1 else ' is'} open outside a project. Opening a project closes "
            f"{'them' if n != 1 else 'it'}; the types and mask corrections stay saved in the app's data folder "
            "and come back when you open the images again outside a project.\n\nClose them and go on?")

    def _start(self, make, root: Path | str) -> bool:
        """Open the new project first, so a refusal (locked, newer format) leaves the current one open."""
        same = self.project is not None and Path(root).resolve() == self.project.root.resolve()
        if not self._may_close_loose():
            return False
        if same:
            self.close()  # reopening: its lock is ours
        try:
            project = make()
        except (WbcError, OSError) as e:  # locked, newer format, not a project, no access
            self.messages.error(f"Could not open the project: {e}")
            return False
        self.close()
        self.project = project
        self._clear_document()
        self.doc.history_for = self._history_for
        self.doc.model_masks_for = self._model_masks_for
        self.add_recent(str(project.root.resolve()))
        for m in project.messages:
            self.messages.warning(f"Project: {m}")
        stored, todo = [], []
        self._by_path = {}
        for im in project.images:
            path = project.image_path(im)
            if path is None:
                continue  # said in project.messages; its masks and cells stay in the project
            self._by_path[path] = im
            (stored if project.has_analysis(im) else todo).append(path)
        self.opening = True
        try:
            self.doc.add(stored + todo)
        finally:
            self.opening = False
        self._pending_loads = len(stored)
        for path in stored:
            self._load(path, self._by_path[path])
        if todo:
            self.controller.runner.submit(todo)
        if self.doc.entries:
            self.doc.set_current(0)
        if not stored:
            self.loaded.emit()
        self.timer.start()
        self.opened.emit(str(project.root))
        n = len(project.images)
        if n:
            self.messages.info(f"Project {project.root.name}: {n} image{'s' if n != 1 else ''}"
                               + (f", {len(todo)} to analyse" if todo else "") + ".")
        else:
            self.messages.info(f"Project {project.root.name}: open images or a folder (Ctrl+O, Ctrl+Shift+O) to add "
                               "them; every change is saved in the project as you work.")
        return True

    def close(self) -> None:
        """Write everything, release the lock, forget the images (they belong to the project)."""
        if self.project is None:
            return
        self.timer.stop()
        self.drain_timer.stop()
        self._arrived = []
        self._write_retyped()
        self.pool.waitForDone(30000)
        project, self.project = self.project, None
        self.doc.history_for = None
        self.doc.model_masks_for = None
        try:
            project.close()
        except OSError as e:
            self.messages.error(f"Could not write the project's last changes: {e}")
        self._clear_document()
        self.writes.clear()
        self.closed.emit()

    def _clear_document(self) -> None:
        """Every image out of the window at once (one round of panel updates, not one per image)."""
        self.controller.runner.cancel()
        if not self.doc.entries:
            return
        self.doc.blockSignals(True)
        try:
            self.doc.entries.clear()
            self.doc.current, self.doc.selected = -1, []
        finally:
            self.doc.blockSignals(False)
        self.doc.entriesChanged.emit()
        self.doc.currentChanged.emit(-1)
        self.doc.selectionChanged.emit([])
        self.doc.countsChanged.emit()

    # ---- images
    def add_images(self, paths: list[Path]) -> None:
        """Images opened while a project is open join it (its history is attached on analysis)."""
        if self.project is None:
            return
        for p in paths:
            try:
                self._by_path[Path(p)] = self.project.add_image(p)
            except WbcError as e:
                self.messages.warning(str(e))

    def _image_of(self, path: Path):
        im = self._by_path.get(path)
        if im is None and self.project is not None:
            im = self.project.find(path)
            if im is not None:
                self._by_path[path] = im
        return im

    def _load(self, path: Path, im) -> None:
        project = self.project

        def work(_progress, _cancel) -> Outcome:
            from wbc_desktop.core.io.images import read_image
            from wbc_desktop.gui.viewer.prepare import prepare

            image = read_image(path)
            analysis = project.load_analysis(im) if im is not None else None
            return Outcome(path, image, analysis, None if analysis is not None else "no analysis stored",
                           prepare(image.pixels, analysis))

        job = Job(work)
        job.signals.result.connect(lambda out, project=project: self._on_loaded(out, project))
        job.signals.failed.connect(lambda e, path=path: self._on_load_failed(path, e))
        job.signals.finished.connect(lambda job=job: self._jobs.discard(job))
        self._jobs.add(job)
        self.pool.start(job)

    def _on_loaded(self, out: Outcome, project: Project) -> None:
        if project is not self.project:
            return  # closed meanwhile
        if out.analysis is not None:
            self.writes.read(Path(out.path), out.analysis)
        self._arrived.append(out)
        if not self.drain_timer.isActive():
            self.drain_timer.start()

    def _drain(self) -> None:
        """Analyses that arrived meanwhile enter the Document together: one round of panel updates
        and one write of the tables, not one per image (200 images: seconds of GUI time saved)."""
        outs, self._arrived = self._arrived, []
        if not outs or self.project is None:
            return
        self._bulk = True
        self.doc.blockSignals(True)
        try:
            for out in outs:
                self.controller._on_done(out)
        finally:
            self.doc.blockSignals(False)
            self._bulk = False
        self.doc.entriesChanged.emit()
        self.doc.countsChanged.emit()
        if self.doc.current >= 0:
            self.doc.currentChanged.emit(self.doc.current)
        for _ in outs:
            self._one_loaded()

    def _on_load_failed(self, path: Path, e: BaseException) -> None:
        from wbc_desktop.gui.document import FAILED

        self.doc.set_status(path, FAILED, str(e))
        self.messages.error(f"{Path(path).name}: {e}")
        self._one_loaded()

    def _one_loaded(self) -> None:
        self._pending_loads -= 1
        if self._pending_loads == 0:
            if self.project is not None:  # states and rows of the attached images (migrated reviews), once
                try:
                    self.project.write_tables()
                except OSError as e:
                    self.messages.error(f"Project not saved: {e}")
            self.loaded.emit()

    def _model_masks_for(self, e: ImageEntry):
        """The model's own masks from the project (the shown ones may be corrections of an earlier session)."""
        im = self._image_of(e.path)
        if self.project is None or im is None:
            return None
        try:
            return self.project.model_masks(im)
        except (OSError, WbcError) as err:
            self.messages.warning(f"{e.name}: the model's masks cannot be read from the project ({err}).")
            return None

    def _history_for(self, e: ImageEntry):
        """The project's History for an entry's new analysis (saving a fresh model output first)."""
        p = self.project
        if p is None or e.analysis is None:
            return None
        if getattr(e.analysis, "overview_factor", None):  # a whole slide: its masks are not one PNG
            if e.path not in self._told_slides:
                self._told_slides.add(e.path)
                self.messages.info(f"{e.name}: whole-slide images are reviewed here but not kept in the project; "
                                   "`wbc-desktop analyze` writes their tiled masks and tables.")
            return None
        im = self._image_of(e.path)
        try:
            if im is None:
                im = self._by_path[e.path] = p.add_image(e.path)
            if self.writes.needs_save(e.path, e.analysis, self.doc.revisions.analysis(str(e.path))):  # a new (or re-run) model output
                kept = p.set_aside_corrections(im) if p.is_edited(im) else None
                if kept:
                    self.messages.warning(f"{e.name}: re-analysed; the masks you corrected are kept in the project "
                                          f"as {kept} (import them again to restore them).")
                p.save_analysis(im, e.analysis)
            e.corrected = p.is_edited(im)  # type: ignore[attr-defined]  # the report says so
            h = p.attach(im, e.analysis, write=not self._bulk)
            save = h._save

            def saved(review, key=im.key) -> None:
                save(review)
                self.writes.step_written(key)

            h._save = saved
            return h
        except (WbcError, OSError) as err:
            self.messages.error(f"{e.name}: could not be saved in the project ({err}); "
                                "its review is kept in the app's data folder instead")
            return None

    # ---- saving
    def _on_review(self, i: int) -> None:
        """Types set by the model after an edit: their rows are written shortly after (a person's
        own steps were written by the History before this signal)."""
        e = self.doc.entry(i)
        if self.project is None or e is None:
            return
        im = self._image_of(e.path)
        if im is None or im.key not in self.project.open_images:
            return
        if self.writes.review_changed(im.key):
            self.rows_timer.start()

    def _write_retyped(self) -> None:
        for key in self.writes.take_retyped():
            im = self.project.find(key) if self.project is not None else None
            if im is None:
                continue
            try:
                self.project.cells_changed(im)
            except OSError as err:
                self.messages.error(f"Project not saved: {err}")

    def autosave(self, wait: bool = False) -> bool:
        """Write the edited masks once the debounce time passed; off the GUI thread."""
        p = self.project
        if p is None or p._due is None or self._writing.locked():
            return False
        import time

        if time.monotonic() < p._due and not wait:
            return False
        snap = p.snapshot()

        def work(_progress, _cancel) -> None:
            with self._writing:
                p.write_snapshot(snap)

        job = Job(work)
        job.signals.result.connect(lambda _r: self.saved.emit())
        job.signals.failed.connect(lambda e: self.messages.error(f"Autosave of the masks failed: {e}; "
                                                                 "the edits are kept in the journal"))
        job.signals.finished.connect(lambda job=job: self._jobs.discard(job))
        self._jobs.add(job)
        self.pool.start(job)
        if wait:
            self.pool.waitForDone(30000)
        return True

    # ---- recent projects
    def recent(self) -> list[str]:
        v = self.settings.q.value(RECENT_KEY, [])
        return [v] if isinstance(v, str) else [str(x) for x in (v or [])]

    def add_recent(self, path: str) -> None:
        items = [path] + [p for p in self.recent() if p != path]
        self.settings.q.setValue(RECENT_KEY, items[:MAX_RECENT])
