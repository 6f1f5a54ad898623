"""The PDF report's page flow: wrapped text, images, tables and boxes down A4 pages, never past the footer.

Why apart from :mod:`report`: the report says *what* goes on a page; this says *where*, and
guarantees what a chart needs from paper: nothing clipped (a block that does not fit starts a new
page), a footer on every page with the page number, and text wrapped to the width.
"""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPdfWriter

FOOTER_H = 22.0  # points kept free at the bottom of every page for the footer


def font(size: float, bold: bool = False) -> QFont:
    f = QFont("Helvetica")
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


class Flow:
    """A cursor down the pages of a QPdfWriter, in points (the writer's resolution is 72 dpi)."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, width: float, height: float,
                 on_new_page: Callable[["Flow"], None] = lambda f: None) -> None:
        self.writer, self.p, self.w, self.h = writer, painter, width, height
        self.y = 0.0
        self.page = 1
        self.on_new_page = on_new_page
        self.footer_text, self.total = "", 0  # the footer drawn on each page as it is left (total: pages, 0 unknown)

    @property
    def bottom(self) -> float:
        """The lowest y content may reach: the footer's band stays free."""
        return self.h - FOOTER_H

    def left(self) -> float:
        return self.bottom - self.y

    def new_page(self) -> None:
        self.footer()
        self.writer.newPage()
        self.page += 1
        self.y = 0.0
        self.on_new_page(self)

    def need(self, h: float) -> None:
        """Room for ``h`` points on this page, else a new page (a block is never split by the footer)."""
        if self.y + h > self.bottom and self.y > 0:
            self.new_page()

    def metrics(self, size: float, bold: bool = False) -> QFontMetricsF:
        """At the writer's resolution (72 dpi: points), not the screen's, so heights are what is drawn."""
        return QFontMetricsF(font(size, bold), self.writer)

    def text_height(self, s: str, size: float = 10, bold: bool = False, width: float | None = None) -> float:
        m = self.metrics(size, bold)
        r = m.boundingRect(QRectF(0, 0, width or self.w, 10_000), int(Qt.TextFlag.TextWordWrap), s)
        return max(r.height(), m.height())

    def text(self, s: str, size: float = 10, bold: bool = False, gap: float = 4, colour: str = "black",
             x: float = 0.0, width: float | None = None) -> None:
        """Wrapped to the width; moved whole to the next page when it would reach the footer."""
        w = width or (self.w - x)
        h = self.text_height(s, size, bold, w)
        self.need(h)
        self.p.setFont(font(size, bold))
        self.p.setPen(QColor(colour))
        self.p.drawText(QRectF(x, self.y, w, h), int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), s)
        self.p.setPen(QColor("black"))
        self.y += h + gap

    def image(self, img: QImage, max_h: float) -> None:
        """Scaled to the text width and ``max_h`` (and what is left of the page); small crops at most 2x."""
        max_h = max(120.0, min(max_h, self.left() - 10))
        scale = min(self.w / img.width(), max_h / img.height(), 2.0)
        self.need(img.height() * scale)
        r = QRectF(0, self.y, img.width() * scale, img.height() * scale)
        self.p.drawImage(r, img)
        self.y += r.height() + 10

    def grid(self, pairs: Sequence[tuple[str, str]], columns: int = 2, size: float = 9.5) -> None:
        """Label: value pairs in columns; an empty value is a line to fill in by hand."""
        col_w = self.w / columns
        rows = [pairs[i:i + columns] for i in range(0, len(pairs), columns)]
        for row in rows:
            kws = [self.metrics(size, True).horizontalAdvance(f"{k}: ") for k, _ in row]
            h = max(self.text_height(v or "x", size, width=col_w - kw - 8) for (_, v), kw in zip(row, kws)) + 3
            self.need(h)
            for j, (k, v) in enumerate(row):
                x = j * col_w
                self.p.setFont(font(size, True))
                self.p.drawText(QRectF(x, self.y, col_w, h), int(Qt.AlignmentFlag.AlignLeft), f"{k}:")
                kw = kws[j]
                if v.strip():
                    self.p.setFont(font(size))
                    self.p.drawText(QRectF(x + kw, self.y, col_w - kw - 8, h),
                                    int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), v)
                else:
                    self.p.setPen(QColor("#999999"))
                    base = self.y + self.metrics(size).ascent() + 2
                    self.p.drawLine(QPointF(x + kw, base), QPointF(x + col_w - 10, base))
                    self.p.setPen(QColor("black"))
            self.y += h
        self.y += 6

    def table(self, rows: list[list[str]], widths: list[float], colours: list = ()) -> None:
        self.need(15 * min(len(rows), 4) + 2)
        for i, row in enumerate(rows):
            self.need(15)
            self.p.setFont(font(9.5, i == 0 or row[0] == "Total"))
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

    def box_height(self, title: str, lines: Sequence[str], pad: float = 6.0) -> float:
        inner = self.w - 2 * pad
        return self.text_height(title, 10, True, inner) + 4 + sum(self.text_height(f"•  {t}", 9.5, False, inner) + 2
                                                                 for t in lines) + 2 * pad

    def box(self, title: str, lines: Sequence[str], fill: str = "#fff4d6", border: str = "#c9a227") -> None:
        """A shaded block (the caveats): title and bullet lines, kept on one page."""
        pad = 6.0
        inner = self.w - 2 * pad
        items = [f"•  {t}" for t in lines]
        h = self.box_height(title, lines, pad)
        self.need(h)
        self.p.setPen(QColor(border))
        self.p.setBrush(QColor(fill))
        self.p.drawRect(QRectF(0, self.y, self.w, h))
        self.p.setBrush(Qt.BrushStyle.NoBrush)
        y0 = self.y
        self.y += pad
        self.text(title, 10, True, 4, "#4a3b00", x=pad, width=inner)
        for t in items:
            self.text(t, 9.5, False, 2, "#4a3b00", x=pad, width=inner)
        self.y = y0 + h + 8

    def footer(self) -> None:
        """The page's footer inside the printable area (never clipped): ``text · page n of total``."""
        text, total = self.footer_text, self.total
        self.p.setFont(font(8))
        self.p.setPen(QColor("#555555"))
        self.p.drawLine(QPointF(0, self.h - FOOTER_H + 6), QPointF(self.w, self.h - FOOTER_H + 6))
        self.p.drawText(QRectF(0, self.h - FOOTER_H + 8, self.w, FOOTER_H - 8),
                        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        self.p.drawText(QRectF(0, self.h - FOOTER_H + 8, self.w, FOOTER_H - 8),
                        int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                        f"page {self.page} of {total}" if total else f"page {self.page}")
        self.p.setPen(QColor("black"))
