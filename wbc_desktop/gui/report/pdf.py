"""Exports: CSV through core.export, and a PDF report (overlay image + differential per image).

The PDF is drawn with QPdfWriter/QPainter (in PySide6-Essentials, no extra dependency); CSV
reuses the core writers so the GUI and the CLI produce identical tables.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional, Sequence

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from wbc_desktop import __version__
from wbc_desktop.core.export.differential import NOT_WBC
from wbc_desktop.core.export.tables import summary_rows, write_cells_csv, write_summary_csv
from wbc_desktop.core.review.caveats import caveats, is_counted, lines, plural
from wbc_desktop.core.review.sample_info import SampleInfo
from wbc_desktop.core.weights.labels import version_label
from wbc_desktop.core.io.atomic import atomic_write_bytes

from wbc_desktop.gui.palette import display_name, type_color
from wbc_desktop.gui.report.layout import Flow
from wbc_desktop.gui.units import area_text, scale_note
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
        colour = type_color(c.final_type)
        p.setPen(QPen(colour, width * 1.5))
        p.drawRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        label = cell_label(c)
        tw, th = metrics.horizontalAdvance(label) + 6, metrics.height() + 2
        tx = max(0.0, min(float(x0), img.width() - tw))
        ty = y0 - th - 1 if y0 - th - 1 >= 0 else min(float(y1) + 1, img.height() - th)  # above, else below
        # a solid label in the type's colour, dark or white text by its lightness: legible on any stain
        p.fillRect(QRectF(tx, ty, tw, th), colour)
        p.setPen(QColor("black") if colour.lightnessF() > 0.55 else QColor("white"))
        p.drawText(QRectF(tx, ty, tw, th), int(Qt.AlignmentFlag.AlignCenter), label)
    p.end()
    return img


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


def _sizes_line(e, include_border: bool) -> str:
    """Sizes in µm when the pixel size is known, else pixels and why."""
    cells = [c for c in e.analysis.cells if is_counted(c, include_border)]
    um = getattr(e, "um", None)
    note = scale_note(e.analysis, um)
    if not cells:
        return f"Sizes: {note}." if note else ""
    area = sum(c.area_px for c in cells) / len(cells)
    nc = sum(c.nc_ratio for c in cells) / len(cells)
    return f"Mean cell area {area_text(round(area), um)}, mean N:C {nc:.2f} ({note})."


def _render(writer: QPdfWriter, done: list, overlays: dict, sample: Optional[SampleInfo], include_border: bool,
            total: int) -> int:
    """Draw every page; returns the number of pages (a first pass with ``total=0`` counts them)."""
    p = QPainter(writer)
    # The text area in points from the page layout itself: writer.width() is in device pixels,
    # whose size depends on when the resolution took effect; the layout's paint rect does not.
    rect = writer.pageLayout().paintRect(QPageLayout.Unit.Point)
    flow = Flow(writer, p, rect.width(), rect.height())
    stamp = time.strftime("%Y-%m-%d %H:%M")
    flow.footer_text, flow.total = f"WBC Desktop {__version__} · report made {stamp}" + (
        f" · {sample.sample_id}" if sample is not None and sample.sample_id else ""), total
    by_image: dict = {}
    for r in summary_rows([e.analysis for e in done], include_border):
        by_image.setdefault(r["image"], []).append(r)
    pairs = (sample or SampleInfo()).items()
    for i, e in enumerate(done):
        if i:
            flow.new_page()
        a = e.analysis
        flow.text("White blood cell differential", 16, bold=True)
        flow.text(f"Field: {e.name}", 10)
        flow.grid(pairs)
        table, colours = _count_table(by_image.get(a.image_name, []))
        cav = lines(caveats([a], include_border), include_border)
        after = [(f"Reviewed and signed by {e.review.signed_by} on {e.review.signed_at}", 10, True, "black")
                 if e.signed else ("Not signed: automated result, not reviewed by a person.", 10, True, "#a33")]
        n, reviewed = len(a.cells), sum(1 for c in a.cells if c.reviewed_type)
        edited = bool(e.review is not None and e.review.mask_version) or getattr(e, "corrected", False)
        tail = [(f"{plural(n, 'cell')} found; {plural(reviewed, 'cell')} reclassified by the reviewer; "
                 + ("masks corrected by the reviewer (shown as corrected); " if edited else "")
                 + f"cells cut by the border {'counted' if include_border else 'not counted'}.", 9, False, "black")]
        sizes = _sizes_line(e, include_border)
        if sizes:
            tail.append((sizes, 9, False, "black"))
        models = ", ".join(f"{k} {m.get('name', '?')} {version_label(m.get('version'))}" for k, m in a.models.items())
        tail.append((f"Device {a.device} · {models or 'no model information'}", 8, False, "#555555"))
        # what follows the picture must fit under it on this page: the picture gives way
        below = (17 * len(table) + 10 + (flow.box_height("This count rests on:", cav) + 8 if cav else 0)
                 + sum(flow.text_height(t, size, bold) + 4 for t, size, bold, _ in after + tail))
        flow.image(overlays[id(e)], min(400.0, flow.left() - below - 10))
        flow.table(table, [200, 70, 70], colours)
        for t, size, bold, colour in after:
            flow.text(t, size, bold, colour=colour)
        if cav:
            flow.box("This count rests on:", cav)
        for t, size, bold, colour in tail:
            flow.text(t, size, bold, colour=colour)
    flow.new_page()
    flow.text(f"Batch differential ({plural(len(done), 'image')})", 16, bold=True)
    flow.grid(pairs)
    table, colours = _count_table(by_image.get("ALL", []))
    flow.table(table, [200, 70, 70], colours)
    cav = lines(caveats([e.analysis for e in done], include_border), include_border)
    if cav:
        flow.box("This count rests on:", cav)
    signed = sum(1 for e in done if e.signed)
    flow.text(f"{signed} of {plural(len(done), 'image')} signed by a reviewer"
              + (f" ({', '.join(sorted({e.review.signed_by for e in done if e.signed}))})." if signed else "."), 10,
              bold=True)
    flow.footer()
    p.end()
    return flow.page


def export_pdf(entries: Sequence, path: Path, style: OverlayStyle, include_border: bool = False,
               sample: Optional[SampleInfo] = None) -> Path:
    """One page per analysed image (sample details, overlay, counts, caveats, sizes, signature), then the
    batch; laid out twice, the first time only to count the pages for "page n of N"."""
    done = [e for e in entries if e.analysis is not None and e.display is not None]
    overlays = {id(e): overlay_image(e, style) for e in done}

    def writer_for(target) -> QPdfWriter:
        w = QPdfWriter(target)
        w.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                    QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
        w.setResolution(72)  # 1 unit = 1 point: readable layout arithmetic
        w.setTitle("WBC differential report")
        w.setCreator(f"WBC Desktop {__version__}")
        return w

    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    total = _render(writer_for(buf), done, overlays, sample, include_border, 0)
    tmp = Path(path).with_name(f".{Path(path).name}.tmp")
    _render(writer_for(str(tmp)), done, overlays, sample, include_border, total)
    atomic_write_bytes(path, tmp.read_bytes())
    tmp.unlink(missing_ok=True)
    return Path(path)
