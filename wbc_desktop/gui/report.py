"""Exports: CSV through core.export, and a PDF report (overlay image + differential per image).

The PDF is drawn with QPdfWriter/QPainter (in PySide6-Essentials, no extra dependency); CSV
reuses the core writers so the GUI and the CLI produce identical tables.
"""

from __future__ import annotations

from wbc_desktop.core.weights.labels import version_label

import time
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from wbc_desktop import __version__
from wbc_desktop.core.export.differential import NOT_WBC
from wbc_desktop.core.export.tables import summary_rows, write_cells_csv, write_summary_csv
from wbc_desktop.core.io.atomic import atomic_write_bytes

from wbc_desktop.gui.palette import display_name, type_color
from wbc_desktop.gui.viewer.boxes import cell_label
from wbc_desktop.gui.viewer.overlay import OverlayStyle, styled_classes


def export_csv(entries: Sequence, path: Path, include_border: bool = False) -> tuple[Path, Path]:
    """``path`` gets the differential (summary), ``<stem>-cells.csv`` beside it one row per cell."""
    analyses = [e.analysis for e in entries if e.analysis is not None]
    path = Path(path)
    cells = path.with_name(f"{path.stem}-cells.csv")
    write_summary_csv(analyses, path, include_border=include_border)
    write_cells_csv(analyses, cells)
    return path, cells


def overlay_image(entry, style: OverlayStyle) -> QImage:
    """The image with fill, outlines and labelled boxes burnt in, at full resolution.

    Drawn from the analysis as it is now (the person's corrected masks and types), not from the
    display data made when the image was analysed; labels stay inside the picture."""
    from wbc_desktop.gui.viewer.prepare import _path, indexed
    from wbc_desktop.gui.viewer.contours import cell_outlines_by_cell

    d = entry.display
    img = d.image.convertToFormat(QImage.Format.Format_ARGB32)
    a = entry.analysis
    if a is None:
        return img
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if style.fill:
        p.drawImage(0, 0, styled_classes(indexed(a.class_map), style))
    width = max(1.0, img.width() / 600)
    if style.outline:
        outlines = cell_outlines_by_cell(a.class_map, a.instances, a.cells)
        for part, colour in (("cell", style.cytoplasm), ("nucleus", style.nucleus)):
            p.setPen(QPen(QColor(colour), width))
            for parts in outlines.values():
                p.drawPath(_path(parts[part]))
    font = QFont()
    font.setPixelSize(max(10, int(img.width() / 55)))
    p.setFont(font)
    metrics = QFontMetricsF(font)
    for c in a.cells:
        x0, y0, x1, y1 = c.bbox
        p.setPen(QPen(type_color(c.final_type), width * 1.5))
        p.drawRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        label = cell_label(c)
        tx = max(0.0, min(float(x0), img.width() - metrics.horizontalAdvance(label) - 2))
        p.drawText(QPointF(tx, max(font.pixelSize(), y0 - 3)), label)
    p.end()
    return img


class _Page:
    """A cursor down an A4 page in points, so drawing code reads like a document."""

    def __init__(self, painter: QPainter, width: float) -> None:
        self.p, self.w, self.y = painter, width, 0.0

    def text(self, s: str, size: float = 10, bold: bool = False, gap: float = 4) -> None:
        f = QFont("Helvetica")
        f.setPointSizeF(size)
        f.setBold(bold)
        self.p.setFont(f)
        h = size * 1.5
        self.p.drawText(QRectF(0, self.y, self.w, h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, s)
        self.y += h + gap

    def image(self, img: QImage, max_h: float) -> None:
        """Scaled to fit the text width and ``max_h``; a small crop is enlarged at most twice."""
        scale = min(self.w / img.width(), max_h / img.height(), 2.0)
        r = QRectF(0, self.y, img.width() * scale, img.height() * scale)
        self.p.drawImage(r, img)
        self.y += r.height() + 10

    def table(self, rows: list[list[str]], widths: list[float], colours: list = ()) -> None:
        f = QFont("Helvetica")
        f.setPointSizeF(9.5)
        for i, row in enumerate(rows):
            f.setBold(i == 0 or row[0] == "Total")
            self.p.setFont(f)
            x = 0.0
            for j, (v, w) in enumerate(zip(row, widths)):
                colour = colours[i] if (j == 0 and i < len(colours) and colours[i] is not None) else QColor("black")
                self.p.setPen(colour)
                align = Qt.AlignmentFlag.AlignLeft if j == 0 else Qt.AlignmentFlag.AlignRight
                self.p.drawText(QRectF(x, self.y, w, 15), align | Qt.AlignmentFlag.AlignVCenter, v)
                x += w
            self.y += 15
            if i == 0:
                self.p.setPen(QColor("#888888"))
                self.p.drawLine(QPointF(0, self.y), QPointF(sum(widths), self.y))
                self.y += 2
        self.p.setPen(QColor("black"))
        self.y += 8


def _count_table(rows: list[dict]) -> tuple[list[list[str]], list]:
    table = [["Cell type", "Count", "%"]]
    colours: list = [None]
    wbc = [r for r in rows if r["cell_type"] not in NOT_WBC]
    for r in wbc:
        table.append([display_name(r["cell_type"]), str(r["count"]), r["percent"]])
        colours.append(type_color(r["cell_type"]))
    total = sum(int(r["count"]) for r in wbc)
    table.append(["Total", str(total), "100.0" if total else "0"])  # the WBC differential
    colours.append(None)
    for r in rows:
        if r["cell_type"] in NOT_WBC:
            table.append([display_name(r["cell_type"]) + " (per 100 WBC)", str(r["count"]), r["percent"]])
            colours.append(type_color(r["cell_type"]))
    return table, colours


def export_pdf(entries: Sequence, path: Path, style: OverlayStyle, include_border: bool = False) -> Path:
    """One page per analysed image (overlay + counts + signature), then the batch differential."""
    done = [e for e in entries if e.analysis is not None and e.display is not None]
    tmp = Path(path).with_name(f".{Path(path).name}.tmp")
    writer = QPdfWriter(str(tmp))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(72)  # 1 unit = 1 point: readable layout arithmetic
    writer.setTitle("WBC differential report")
    writer.setCreator(f"WBC Desktop {__version__}")
    p = QPainter(writer)
    # The text width in points from the page layout itself: writer.width() is in device pixels,
    # whose size depends on when the resolution took effect; the layout's paint rect does not.
    width = writer.pageLayout().paintRect(QPageLayout.Unit.Point).width()
    stamp = time.strftime("%Y-%m-%d %H:%M")
    by_image = {}
    for r in summary_rows([e.analysis for e in done], include_border):
        by_image.setdefault(r["image"], []).append(r)
    for i, e in enumerate(done):
        if i:
            writer.newPage()
        pg = _Page(p, width)
        pg.text("White blood cell differential", 16, bold=True)
        pg.text(f"{e.name}   ·   {stamp}   ·   WBC Desktop {__version__}", 9)
        models = ", ".join(f"{k} {m.get('name', '?')} {version_label(m.get('version'))}" for k, m in e.analysis.models.items())
        pg.text(f"Device {e.analysis.device}   ·   {models or 'no model information'}", 9)
        pg.image(overlay_image(e, style), 420)
        table, colours = _count_table(by_image.get(e.analysis.image_name, []))
        pg.table(table, [200, 70, 70], colours)
        if e.signed:
            pg.text(f"Reviewed and signed by {e.review.signed_by} on {e.review.signed_at}", 10, bold=True)
        else:
            pg.text("Not signed: automated result, not reviewed by a person.", 10)
        reviewed = sum(1 for c in e.analysis.cells if c.reviewed_type)
        edited = bool(e.review is not None and e.review.mask_version) or getattr(e, "corrected", False)
        pg.text(f"{len(e.analysis.cells)} cells found; {reviewed} reclassified by the reviewer; "
                + ("masks corrected by the reviewer (shown as corrected); " if edited else "")
                + f"cells cut by the border {'counted' if include_border else 'not counted'}.", 9)
    writer.newPage()
    pg = _Page(p, width)
    pg.text(f"Batch differential ({len(done)} image(s))", 16, bold=True)
    table, colours = _count_table(by_image.get("ALL", []))
    pg.table(table, [200, 70, 70], colours)
    p.end()
    atomic_write_bytes(path, tmp.read_bytes())
    tmp.unlink(missing_ok=True)
    return Path(path)
