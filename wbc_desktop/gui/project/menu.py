"""File ▸ project commands: New / Open / Recent projects, Import masks or GeoJSON, Export, Close.

``install(window)`` creates the session, puts its actions at the top of the File menu, routes images
opened while a project is open into it, and closes the project (writing everything, releasing the
lock) when the window closes. The window itself needs one line to call it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QMenu, QMessageBox

from wbc_desktop.core.errors import WbcError

from wbc_desktop.gui.project.session import ProjectSession

EXPORTS = (("masks", "&Masks (PNG 0/128/255)…"), ("csv", "&cells.csv and summary…"),
           ("geojson", "&GeoJSON for QuPath…"), ("coco", "C&OCO instances JSON…"))


class ProjectMenu(QObject):
    """The project actions of one window; enabled according to whether a project is open."""

    def __init__(self, window: Any, session: ProjectSession) -> None:
        super().__init__(window)
        self.window, self.session = window, session
        file_menu: QMenu = window.actions_.menus["&File"]
        first = file_menu.actions()[0] if file_menu.actions() else None
        self.new = QAction("&New project…", window)
        self.new.setStatusTip("A folder that keeps the images' analyses, corrections and reviews together")
        self.open = window.actions_.by_key["open_project"]  # declared in actions.SPECS (shortcut, F1 help)
        file_menu.removeAction(self.open)
        self.recent_menu = QMenu("Recent pro&jects", window)
        self.import_ = QAction("&Import masks / GeoJSON…", window)
        self.import_.setStatusTip("Corrected masks (0/128/255 or 0/1/2 PNG, label TIFF) or QuPath GeoJSON, "
                                  "matched to the project's images by file name")
        self.export_menu = QMenu("E&xport project", window)
        self.exports: dict[str, QAction] = {}
        for fmt, text in EXPORTS:
            a = self.export_menu.addAction(text)
            a.triggered.connect(lambda _=False, fmt=fmt: self.export_dialog(fmt))
            self.exports[fmt] = a
        self.close = QAction("Close projec&t", window)
        self.label = QLabel()
        window.statusBar().addPermanentWidget(self.label)
        for a in (self.new, self.open):
            file_menu.insertAction(first, a)
        file_menu.insertMenu(first, self.recent_menu)
        file_menu.insertAction(first, self.import_)
        file_menu.insertMenu(first, self.export_menu)
        file_menu.insertAction(first, self.close)
        file_menu.insertSeparator(first)
        self.new.triggered.connect(lambda: self.new_dialog())
        self.open.triggered.connect(lambda: self.open_dialog())
        self.import_.triggered.connect(lambda: self.import_dialog())
        self.close.triggered.connect(session.close)
        session.opened.connect(lambda _p: self.refresh())
        session.closed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        on = self.session.is_open
        for a in (self.import_, self.close):
            a.setEnabled(on)
        self.export_menu.setEnabled(on)
        self.recent_menu.clear()
        for p in self.session.recent():
            a = self.recent_menu.addAction(p)
            a.triggered.connect(lambda _=False, p=p: self.session.open(p))
        self.recent_menu.setEnabled(bool(self.session.recent()))
        self.label.setText(f"Project: {self.session.project.root.name}" if on else "No project")
        self.label.setToolTip(str(self.session.project.root) if on else "File ▸ New project… keeps analyses, "
                              "corrections and reviews together in one folder")

    def _start_dir(self) -> str:
        return self.session.settings.last_dir

    def new_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "New project: choose an empty folder", self._start_dir())
        if not folder:
            return
        self.session.create(folder)

    def open_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self.window, "Open project", self._start_dir(),
                                              "WBC Desktop project (project.json);;All files (*)")
        if name:
            self.session.open(Path(name).parent if Path(name).is_file() else name)

    def import_dialog(self, masks: Optional[Path] = None, geojson: Optional[Path] = None) -> Optional[tuple[int, list]]:
        """Masks folder or GeoJSON file(s); the project reloads to show them."""
        from wbc_desktop.core.project.interop.project_io import import_corrections

        s = self.session
        if s.project is None:
            return None
        if masks is None and geojson is None:
            folder = QFileDialog.getExistingDirectory(self.window,
                                                      "Import corrected masks or GeoJSON: choose their folder",
                                                      self._start_dir())
            if not folder:
                return None
            f = Path(folder)
            has_geo = any(f.glob("*.geojson"))
            masks, geojson = f, (f if has_geo else None)
        root = s.project.root
        s.autosave(wait=True)
        report: dict = {}
        try:
            n, errors = import_corrections(s.project, masks, geojson, report)
        except (WbcError, OSError) as e:
            s.messages.error(f"Import failed: {e}")
            return None
        go = self._retype_imported(report)  # connected first: a reload may say "loaded" at once
        if not s.open(root) and go is not None:  # reload: the viewer, gallery and counts show the imported masks
            s.loaded.disconnect(go)
        for e in errors[:5]:
            s.messages.warning(f"Import: {e}")
        unused = f"; {len(errors)} file(s) not used." if errors else "."
        s.messages.info(f"Imported corrections for {n} image(s){unused}")
        for line in [r.line() for r in report.values() if r.unassigned_px][:5]:
            s.messages.warning(f"Import: {line}")  # what could not be given to a cell, said per image
        self.last_import = report
        return n, errors

    def _retype_imported(self, report: dict):
        """The imported cells go to the model process to be typed again, as after an edit, once the
        reopened project's analyses are in the window; returns the connected slot (or None)."""
        s, doc = self.session, self.session.doc
        retyper = self.window.edit_tools.retyper
        by_key = {k: r for k, r in report.items() if r.retype}
        if retyper is None or not by_key:
            return None

        def go() -> None:
            s.loaded.disconnect(go)
            for path, im in s._by_path.items():
                r = by_key.get(im.key)
                i = doc.index_of(path)
                if r is not None and i >= 0:
                    retyper.on_restored(i, sorted(r.retype))

        s.loaded.connect(go)
        return go

    def export_dialog(self, fmt: str, out: Optional[Path] = None) -> list[str]:
        from wbc_desktop.core.project.interop.project_io import export_project

        s = self.session
        if s.project is None:
            return []
        if out is None:
            folder = QFileDialog.getExistingDirectory(self.window, f"Export {fmt}: choose a folder", self._start_dir())
            if not folder:
                return []
            out = Path(folder)
        s.autosave(wait=True)
        try:
            s.project.flush()
            files = export_project(s.project, fmt, out)
        except (WbcError, OSError) as e:
            s.messages.error(f"Export failed: {e}")
            return []
        s.messages.info(f"Exported {len(files)} file(s) ({fmt}) to {out}.")
        return files


class _CloseGuard(QObject):
    """Closes the project (writes, releases the lock) when the window closes."""

    def __init__(self, session: ProjectSession, parent: QObject) -> None:
        super().__init__(parent)
        self.session = session

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Close:
            self.session.close()
        return False


def install(window: Any) -> tuple[ProjectSession, ProjectMenu]:
    """Project session + menus for ``window`` (which keeps both); images opened meanwhile join the open project."""
    c = window.controller
    session = ProjectSession(c, window)
    menu = ProjectMenu(window, session)

    def confirm(text: str) -> bool:
        box = QMessageBox.question(window, "Close the open images?", text,
                                   QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                   QMessageBox.StandardButton.Cancel)
        return box == QMessageBox.StandardButton.Yes

    session.confirm = confirm
    window.installEventFilter(_CloseGuard(session, window))

    def added(paths: list) -> None:
        if session.is_open and not session.opening:
            session.add_images([Path(p) for p in paths])

    c.doc.pathsAdded.connect(added)

    def projects_first(paths: list) -> list:
        """A project folder (dropped, from the command line or recent files) opens as the project,
        not as a folder of images (its masks would be analysed as pictures); the rest are images."""
        from wbc_desktop.core.project.layout import is_project

        projects = [Path(p) for p in paths if Path(p).is_dir() and is_project(p)]
        if projects:
            session.open(projects[0])
        return [p for p in paths if Path(p) not in projects]

    c.open_hook = projects_first
    return session, menu
