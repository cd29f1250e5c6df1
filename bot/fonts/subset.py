"""Remake the shipped Chinese font: `python -m bot.fonts.subset NotoSansCJKsc-Regular.otf`.

Cuts the full font (e.g. from the mplfonts package, or Google's Noto CJK release) to the characters a
help desk's charts and stickers show (GB 2312, Latin, punctuation, symbols, full-width forms, and every
character of the bot's texts), then converts the CFF outlines to TrueType (fontTools' cu2qu), which
reportlab needs to embed it. Run by hand when the texts gain characters outside GB 2312.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from bot.fonts import CJK_TTF

RANGES = ((0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x206F), (0x2190, 0x2200), (0x2200, 0x2300), (0x2460, 0x2500),
          (0x2500, 0x2580), (0x25A0, 0x2600), (0x3000, 0x3040), (0xFF00, 0xFFF0))


def characters() -> str:
    found: set[str] = set()
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                found.add(bytes([first, second]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for start, end in RANGES:
        found.update(chr(code) for code in range(start, end))
    for path in Path(__file__).resolve().parents[1].rglob("*.py"):  # the bot's own texts
        found.update(ch for ch in path.read_text(encoding="utf-8") if ord(ch) > 0x7F)
    return "".join(sorted(found))


def subset(source: Path, target: Path = CJK_TTF) -> None:
    from fontTools import subset as ft_subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    options = ft_subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    font = ft_subset.load_font(str(source), options)
    cutter = ft_subset.Subsetter(options)
    cutter.populate(text=characters())
    cutter.subset(font)
    buffer = io.BytesIO()  # saved and read back: the outlines are converted from the compiled subset
    font.save(buffer)
    buffer.seek(0)
    font = TTFont(buffer)
    if "CFF " in font:  # TrueType outlines, as reportlab embeds no CFF
        order = font.getGlyphOrder()
        glyphs = font.getGlyphSet()
        quadratic = {}
        for name in list(glyphs.keys()):
            pen = TTGlyphPen(glyphs)
            glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            quadratic[name] = pen.glyph()
        font["loca"] = newTable("loca")
        font["glyf"] = glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = quadratic
        del font["CFF "]
        if "VORG" in font:
            del font["VORG"]
        glyf.compile(font)
        maxp = font["maxp"] = newTable("maxp")
        maxp.tableVersion = 0x00010000
        for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                      "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
            setattr(maxp, field, 1 if field == "maxZones" else 0)
        maxp.compile(font)
        post = font["post"]
        post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
        font.sfntVersion = "\000\001\000\000"
    font.save(str(target))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m bot.fonts.subset NotoSansCJKsc-Regular.otf")
    subset(Path(sys.argv[1]))
    print(f"{CJK_TTF}: {CJK_TTF.stat().st_size / 1e6:.1f} MB")
