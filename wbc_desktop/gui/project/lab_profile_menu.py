"""File ▸ Lab profile ▸ Export… / Import…: hand what this batch taught to the next one (or a sister lab).

Export writes the batch's profile (:mod:`wbc_desktop.core.lab.profile`: the typed cells as
prototypes, pixel size and scale, colour reference) to a JSON + npz pair; with a project open, it
is also kept in the project's ``lab-profile/`` folder. Import gives the window's lab learning the
profile's prototypes (the batch is typed by them at once, in the model process) and its pixel size
when none is set; with a project open, the imported profile is kept in ``lab-profile/imported.json``
and comes back when the project is reopened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMenu

from wbc_desktop.core.lab import profile as lab_profile
from wbc_desktop.core.errors import WbcError

IMPORTED = "imported.json"  # in the project's lab-profile/ folder (core.project.layout)
OWN = "lab-profile.json"


class LabProfileMenu(QObject):
    """The File ▸ Lab profile submenu of one window."""

    def __init__(self, window: Any, session: Any) -> None:
        super().__init__(window)
        self.window, self.session = window, session
        c = window.controller
        self.doc, self.messages, self.runner = c.doc, c.messages, c.runner
        self.menu = QMenu("&Lab profile", window)
        self.export_ = self.menu.addAction("&Export…")
        self.export_.setStatusTip("Save this batch's typed cells, pixel size and colour reference for the next batch")
        self.import_ = self.menu.addAction("&Import…")
        self.import_.setStatusTip("Type this batch by a lab profile's examples (exported from this or a sister lab)")
        file_menu: QMenu = window.actions_.menus["&File"]
        file_menu.insertMenu(window.project_menu.close, self.menu)
        self.export_.triggered.connect(lambda: self.export_dialog())
        self.import_.triggered.connect(lambda: self.import_dialog())
        session.opened.connect(lambda _p: self._restore())
        session.closed.connect(lambda: self._set(None))

    @property
    def learner(self) -> Any:
        return self.window.edit_tools.learner

    def current(self) -> lab_profile.LabProfile:
        pairs = [(str(e.path), e.analysis) for e in self.doc.entries if e.analysis is not None]
        return lab_profile.from_analyses(pairs, name=self._name(), pixel_size_um=self.runner.pixel_size_um)

    def _name(self) -> str:
        return self.session.project.root.name if self.session.is_open else "lab"

    def export_dialog(self, out: Optional[Path] = None) -> Optional[Path]:
        prof = self.current()
        if not len(prof.examples):
            self.messages.warning("Type or confirm some cells first: a lab profile carries the cells a person typed.")
            return None
        if out is None:
            name, _ = QFileDialog.getSaveFileName(self.window, "Export lab profile", f"{prof.name}.json",
                                                  "Lab profile (*.json)")
            if not name:
                return None
            out = Path(name)
        try:
            path = lab_profile.save(prof, out)
            if self.session.is_open:
                lab_profile.save(prof, self.session.project.layout.lab_profile_dir / OWN)
        except OSError as e:
            self.messages.error(f"Lab profile not written: {e}")
            return None
        self.messages.info(f"Lab profile written: {path.name} ({len(prof.examples)} typed cells)")
        return path

    def import_dialog(self, path: Optional[Path] = None) -> bool:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self.window, "Import lab profile", "", "Lab profile (*.json)")
            if not name:
                return False
            path = Path(name)
        try:
            prof = lab_profile.load(path)
            if self.session.is_open:
                keep = self.session.project.layout.lab_profile_dir / IMPORTED
                if Path(path).resolve() != keep.resolve():
                    lab_profile.save(prof, keep)
        except (WbcError, OSError) as e:
            self.messages.error(str(e))
            return False
        self._set(prof)
        if prof.pixel_size_um and not self.runner.pixel_size_um:
            self.runner.pixel_size_um = prof.pixel_size_um
        self.messages.info(f"Lab profile {prof.name!r}: {len(prof.examples)} examples; the batch is typed by them")
        return True

    def _set(self, prof: Optional[lab_profile.LabProfile]) -> None:
        if self.learner is not None:
            self.learner.set_profile(prof)

    def _restore(self) -> None:
        keep = self.session.project.layout.lab_profile_dir / IMPORTED
        if keep.is_file():
            try:
                self._set(lab_profile.load(keep))
            except WbcError as e:
                self.messages.warning(f"Project: its imported lab profile was not used ({e})")


def install(window: Any, session: Any) -> LabProfileMenu:
    """File ▸ Lab profile for ``window`` (which keeps it); after the project menu and the edit tools."""
    return LabProfileMenu(window, session)


__all__ = ["LabProfileMenu", "install"]
