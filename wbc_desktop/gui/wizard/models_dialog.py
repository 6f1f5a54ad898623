"""Model versions of a project: list, activate, roll back, rename, delete, export, import.

A thin face over ``core.weights.versions.VersionStore`` (``store``): every check (a pickled, tampered
or truncated file; deleting a shipped model) is the store's, and its refusal is shown in one
line in the dialog. Activating or rolling back calls ``on_activated(store)``, which reloads the
analysis models in the model process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QMessageBox,
    QPushButton, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

KINDS = ("segmenter", "classifier")
SHIPPED = "(shipped model)"


def _score(card: dict, kind: str) -> str:
    """'0.654 → 0.927 held out; original 0.948 → 0.945' from a card's metrics, when it has them."""
    m = card.get("metrics") or {}
    m = m.get(kind, m) if isinstance(m, dict) else {}

    def f(v: Any) -> str:
        return "–" if v is None else (f"{100 * float(v):.1f}%" if kind == "classifier" else f"{float(v):.3f}")

    if not isinstance(m, dict) or "after" not in m:
        return ""
    text = f"{f(m.get('before'))} → {f(m.get('after'))} held out"
    if m.get("original_after") is not None:
        text += f"; original {f(m.get('original_before'))} → {f(m.get('original_after'))}"
    return text


def _trained_from(card: dict) -> str:
    """The version it was trained from: a version here, else the shipped model its card names as base."""
    if card.get("name") is None:
        return ""  # the shipped model itself
    if card.get("parent"):
        return str(card["parent"])
    base = str(card.get("base") or "")
    if base:
        return f"shipped {Path(base).name}"
    return "imported" if card.get("imported") else "unknown (card names no base)"


class ModelsDialog(QDialog):
    """One tab per model kind; the buttons act on the selected row (see the module docstring)."""

    changed = Signal()

    def __init__(self, store: Any, on_activated: Callable[[Any], None] = lambda s: None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model versions")
        self.store, self.on_activated = store, on_activated
        self.tables: dict[str, QTableWidget] = {}
        self.cards: dict[str, list[dict]] = {}
        self.tabs = QTabWidget()
        for kind in KINDS:
            t = QTableWidget(0, 5)
            t.setHorizontalHeaderLabels(["Version", "Active", "Trained from", "Created", "Figures"])
            t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
            t.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
            t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            t.verticalHeader().setVisible(False)
            t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            t.horizontalHeader().setStretchLastSection(True)
            self.tables[kind] = t
            self.tabs.addTab(t, kind.capitalize())
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, tip, fn in (
            ("activate", "Activate", "Analyse with the selected version", self.activate_selected),
            ("rollback", "Roll back", "Go back to the version the active one was trained from", self.roll_back),
            ("rename", "Rename…", "Give the selected version a label", self.rename_selected),
            ("delete", "Delete", "Delete the selected version (never a shipped model)", self.delete_selected),
            ("export", "Export…", "One .safetensors file with the card inside, to share", self.export_selected),
            ("import", "Import…", "A file exported by WBC Desktop (checked; never unpickled)", self.import_file),
        ):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False, fn=fn: fn())
            self.buttons[key] = b
            row.addWidget(b)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Versions in {getattr(store, 'root', '')}. New versions are active only once you "
                             "accept or activate them; the shipped models are never changed."))
        lay.addWidget(self.tabs, 1)
        lay.addLayout(row)
        lay.addWidget(self.message)
        lay.addWidget(close)
        self.resize(900, 480)
        self.refresh()

    # state
    def kind(self) -> str:
        return KINDS[self.tabs.currentIndex()]

    def refresh(self) -> None:
        for kind, t in self.tables.items():
            try:
                cards = list(self.store.list(kind))
            except Exception as e:  # noqa: BLE001 - shown, not raised
                cards = []
                self.say(f"Cannot list the {kind} versions: {e}", error=True)
            active = self.store.active(kind)
            rows = [{"name": None, "label": SHIPPED, "active": active is None}] + cards
            self.cards[kind] = rows
            t.setRowCount(len(rows))
            for r, card in enumerate(rows):
                name = card.get("name")
                label = card.get("label") or name or SHIPPED
                values = [label if label == name or name is None else f"{label}  ({name})",
                          "●" if card.get("active") or (name is not None and name == active) else "",
                          _trained_from(card), str(card.get("created") or ""), _score(card, kind)]
                for c, v in enumerate(values):
                    t.setItem(r, c, QTableWidgetItem(v))
        self.changed.emit()

    def select(self, kind: str, name: Optional[str]) -> None:
        self.tabs.setCurrentIndex(KINDS.index(kind))
        for r, card in enumerate(self.cards[kind]):
            if card.get("name") == name:
                self.tables[kind].selectRow(r)
                return

    def selected(self) -> Optional[dict]:
        rows = self.tables[self.kind()].selectionModel().selectedRows()
        return self.cards[self.kind()][rows[0].row()] if rows else None

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b02020; font-weight: bold;" if error else "")
        self.message.setText(text)

    def _do(self, fn: Callable[[], Any], done: str) -> bool:
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every refusal is shown, never raised
            self.say(str(e).strip() or type(e).__name__, error=True)
            return False
        self.say(done)
        self.refresh()
        return True

    # commands
    def activate_selected(self) -> None:
        card = self.selected()
        if card is None:
            self.say("Select a version first.", error=True)
            return
        self.activate(self.kind(), card.get("name"))

    def activate(self, kind: str, name: Optional[str]) -> None:
        if self._do(lambda: self.store.activate(kind, name), f"{kind}: {name or 'the shipped model'} is active; "
                    "the models are reloading."):
            self.on_activated(self.store)

    def roll_back(self) -> None:
        kind = self.kind()
        if self.store.active(kind) is None:
            self.say(f"The {kind} is already the shipped model.", error=True)
            return
        target: list = []
        if self._do(lambda: target.append(self.store.rollback(kind)), f"{kind}: rolled back; the models are reloading."):
            self.say(f"{kind}: rolled back to {target[0] or 'the shipped model'}; the models are reloading.")
            self.on_activated(self.store)

    def rename_selected(self, new_label: Optional[str] = None) -> None:
        card = self.selected()
        if card is None or card.get("name") is None:
            self.say("Select a retrained version to rename (shipped models keep their names).", error=True)
            return
        if new_label is None:
            new_label, ok = QInputDialog.getText(self, "Rename version", "Label:", text=card.get("label") or "")
            if not ok:
                return
        kind, name = self.kind(), card["name"]
        self._do(lambda: self.store.rename(kind, name, new_label.strip()), f"Renamed to {new_label.strip()}.")

    def delete_selected(self, confirm: bool = True) -> None:
        card = self.selected()
        if card is None or card.get("name") is None:
            self.say("Select a retrained version to delete (shipped models cannot be deleted).", error=True)
            return
        kind, name = self.kind(), card["name"]
        if confirm and QMessageBox.question(self, "Delete version", f"Delete {kind} version {name}?") \
                != QMessageBox.StandardButton.Yes:
            return
        was_active = self.store.active(kind) == name
        if self._do(lambda: self.store.delete(kind, name), f"Deleted {name}.") and was_active:
            self.on_activated(self.store)

    def export_selected(self, dest: Optional[Path] = None) -> None:
        card = self.selected()
        if card is None or card.get("name") is None:
            self.say("Select a retrained version to export.", error=True)
            return
        kind, name = self.kind(), card["name"]
        if dest is None:
            out, _ = QFileDialog.getSaveFileName(self, "Export model", f"{kind}-{name}.safetensors",
                                                 "Model (*.safetensors)")
            if not out:
                return
            dest = Path(out)
        self._do(lambda: self.store.export(kind, name, Path(dest)), f"Exported to {dest}.")

    def import_file(self, src: Optional[Path] = None) -> Optional[str]:
        kind = self.kind()
        if src is None:
            name, _ = QFileDialog.getOpenFileName(self, f"Import a {kind}", "", "Model (*.safetensors);;All files (*)")
            if not name:
                return None
            src = Path(name)
        new: list[str] = []
        if self._do(lambda: new.append(self.store.import_file(kind, Path(src))),
                    f"Imported {Path(src).name} as a new {kind} version (not active; select it and Activate)."):
            self.select(kind, new[0])
            return new[0]
        return None
