"""Drag and drop of files and folders onto any part of the window."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject


class FileDropFilter(QObject):
    """An event filter: local file URLs dropped on the watched widget go to ``open_fn``."""

    def __init__(self, open_fn: Callable[[list[str]], None], parent: QObject) -> None:
        super().__init__(parent)
        self.open_fn = open_fn

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        t = event.type()
        if t in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and event.mimeData().hasUrls():
            event.acceptProposedAction()
            return True
        if t == QEvent.Type.Drop and event.mimeData().hasUrls():
            paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
            event.acceptProposedAction()
            if paths:
                self.open_fn(paths)
            return True
        return False
