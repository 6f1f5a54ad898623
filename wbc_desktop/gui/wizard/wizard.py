"""The retraining wizard: images ▸ settings ▸ live training ▸ result (accept or discard).

The pages only gather choices and show events; the run itself is the Retrainer's launcher (the
same one the one-click action uses, so the status bar shows it too), and accepting or
discarding goes through the Retrainer as well.
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget, QWizard

from wbc_desktop.core.project.layout import ProjectLayout
from wbc_desktop.gui.wizard.data_page import DataPage
from wbc_desktop.gui.wizard.live_page import LivePage
from wbc_desktop.gui.wizard.result_page import ResultPage
from wbc_desktop.gui.wizard.settings_page import SettingsPage

DATA, SETTINGS, LIVE, RESULT = range(4)


class RetrainWizard(QWizard):
    """See the module docstring; ``retrainer`` is a :class:`~wbc_desktop.gui.wizard.retrain.Retrainer`."""

    def __init__(self, retrainer: Any, project: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Retrain the models")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.retrainer = retrainer
        self.launcher = retrainer.launcher
        self.owns_run = False
        self.decided = False
        self.data = DataPage(project)
        self.options = SettingsPage(self._versions, self._base, retrainer.controller.settings.device)
        self.live = LivePage(self.launcher)
        self.result_page = ResultPage()
        for pid, page in ((DATA, self.data), (SETTINGS, self.options), (LIVE, self.live), (RESULT, self.result_page)):
            self.setPage(pid, page)
        self.setButtonText(QWizard.WizardButton.CustomButton1, "Discard")
        self.customButtonClicked.connect(self._on_custom)
        self.currentIdChanged.connect(self._on_page)
        self._last_id = DATA
        self.resize(1000, 720)

    # helpers for the settings page
    def _versions(self, kind: str) -> list[dict]:
        project = self.data.project()
        return self.retrainer.store(project).list(kind) if project is not None else []

    def _base(self, kind: str) -> str:
        project = self.data.project()
        return self.retrainer.base_of(project, kind) if project is not None else "default"

    def settings(self) -> dict[str, Any]:
        """The engine's RetrainSettings as keyword arguments, from every page."""
        project = self.data.project()
        return {"out_dir": ProjectLayout(project).models_dir, "project_dir": project, "selected": self.data.selected_names(),
                "val_fraction": self.data.val_percent.value() / 100.0, "seed": int(self.data.seed.value()),
                **self.options.values()}

    def _on_page(self, pid: int) -> None:
        going_back = pid < self._last_id
        self._last_id = pid
        last = pid == RESULT
        self.setButtonText(QWizard.WizardButton.FinishButton, "Accept (activate)")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Decide later" if last else "Cancel")
        self.button(QWizard.WizardButton.CustomButton1).setVisible(last)
        if pid == SETTINGS:
            if going_back and self.launcher.running and self.owns_run:
                self.launcher.cancel()
            masks, typed = self.data.counts()
            self.options.fill(masks > 0, typed > 0)
        elif pid == LIVE and not going_back:
            if self.launcher.running:
                self.retrainer.messages.info("A retraining is already running; wait for it or cancel it first.")
                self.back()
                return
            self.owns_run = True
            self.decided = False
            self.retrainer.flush_project()
            self.live.begin(self.settings())
        elif last:  # filled after the page shows: two short pauses of the window, not one long one
            QTimer.singleShot(0, lambda: self.result_page.show_result(self.launcher.result, self.launcher.previews))

    def _on_custom(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value and self.launcher.result is not None:
            self.decided = True
            self.retrainer.discard(self.launcher.result)
            super().reject()

    def accept(self) -> None:
        if self.launcher.result is not None and not self.decided:
            self.decided = True
            self.retrainer.accept(self.launcher.result)
        super().accept()

    def reject(self) -> None:
        """Cancel a running training; after one finished, the new versions stay, inactive."""
        if self.launcher.running and self.owns_run:
            self.launcher.cancel()
        elif self.launcher.result is not None and not self.decided and self.currentId() == RESULT:
            self.retrainer.messages.info("The new versions are kept, inactive: activate them in Analysis ▸ "
                                         "Model versions.")
        super().reject()
