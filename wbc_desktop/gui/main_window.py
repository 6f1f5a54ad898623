"""The main window: composes panels, menus and the status bar, and wires their signals.

Owns no logic: what commands do lives in :mod:`controller`, state in :mod:`document`,
compute in :mod:`runner`; each panel owns its widgets.
"""

from __future__ import annotations

from dataclasses import asdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from wbc_desktop import __version__
from wbc_desktop.core.review.store import REVIEW_TYPES

from wbc_desktop.gui.actions import Actions
from wbc_desktop.gui.controller import AppController
from wbc_desktop.gui.dialogs import MessagesDialog, ShortcutsDialog
from wbc_desktop.gui.drops import FileDropFilter
from wbc_desktop.gui.panels.counts import CountPanel
from wbc_desktop.gui.panels.gallery import GalleryPanel
from wbc_desktop.gui.panels.images import ImageListPanel
from wbc_desktop.gui.panels.status import StatusPanel
from wbc_desktop.gui.viewer.overlay import OverlayStyle
from wbc_desktop.gui.viewer.panel import ViewerPanel
from wbc_desktop.gui.wizard.retrain import install as install_retrainer

VIEWS_CHOICES = (  # settings.views, menu text, status tip
    (0, "Auto: a second look at unsure cells (model default)",
     "One view per cell; cells the model is unsure of get the mean of four quarter turns, and of a second "
     "model where the model card names one (figures in training/reports/classifier/classifier.md)"),
    (1, "One view per cell (fastest)", "Each cell is typed from one view of its crop by one model"),
    (4, "4 rotated views for every cell, one model (slower)",
     "Averages the model over four quarter turns of every cell: about twice the typing time"),
)

DEVICES = ("auto", "cpu", "cuda")


class MainWindow(QMainWindow):
    """Viewer and gallery as tabs in the middle, images on the left, the count on the right."""

    def __init__(self, controller: AppController, icon: QIcon | None = None) -> None:
        super().__init__()
        self.controller = c = controller
        doc, settings = c.doc, c.settings
        c.window = self
        self.setWindowTitle(f"WBC Desktop {__version__}")
        if icon is not None:
            self.setWindowIcon(icon)
        self.resize(1440, 900)

        self.viewer = ViewerPanel(doc, OverlayStyle(**settings.overlay()))
        self.gallery = GalleryPanel(doc, settings.threshold)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.viewer, "Image  (F2)")
        self.tabs.addTab(self.gallery, "Gallery  (F3)")
        central = QWidget()
        col = QVBoxLayout(central)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(c.messages)
        col.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.images = ImageListPanel(doc)
        self.counts = CountPanel(doc)
        self._dock("Images", self.images, Qt.DockWidgetArea.LeftDockWidgetArea, 230)
        self._dock("Differential count", self.counts, Qt.DockWidgetArea.RightDockWidgetArea, 330)
        self.status = StatusPanel(self.statusBar())
        self.actions_ = Actions(self)
        from wbc_desktop.gui.tools.bar import install as install_edit_tools  # mask tools: bar, menu, retype

        self.edit_tools = install_edit_tools(self)
        self._wire()
        self.retrainer = install_retrainer(self)
        geometry, state = settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        self.drops = FileDropFilter(c.open_paths, self)
        self.setAcceptDrops(True)
        self.installEventFilter(self.drops)
        for w in (self.viewer.view.viewport(), self.images.list.viewport()):
            w.setAcceptDrops(True)
            w.installEventFilter(self.drops)
        from wbc_desktop.gui.project.menu import install as install_project

        # File ▸ New/Open project…, import/export; autosave into the project
        self.project_session, self.project_menu = install_project(self)
        from wbc_desktop.gui.project.lab_profile_menu import install as install_lab_profile

        self.lab_profile_menu = install_lab_profile(self, self.project_session)  # File ▸ Lab profile (lab learning)
        self.retrainer.session = self.project_session
        from wbc_desktop.gui.panels.gallery_scope import install as install_gallery_scope

        self.scoped_gallery = install_gallery_scope(self)  # gallery scope: this image / whole batch
        self.batch_gallery = self.scoped_gallery.batch
        from wbc_desktop.gui.panels.find_similar import install as install_find_similar

        self.find_similar = install_find_similar(self)  # Shift+S: the batch's cells most like one (lab learning)
        from wbc_desktop.gui.doubt_nav import install as install_doubt

        self.doubt_nav = install_doubt(self)  # the segmenter's doubt overlay (U) and next uncertain cell (N)
        from wbc_desktop.gui.report.sample_dialog import install as install_sample

        self.sample_details = install_sample(self)  # File ▸ Sample details… (patient/sample ID…), printed on the PDF

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, width: int) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def _wire(self) -> None:
        c, a, v, runner = self.controller, self.actions_, self.viewer, self.controller.runner
        a.connect("open", c.open_dialog)
        a.connect("open_folder", c.open_folder_dialog)
        a.connect("demo", c.open_sample)
        a.connect("close_image", c.close_current)
        a.connect("export_csv", c.export_csv)
        a.connect("export_pdf", lambda: c.export_pdf(v.masks.style))
        a.connect("quit", self.close)
        a.connect("undo", lambda: c.undo())  # looked up per call: the batch gallery routes it
        a.connect("redo", c.redo)
        a.connect("sign", c.toggle_signed)
        a.connect("preferences", self._preferences)
        a.connect("show_image", lambda: self.tabs.setCurrentWidget(self.viewer))
        a.connect("show_gallery", lambda: self.tabs.setCurrentWidget(self.gallery))
        a.connect("fit", v.view.fit)
        a.connect("one_to_one", v.view.one_to_one)
        a.connect("zoom_in", lambda: v.view.zoom_by(1.25))
        a.connect("zoom_out", lambda: v.view.zoom_by(0.8))
        a.connect("toggle_overlay", v.toggle_overlay)
        a.connect("next_image", lambda: c.step_image(1))
        a.connect("prev_image", lambda: c.step_image(-1))
        a.connect("analyse", c.reanalyse)
        a.connect("pixel_size", c.ask_pixel_size)
        a.connect("cancel", self._escape)
        a.connect("help", lambda: ShortcutsDialog(self).exec())
        a.connect("messages", lambda: MessagesDialog(c.messages.history, self).exec())
        a.connect("about", self._about)
        for t in REVIEW_TYPES:
            a.connect(f"type_{t}", lambda t=t: c.reclassify_selected(t))
        a.connect("restore_type", lambda: c.reclassify_selected(None))
        group = QActionGroup(self)
        for d in DEVICES:
            act = a.device_menu.addAction({"auto": "Automatic (GPU if present)", "cpu": "CPU", "cuda": "GPU (CUDA)"}[d])
            act.setCheckable(True)
            act.setChecked(d == c.settings.device)
            act.triggered.connect(lambda _=False, d=d: c.set_device(d))
            group.addAction(act)
        self._fill_classifier_menu()
        a.set_recent(c.settings.recent_files(), lambda p: c.open_paths([p]), self._clear_recent)
        c.recentChanged.connect(lambda paths: a.set_recent(paths, lambda p: c.open_paths([p]), self._clear_recent))

        self.status.cancel_button.clicked.connect(runner.cancel)
        runner.progress.connect(self.status.on_progress)
        runner.idle.connect(lambda: (self.status.set_busy(False), self.status.message.setText("Ready")))
        runner.pipelineLoading.connect(lambda d: self.status.set_device(f"Loading models ({d})…"))
        runner.pipelineReady.connect(self.status.set_device)
        runner.pipelineFailed.connect(lambda m: self.status.set_device("No models loaded"))
        v.styleChanged.connect(lambda s: c.settings.set_overlay(**asdict(s)))
        self.gallery.reclassifyRequested.connect(c.reclassify)
        self.gallery.showInImage.connect(self._show_in_image)
        self.gallery.thresholdChanged.connect(c.set_threshold)
        self.counts.includeBorderChanged.connect(c.set_include_border)
        c.doc.currentChanged.connect(lambda _i: self._update_title())
        c.doc.currentChanged.connect(lambda _i: self._update_image_models())
        c.doc.entryChanged.connect(lambda _i: self._update_image_models())
        runner.pipelineReady.connect(lambda _t: self._update_image_models())
        c.doc.reviewChanged.connect(lambda _i: self._update_undo())
        c.doc.currentChanged.connect(lambda _i: self._update_undo())
        self._update_undo()

    def _show_in_image(self, cell_id: int) -> None:
        self.tabs.setCurrentWidget(self.viewer)
        self.controller.doc.select([cell_id])
        self.viewer.focus_cell(cell_id)

    def _escape(self) -> None:
        if self.controller.runner.busy:
            self.controller.runner.cancel()
        else:
            self.controller.messages.hide()

    def _update_undo(self) -> None:
        e = self.controller.doc.current_entry
        h = e.history if e is not None else None
        self.actions_.undo.setEnabled(bool(h and h.can_undo))
        self.actions_.redo.setEnabled(bool(h and h.can_redo))
        self.actions_.undo.setText(f"&Undo {h.undo_text}" if h and h.can_undo else "&Undo")
        self.actions_.redo.setText(f"&Redo {h.redo_text}" if h and h.can_redo else "&Redo")
        self.actions_.sign.setText("Remove &signature" if e is not None and e.signed else "&Sign image as reviewed")

    def _update_title(self) -> None:
        e = self.controller.doc.current_entry
        self.setWindowTitle(f"{e.name} — WBC Desktop" if e is not None else f"WBC Desktop {__version__}")

    def _update_image_models(self) -> None:
        e = self.controller.doc.current_entry
        pipeline = self.controller.runner.pipeline
        loaded = pipeline.models_info() if pipeline is not None and hasattr(pipeline, "models_info") else {}
        models = getattr(e.analysis, "models", None) if e is not None else None
        self.status.show_image_models(models, loaded)
        self.status.show_standardisation(getattr(e.analysis, "standardisation", "") if e is not None else "")

    def _preferences(self) -> None:
        style = self.controller.preferences(self.viewer.masks.style)
        if style is not None:
            self.viewer.set_style(style)

    def _clear_recent(self) -> None:
        self.controller.settings.clear_recent()
        self.controller.recentChanged.emit([])

    def _fill_classifier_menu(self) -> None:
        """One checkable entry per installed classifier (shipped and user-trained), from the cards."""
        from wbc_desktop.core.weights import registry
        from wbc_desktop.core.errors import ModelError

        c, menu = self.controller, self.actions_.classifier_menu
        menu.clear()
        group = QActionGroup(menu)
        for name in registry.list_names("classifier"):
            try:
                card = registry.read_card(name, "classifier")
            except ModelError:
                continue  # unreadable card: the model could not load either
            act = menu.addAction(f"{name}  ({registry.describe(card)})")
            acc = (card.get("test") or {}).get("accuracy")
            if acc is not None:
                act.setStatusTip(f"PBC test split accuracy {100 * float(acc):.1f}% (model card)")
            act.setCheckable(True)
            act.setChecked(name == c.settings.classifier)
            act.setData(name)
            act.triggered.connect(lambda _=False, n=name: c.set_classifier(n))
            group.addAction(act)
        menu.addSeparator()
        self.views_actions: dict[int, QAction] = {}
        views_menu = self.views_menu = menu.addMenu("Views per cell")
        views_group = QActionGroup(views_menu)
        for views, text, tip in VIEWS_CHOICES:
            act = views_menu.addAction(text)
            act.setStatusTip(tip)
            act.setCheckable(True)
            act.setChecked(views == c.settings.views)
            act.triggered.connect(lambda _=False, v=views: c.set_views(v))
            views_group.addAction(act)
            self.views_actions[views] = act

    def _about(self) -> None:
        from wbc_desktop.gui.about import AboutDialog

        AboutDialog(self).exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.runner.cancel()
        self.retrainer.shutdown()
        self.controller.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.controller.runner.shutdown()
        super().closeEvent(event)
