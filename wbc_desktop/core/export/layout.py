"""Every file and folder name of ``wbc-desktop analyze``'s output folder, spelled here only.

``masks/<stem>.png`` (0/128/255, or ``.tif`` for a whole slide), ``overlays/<stem>.png``, and the
three tables of :mod:`~.tables`. A project folder has its own names (``project.layout``); its
``cells.csv`` has other columns.
"""

from __future__ import annotations

MASKS_DIR = "masks"  #: the class map per image, 0 background, 128 cytoplasm, 255 nucleus
OVERLAYS_DIR = "overlays"  #: the image with contours and boxes drawn on it
CELLS_TABLE = "cells.csv"  #: one row per cell, final type (``EXPORT_CELL_COLUMNS``)
IMAGES_TABLE = "images.csv"  #: how each image was read
SUMMARY_TABLE = "summary.csv"  #: the differential per image and for the batch
PARTIAL_SUFFIX = ".partial"  #: summary.csv while a batch runs (it needs the batch total last)


def mask_file(stem: str, suffix: str = ".png") -> str:
    """The mask's path relative to the output folder (posix)."""
    return f"{MASKS_DIR}/{stem}{suffix}"


def overlay_file(stem: str) -> str:
    """The overlay's path relative to the output folder (posix)."""
    return f"{OVERLAYS_DIR}/{stem}.png"
