"""Retraining in the main window: the one-click action, the wizard, the models dialog.

:class:`Retrainer` owns the :class:`TrainingLauncher` (the training runs in its own process),
the status-bar progress with Cancel, and the accept / discard of new versions. Accepting
activates the versions in the project's ``models/`` store and reloads the analysis models with
them; until then nothing the window analyses changes. The person keeps reviewing meanwhile:
nothing here waits on the training.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QProgressBar, QPushButton, QStatusBar

from wbc_desktop.core.project.layout import ProjectLayout, is_project
from wbc_desktop.core.retrain.process import ENGINE

from wbc_desktop.gui.wizard.launcher import TrainingLauncher

if TYPE_CHECKING:
    from wbc_desktop.gui.project.session import ProjectSession

log = logging.getLogger(__name__)

KINDS = ("segmenter", "classifier")


def default_store(root: Path) -> Any:
    """The project's version store (core.weights.versions); imported late, the window may never need it."""
    from wbc_desktop.core.weights.versions import VersionStore

    return VersionStore(root)


class RetrainStatus:
    """Progress, time left and Cancel for the retraining, in the window's status bar."""

    def __init__(self, bar: QStatusBar) -> None:
        self.label = QLabel("")
        self.label.setToolTip("Retraining runs in its own process; keep reviewing meanwhile")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel retraining")
        self.cancel_button.setToolTip("Stop the retraining; no new version is written")
        for w in (self.label, self.progress, self.cancel_button):
            bar.addPermanentWidget(w)
        self.set_running(False)

    def set_running(self, running: bool) -> None:
        for w in (self.label, self.progress, self.cancel_button):
            w.setVisible(running)
        if not running:
            self.progress.setValue(0)

    def on_progress(self, fraction: float, text: str) -> None:
        self.set_running(True)
        self.progress.setValue(int(1000 * max(0.0, min(1.0, fraction))))
        self.label.setText(text)


class Retrainer(QObject):
    """What the Retrain, wizard and models actions do (see the module docstring).

    ``engine`` and ``store_factory`` are the real ones by default; tests pass fakes.
    """

    accepted = Signal(dict)  # kind -> version name now active
    discarded = Signal()

    def __init__(self, window: Any, engine: str = ENGINE,
                 store_factory: Callable[[Path], Any] = default_store) -> None:
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.messages = self.controller.messages
        self.store_factory = store_factory
        self.launcher = TrainingLauncher(engine, self)
        self.status = RetrainStatus(window.statusBar())
        self.wizard: Any = None
        self.result_dialog: Any = None
        self._project: Optional[Path] = None
        self.session: Optional[ProjectSession] = None  # the window's project session (set by MainWindow)
        self.status.cancel_button.clicked.connect(self.launcher.cancel)
        self.launcher.progress.connect(self.status.on_progress)
        self.launcher.stopped.connect(lambda: self.status.set_running(False))
        self.launcher.failed.connect(lambda m: self.messages.error(f"Retraining failed: {m.rstrip('.')}."))
        self.launcher.cancelled.connect(lambda: self.messages.info("Retraining cancelled; no new version was written."))
        self.launcher.finished.connect(self._on_finished)

    # where
    def project_dir(self, ask: bool = True) -> Optional[Path]:
        """The open project's folder, else the last one used, else asked for."""
        settings = self.controller.settings
        open_root = self.session.project.root if self.session is not None and self.session.project is not None else None
        for cand in (open_root, self._project):
            if cand and is_project(cand):
                return Path(cand)
        if not ask:
            return None
        folder = QFileDialog.getExistingDirectory(self.window, "Retrain on which project?", settings.last_dir)
        if not folder:
            return None
        if not is_project(folder):
            self.messages.warning(f"{folder} is not a WBC Desktop project (no project.json); "
                                  "create one with 'wbc-desktop project new'.")
            return None
        self._project = Path(folder)
        return self._project

    def store(self, project: Path) -> Any:
        return self.store_factory(ProjectLayout(project).models_dir)

    def base_of(self, project: Path, kind: str) -> str:
        """The version retraining starts from: the project's active one (its folder), else the app's model."""
        store = self.store(project)
        try:
            active = store.active(kind)
        except Exception:  # noqa: BLE001 - an unreadable store: start from the app's model
            active = None
        if active:
            return str(Path(store.root) / kind / str(active))
        name = str(getattr(self.controller.settings, kind, "default") or "default")
        return name if not Path(name).is_absolute() else Path(name).name

    def default_settings(self, project: Path) -> Optional[dict[str, Any]]:
        """One click: the models that have data, from their active versions, 60 s per model.

        Suits 10-50 corrected images: a fifth held out to measure, augmentations and replay of
        the shipped data on (so the original domain is kept). None (with a message) when the
        project holds nothing to learn from.
        """
        from wbc_desktop.core.project.manifest import ProjectError
        from wbc_desktop.core.project.trainable import list_trainable

        try:
            items = list_trainable(project)
        except ProjectError as e:
            self.messages.error(str(e))
            return None
        models = tuple(k for k, ok in (("segmenter", any(i.corrected for i in items)),
                                       ("classifier", sum(i.typed for i in items) > 0)) if ok)
        if not models:
            self.messages.warning("Nothing to learn from yet: correct some masks or set cell types in this project, "
                                  "then Retrain.")
            return None
        return {"out_dir": ProjectLayout(project).models_dir, "project_dir": project, "models": models,
                "base_segmenter": self.base_of(project, "segmenter"),
                "base_classifier": self.base_of(project, "classifier"),
                "val_fraction": 0.2, "time_budget_s": 60.0, "device": self.controller.settings.device}

    # actions
    def one_click(self) -> None:
        """Retrain with the defaults; the result dialog asks to accept when it is done."""
        if self.launcher.running:
            self.messages.info("A retraining is already running (see the status bar).")
            return
        project = self.project_dir()
        if project is None:
            return
        settings = self.default_settings(project)
        if settings is not None:
            self.start(settings)

    def flush_project(self) -> None:
        """Write the open project's pending mask edits first, so the training reads every correction.

        Only when a stroke is still waiting for its debounced save (within a second of the last
        one); that write is of the few edited images only.
        """
        session = self.session
        if session is not None and session.project is not None and session.project._due is not None:
            session.autosave(wait=True)

    def start(self, settings: dict[str, Any]) -> None:
        self.flush_project()
        # The status bar says it (no message bar: showing one re-lays out and redraws the viewer).
        self.launcher.start(settings)

    def open_wizard(self) -> None:
        from wbc_desktop.gui.wizard.wizard import RetrainWizard

        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()
            return
        self.wizard = RetrainWizard(self, self.project_dir(ask=False), self.window)
        self.wizard.show()

    def open_models(self) -> None:
        from wbc_desktop.gui.wizard.models_dialog import ModelsDialog

        project = self.project_dir()
        if project is not None:
            ModelsDialog(self.store(project), self.versions_changed, self.window).exec()

    def versions_changed(self, store: Any) -> None:
        """Activated, rolled back or deleted in Model versions: reload, and the banner says what is now in
        use (it said "New models active" after a roll back before)."""
        self.reload_models(store)
        used = ", ".join(f"{k} {store.active(k) or 'shipped model'}" for k in KINDS)
        self.messages.info(f"Models now in use: {used}. The models are reloading; Ctrl+R analyses an image again.")

    def _on_finished(self, result: Any) -> None:
        if self.wizard is not None and self.wizard.isVisible() and self.wizard.owns_run:
            return  # the wizard's result page shows it
        from wbc_desktop.gui.wizard.result_page import ResultDialog

        self.result_dialog = ResultDialog(self, result, self.launcher.previews, self.window)
        self.result_dialog.show()

    # outcome
    def accept(self, result: Any) -> dict[str, str]:
        """Activate the new versions in the project and reload the analysis models with them."""
        project = Path(self.launcher.settings["project_dir"]) if self.launcher.settings.get("project_dir") else None
        store = self.store(project) if project else self.store_factory(Path(self.launcher.settings["out_dir"]))
        active: dict[str, str] = {}
        for kind, folder in result.versions.items():
            store.activate(kind, Path(folder).name)
            active[kind] = Path(folder).name
        self.reload_models(store)
        self.messages.info("New models active: " + ", ".join(f"{k} {v}" for k, v in active.items())
                           + ". Roll back in Analysis ▸ Model versions.")
        self.accepted.emit(active)
        return active

    def discard(self, result: Any) -> None:
        """Delete the new, never activated, versions."""
        out = Path(self.launcher.settings.get("out_dir", "."))
        store = self.store_factory(out)
        for kind, folder in (getattr(result, "versions", {}) or {}).items():
            try:
                store.delete(kind, Path(folder).name)
            except Exception as e:  # noqa: BLE001
                log.warning("could not delete %s: %s", folder, e)
        self.messages.info("New models discarded; the active ones are unchanged.")
        self.discarded.emit()

    def reload_models(self, store: Any) -> None:
        """Point the analysis at the store's active versions (shipped model when none) and reload."""
        settings = self.controller.settings
        for kind in KINDS:
            name = store.active(kind)
            folder = Path(store.root) / kind / str(name) if name else None
            if folder is not None:
                setattr(settings, kind, str(folder))
            elif Path(str(getattr(settings, kind))).is_absolute():
                setattr(settings, kind, "default")  # rolled back past the first retrained version
        self.controller.runner.load_pipeline(settings.device)

    def shutdown(self) -> None:
        """The window closes: stop a running training (no version is left half-written)."""
        self.launcher.kill()


def install(window: Any, **kw: Any) -> Retrainer:
    """Create the Retrainer for a main window and connect its actions."""
    r = Retrainer(window, **kw)
    a = window.actions_
    a.connect("retrain", r.one_click)
    a.connect("retrain_wizard", r.open_wizard)
    a.connect("model_versions", r.open_models)
    return r

