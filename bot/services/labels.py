"""A sheet of QR stickers for the devices: scan one with a phone and Telegram opens a report for it.

Office staff rarely know an asset number; the sticker on the device does. Each label carries a QR code
of the device's deep link (`bot.domain.deep_link`), the asset number large, the model, the site, the
help desk's name and "scan to report a fault", in the deployment's language. The QR code is drawn as
vector squares (segno makes the matrix), so it prints sharp at any size; reportlab lays out the A4
sheet and embeds (a subset of) the Chinese TrueType font the help desk ships (bot/fonts), so the
sticker prints the same on any machine. Both libraries are imported on first use: the bot never loads
them for a chat reply.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from bot.domain.assets import Asset
from bot.domain.deep_link import link_for
from bot.fonts import CJK_TTF
from bot.messages import t
from bot.texts import render


@dataclass(frozen=True)
class Layout:
    """Common A4 sticker sheets (columns × rows of labels w × h mm, the sheet centred on the page)."""

    columns: int
    rows: int
    width_mm: float
    height_mm: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


LAYOUTS = {
    "3x8": Layout(3, 8, 70.0, 37.0),  # 24 a sheet, 70 × 37 mm (e.g. Avery 3475, Herma 4453)
    "2x5": Layout(2, 5, 105.0, 57.0),  # 10 a sheet, 105 × 57 mm (e.g. Avery 3425)
}
A4_MM = (210.0, 297.0)
EMBEDDED_CJK = "HelpdeskCJK"
LATIN_FONT, LATIN_BOLD = "Helvetica", "Helvetica-Bold"
QUIET_MODULES = 2
"""White modules around the code: less than the standard 4, as the label's own margin adds to it."""


def labels_pdf(assets: Sequence[Asset], *, bot_username: str, desk_name: str, layout: Layout, lang: str) -> bytes:
    """The sheets, one label per asset in the order given; an empty list gives no pages (the caller refuses)."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    cjk = cjk_font()
    buffer = io.BytesIO()
    page_w, page_h = A4_MM[0] * mm, A4_MM[1] * mm
    canvas = Canvas(buffer, pagesize=(page_w, page_h), invariant=True)
    canvas.setTitle(render(t("sticker.labels_title", name=desk_name), lang, UTC))
    cell_w, cell_h = layout.width_mm * mm, layout.height_mm * mm
    left = (page_w - layout.columns * cell_w) / 2
    top = page_h - (page_h - layout.rows * cell_h) / 2
    for n, asset in enumerate(assets):
        slot = n % layout.per_sheet
        if n and slot == 0:
            canvas.showPage()
        row, column = divmod(slot, layout.columns)
        x, y = left + column * cell_w, top - (row + 1) * cell_h
        _label(canvas, asset, x, y, cell_w, cell_h, link_for(bot_username, asset.asset_no), desk_name, lang, mm,
               cjk)
    canvas.save()
    return buffer.getvalue()


def _label(canvas: Any, asset: Asset, x: float, y: float, w: float, h: float, link: str, desk_name: str,
           lang: str, mm: float, cjk: str) -> None:
    import segno

    pad = 3 * mm
    side = h - 2 * pad
    matrix = segno.make(link, error="m", micro=False).matrix
    modules = len(matrix) + 2 * QUIET_MODULES
    unit = side / modules
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()  # one path of the dark runs of each row: a fraction of the operators
    for r, line in enumerate(matrix):
        c = 0
        while c < len(line):
            if not line[c]:
                c += 1
                continue
            run = c
            while run < len(line) and line[run]:
                run += 1
            path.rect(x + pad + (c + QUIET_MODULES) * unit, y + pad + side - (r + QUIET_MODULES + 1) * unit,
                      (run - c) * unit, unit)
            c = run
    canvas.drawPath(path, stroke=0, fill=1)
    text_x = x + pad + side + 2 * mm
    room = x + w - pad - text_x
    lines = [
        (desk_name, 7, False),
        (asset.asset_no, 13 if h > 40 * mm else 11, True),
        (f"{asset.brand} {asset.model}".strip() or render(t(f"device.{asset.device_type}"), lang, UTC), 8, False),
        (asset.site, 8, False),
        (render(t("sticker.labels_scan"), lang, UTC), 7, False),
    ]
    line_y = y + h - pad
    for text, size, bold in lines:
        if not text:
            continue
        line_y -= size  # each line's baseline a line's height below the last (the number is taller)
        font = _font(text, bold, cjk)
        canvas.setFont(font, size)
        canvas.drawString(text_x, line_y, _fit(canvas, text, font, size, room))
        line_y -= 3


def _font(text: str, bold: bool, cjk: str) -> str:
    """Helvetica for Latin text (bold for the number); the Chinese font for anything it cannot show."""
    if all(ord(ch) < 0x250 for ch in text):
        return LATIN_BOLD if bold else LATIN_FONT
    return cjk


def cjk_font() -> str:
    """The Chinese font registered with reportlab: the subset of Noto Sans CJK SC in bot/fonts, the same
    on every machine, so a sticker printed anywhere looks the same (and needs no system font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if EMBEDDED_CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(EMBEDDED_CJK, str(CJK_TTF)))
    return EMBEDDED_CJK


def _fit(canvas: Any, text: str, font: str, size: float, room: float) -> str:
    """Cut with an ellipsis where the label ends (a long model name must not run off the sticker)."""
    if canvas.stringWidth(text, font, size) <= room:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text + "…"
