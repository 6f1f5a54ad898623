"""Typed access to the persistent settings (QSettings), so no panel parses strings itself."""

from __future__ import annotations

import getpass
from typing import Optional

from PySide6.QtCore import QByteArray, QSettings

from wbc_desktop.core.cells.views import VIEWS

from wbc_desktop.gui.palette import DEFAULT_CYTOPLASM, DEFAULT_NUCLEUS

MAX_RECENT = 10


def _bool(v: object, default: bool) -> bool:
    if v is None:
        return default
    if isinstance(v, bool):
        return v
    return str(v).lower() in ("1", "true", "yes")


class AppSettings:
    """Settings that survive a restart: device, overlay look, threshold, recent files, layout.

    Parameters
    ----------
    qsettings
        Injected so tests use a throw-away INI file instead of the user's real settings.
    """

    def __init__(self, qsettings: Optional[QSettings] = None) -> None:
        self.q = qsettings if qsettings is not None else QSettings("wbc-desktop", "WBC Desktop")

    def _get(self, key: str, default):
        return self.q.value(key, default)

    # analysis
    @property
    def device(self) -> str:
        return str(self._get("analysis/device", "auto"))

    @device.setter
    def device(self, v: str) -> None:
        self.q.setValue("analysis/device", v)

    @property
    def classifier(self) -> str:
        """Name of the cell-type model (a shipped or user model; see core.weights.registry)."""
        return str(self._get("analysis/classifier", "default")) or "default"

    @classifier.setter
    def classifier(self, v: str) -> None:
        self.q.setValue("analysis/classifier", v)

    @property
    def segmenter(self) -> str:
        """Name or folder of the segmentation model (a retrained version's folder once accepted)."""
        return str(self._get("analysis/segmenter", "default")) or "default"

    @segmenter.setter
    def segmenter(self, v: str) -> None:
        self.q.setValue("analysis/segmenter", v)

    @property
    def views(self) -> int:
        """Rotated views per cell: 0 the model card's policy (default), or 1, 2, 4 for every cell."""
        v = self._get("analysis/views", 0)
        try:
            v = int(v)
        except (TypeError, ValueError):
            return 0
        return v if v == 0 or v in VIEWS else 0

    @views.setter
    def views(self, v: int) -> None:
        self.q.setValue("analysis/views", int(v))

    @property
    def pixel_size(self) -> float:
        """Micrometres per pixel for every image analysed (0: from the file, else measured)."""
        try:
            v = float(self._get("analysis/pixel_size_um", 0.0))
        except (TypeError, ValueError):
            return 0.0
        return v if 0.0 < v <= 10.0 else 0.0

    @pixel_size.setter
    def pixel_size(self, v: float) -> None:
        self.q.setValue("analysis/pixel_size_um", float(v))

    @property
    def threshold(self) -> float:
        """0 means: keep the classifier's own threshold."""
        return float(self._get("analysis/threshold", 0.0))

    @threshold.setter
    def threshold(self, v: float) -> None:
        self.q.setValue("analysis/threshold", float(v))

    @property
    def include_border(self) -> bool:
        return _bool(self._get("analysis/include_border", False), False)

    @include_border.setter
    def include_border(self, v: bool) -> None:
        self.q.setValue("analysis/include_border", bool(v))

    # overlay
    def overlay(self) -> dict:
        return {
            "nucleus": str(self._get("overlay/nucleus", DEFAULT_NUCLEUS)),
            "cytoplasm": str(self._get("overlay/cytoplasm", DEFAULT_CYTOPLASM)),
            "opacity": float(self._get("overlay/opacity", 0.35)),
            "fill": _bool(self._get("overlay/fill", True), True),
            "outline": _bool(self._get("overlay/outline", True), True),
            "boxes": _bool(self._get("overlay/boxes", True), True),
        }

    def set_overlay(self, **values) -> None:
        for k, v in values.items():
            self.q.setValue(f"overlay/{k}", v)

    # review
    @property
    def reviewer(self) -> str:
        try:
            default = getpass.getuser()
        except Exception:
            default = "reviewer"
        return str(self._get("review/name", default))

    @reviewer.setter
    def reviewer(self, v: str) -> None:
        self.q.setValue("review/name", v)

    # files
    def recent_files(self) -> list[str]:
        v = self._get("files/recent", [])
        if isinstance(v, str):
            v = [v]
        return [str(x) for x in (v or [])]

    def add_recent(self, path: str) -> None:
        items = [path] + [p for p in self.recent_files() if p != path]
        self.q.setValue("files/recent", items[:MAX_RECENT])

    def clear_recent(self) -> None:
        self.q.setValue("files/recent", [])

    @property
    def last_dir(self) -> str:
        return str(self._get("files/last_dir", ""))

    @last_dir.setter
    def last_dir(self, v: str) -> None:
        self.q.setValue("files/last_dir", v)

    @property
    def first_run(self) -> bool:
        return not _bool(self._get("app/ran_before", False), False)

    def mark_ran(self) -> None:
        self.q.setValue("app/ran_before", True)

    # window layout
    def window_state(self) -> tuple[Optional[QByteArray], Optional[QByteArray]]:
        return self._get("window/geometry", None), self._get("window/state", None)

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)

    def sync(self) -> None:
        self.q.sync()
